"""The labels of each recording: from its file name (a pattern) or from a manifest CSV.

A :class:`~vigilance.eyetracking.layout.Labelling` names the pattern (``{image}_{observer}.csv``
with optional ``{name:regex}`` groups) or the manifest and its columns; every label is checked
against the allowed values, and an error names the file (or the manifest's line and column),
the value and what was expected.
"""

from __future__ import annotations

from pathlib import Path

from vigilance.core.errors import VigilanceError
from vigilance.eyetracking.layout import LABELS, PRESETS, Labelling

ETRA_LABELS = PRESETS["etra2021"][1]


def parse_name(path: str | Path, labelling: Labelling = ETRA_LABELS, folder=None) -> dict:
    """The labels a recording's file name encodes, by the labelling's pattern.

    Args:
        path: The file.
        labelling: Its pattern and allowed values.
        folder: The recordings folder; the pattern is matched against the path relative to
            it (default: the file name alone).

    Raises:
        VigilanceError: For a name the pattern does not match or a label value not allowed.
    """
    path = Path(path)
    relative = path.relative_to(folder).as_posix() if folder is not None else path.name
    match = labelling.regex().match(relative)
    if match is None:
        raise VigilanceError(
            "file name does not match the layout's pattern",
            file=path,
            field="file name",
            value=relative,
            expected=f"{labelling.pattern} (eyetracking.labels.pattern)",
        )
    labels = {name: match[name] for name in LABELS}
    check_labels(labels, labelling, path, "file name")
    return labels


def check_labels(labels: dict, labelling: Labelling, file, where: str) -> None:
    """Raise when a label is empty or not among the labelling's allowed values."""
    for name in LABELS:
        allowed = labelling.values.get(name)
        if labels[name] == "" or (allowed and labels[name] not in allowed):
            raise VigilanceError(
                f"unknown {name} label",
                file=file,
                field=f"{name} ({where})",
                value=labels[name],
                expected=f"one of {', '.join(allowed)}" if allowed else "a non-empty label",
            )


def read_manifest(folder: Path, labelling: Labelling) -> dict[Path, dict]:
    """File -> labels of every recording a manifest lists.

    Raises:
        VigilanceError: Naming the manifest, the line, the column and the value, for a missing
            manifest or column, an empty or disallowed label, a listed file that does not
            exist, or a file listed twice.
    """
    manifest = Path(labelling.manifest)
    if not manifest.is_file():
        raise VigilanceError(
            "manifest not found",
            file=manifest,
            field="eyetracking.labels.manifest",
            expected="a CSV file with a header",
        )
    import pandas as pd  # here: the Snakefile imports the reader, and so this module

    table = pd.read_csv(manifest, dtype=str, keep_default_na=False, skipinitialspace=True)
    columns = {
        "file": labelling.file_column,
        "image": labelling.image_column,
        "observer": labelling.observer_column,
    }
    for role, column in columns.items():
        if column not in table.columns:
            raise VigilanceError(
                "column missing",
                file=manifest,
                field=f"eyetracking.labels.{role}_column",
                value=column,
                expected=f"a column of the header ({', '.join(table.columns)})",
            )
    files: dict[Path, dict] = {}
    for number, row in enumerate(table.itertuples(index=False), start=2):
        row = dict(zip(table.columns, row, strict=True))
        path = folder / row[columns["file"]]
        where = f"line {number}, column {columns['file']}"
        if not path.is_file() or path in files:
            problem = "file listed twice" if path in files else "file not found"
            raise VigilanceError(
                problem,
                file=manifest,
                field=where,
                value=row[columns["file"]],
                expected=f"a file of {folder}, listed once",
            )
        labels = {name: row[columns[name]].strip() for name in LABELS}
        check_labels(labels, labelling, manifest, f"line {number}")
        files[path] = labels
    if not files:
        raise VigilanceError("no recordings listed", file=manifest, expected="one line per file")
    return files
