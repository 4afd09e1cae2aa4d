"""Gaze recordings in a declared layout: a validating reader, chunks and their labels.

Any tracker's export reads once its :class:`~vigilance.eyetracking.layout.Layout` (delimiter,
header, timestamp / x / y columns, units) and :class:`~vigilance.eyetracking.layout.Labelling`
(a file-name pattern or a manifest) are declared. Every recording is validated: the declared
number of cells on every line, the required values, finite numbers, timestamps that never go
back, at least one sample; an error names the file, the line, the column, the value and what
the layout expected. Timestamps are read as milliseconds, gaze as screen pixels.

The default layout is the ETRA 2021 tutorial's: 18 observers (ids 10..27) each viewed 4 images
(``bus``, ``kot`` a cat, ``nap`` a text, ``rab`` rabbits to count) while an eye tracker sampled
their gaze at about 50 Hz; one file per (image, observer), ``<image>_<observer>.csv``,
tab-separated, no header, five columns: timestamp (ms), the letter ``G``, gaze x and y (screen
pixels), the tracker's stamp. Source: Kasprowski, "Deep Learning in the Eye Tracking World",
ETRA 2021 tutorial, https://github.com/kasprowski/etra2021 (``datasets/paths.zip``, used by
``paths.ipynb``); recordings from Kasprowski & Harezlak, "Gaze Self-Similarity Plot", JEMR
10(5), 2017.

Chunks and task labels are in :mod:`vigilance.eyetracking.chunks` (re-exported here).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vigilance.core.errors import VigilanceError
from vigilance.eyetracking.chunks import SIGNALS, TASKS, Chunks, make_chunks, task_labels
from vigilance.eyetracking.labels import parse_name, read_manifest
from vigilance.eyetracking.layout import PRESETS, TIME_UNITS, Labelling, Layout

ETRA_LAYOUT, ETRA_LABELS = PRESETS["etra2021"]
IMAGES = tuple(ETRA_LABELS.values["image"])
# Re-exported: callers (vigilance.mtl.gaze) read recordings and chunk them from one module.
__all__ = [
    "ETRA_LABELS",
    "ETRA_LAYOUT",
    "IMAGES",
    "SIGNALS",
    "TASKS",
    "Chunks",
    "Recording",
    "content_sha256",
    "load_recordings",
    "make_chunks",
    "parse_name",
    "read_recording",
    "read_recordings",
    "read_samples",
    "recording_files",
    "save_recordings",
    "task_labels",
]


@dataclass(frozen=True)
class Recording:
    """One gaze recording.

    Attributes:
        name: The file's path relative to its folder, without the suffix (its id and group).
        image: What was viewed (label).
        observer: Who viewed it (label).
        timestamps: (n,) float64 milliseconds, non-decreasing.
        gaze: (n, 2) float64 gaze x and y in screen pixels.
    """

    name: str
    image: str
    observer: str
    timestamps: np.ndarray
    gaze: np.ndarray


def _column(ref, header: list[str] | None, layout: Layout, path: Path, width: int) -> int:
    """The 0-based index of a column given by header name or by number (1 = first)."""
    if isinstance(ref, int):
        if ref > width:
            raise VigilanceError(
                "column beyond the line's columns",
                file=path,
                field="line 1",
                value=ref,
                expected=f"a column number <= {width} (layout {layout.name})",
            )
        return ref - 1
    if ref not in header:
        raise VigilanceError(
            "column not in the header",
            file=path,
            field="line 1 (header)",
            value=ref,
            expected=f"a header naming it (layout {layout.name}; header: {', '.join(header)})",
        )
    return header.index(ref)


def _describe(index: int, header: list[str] | None, layout: Layout) -> str:
    names = header or layout.names
    return f"column {index + 1}" + (f" ({names[index]})" if index < len(names) else "")


def read_samples(path: str | Path, layout: Layout = ETRA_LAYOUT) -> tuple[np.ndarray, np.ndarray]:
    """Read and validate one recording's samples.

    Returns:
        (n,) float64 timestamps in ms and (n, 2) float64 gaze in pixels.

    Raises:
        VigilanceError: Naming the file, the line and column, the value and what the layout
            expected: a line with another number of cells, a required value missing, a
            non-numeric or non-finite timestamp or gaze value, a timestamp going back, a column
            the header lacks, or no sample at all.
    """
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=layout.delimiter)
        rows, lines = [], []
        for row in reader:
            if row:  # blank lines carry no sample
                rows.append(row)
                lines.append(reader.line_num)
    header = [cell.strip() for cell in rows.pop(0)] if layout.header and rows else None
    if layout.header:
        lines = lines[1:]
    if not rows:
        raise VigilanceError(
            "no samples", file=path, expected=f"at least one sample line (layout {layout.name})"
        )
    width = layout.columns or len(header or rows[0])
    for row, line in zip(rows, lines, strict=True):
        if len(row) != width:
            raise VigilanceError(
                f"{len(row)} column(s)",
                file=path,
                field=f"line {line}",
                value=layout.delimiter.join(row)[:80],
                expected=f"{width} columns separated by {layout.delimiter!r} (layout {layout.name}"
                + (f": {', '.join(layout.names)})" if layout.names else ")"),
            )
    for ref, wanted in layout.require.items():
        index = _column(ref, header, layout, path, width)
        for row, line in zip(rows, lines, strict=True):
            if row[index] != wanted:
                raise VigilanceError(
                    "unexpected value",
                    file=path,
                    field=f"line {line}, {_describe(index, header, layout)}",
                    value=row[index],
                    expected=f"{wanted!r} on every line (layout {layout.name})",
                )
    import pandas as pd  # here: the Snakefile imports this module for recording_files (0.5 s)

    values = []
    for ref in (layout.timestamp, layout.x, layout.y):
        index = _column(ref, header, layout, path, width)
        text = pd.Series([row[index] for row in rows])
        number = pd.to_numeric(text.str.strip(), errors="coerce").to_numpy(dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(number))
        if len(bad):
            raise VigilanceError(
                "not a finite number",
                file=path,
                field=f"line {lines[bad[0]]}, {_describe(index, header, layout)}",
                value=text[bad[0]],
                expected=f"a finite number (layout {layout.name})",
            )
        values.append(number)
    stamps = values[0] * TIME_UNITS[layout.time_unit]
    back = np.flatnonzero(np.diff(stamps) < 0)
    if len(back):
        index = _column(layout.timestamp, header, layout, path, width)
        raise VigilanceError(
            "timestamp goes back",
            file=path,
            field=f"line {lines[back[0] + 1]}, {_describe(index, header, layout)}",
            value=rows[back[0] + 1][index],
            expected=f">= {rows[back[0]][index]} (the previous line's)",
        )
    gaze = np.stack(values[1:], axis=1)
    if layout.units == "fraction":
        gaze = gaze * np.asarray(layout.screen, dtype=np.float64)
    return stamps, gaze


def read_recording(
    path: str | Path,
    layout: Layout = ETRA_LAYOUT,
    labelling: Labelling = ETRA_LABELS,
    labels: dict | None = None,
    folder=None,
) -> Recording:
    """Read and validate one recording.

    Args:
        path: The file.
        layout: How it reads.
        labelling: How its labels are found from its name (when ``labels`` is None).
        labels: Its labels (``image``, ``observer``), e.g. from a manifest.
        folder: The recordings folder (names and patterns are relative to it).
    """
    path = Path(path)
    labels = parse_name(path, labelling, folder) if labels is None else labels
    stamps, gaze = read_samples(path, layout)
    name = (path.relative_to(folder) if folder is not None else Path(path.name)).with_suffix("")
    return Recording(name.as_posix(), labels["image"], labels["observer"], stamps, gaze)


def recording_files(
    folder: str | Path, layout: Layout = ETRA_LAYOUT, labelling: Labelling = ETRA_LABELS
) -> list[Path]:
    """The recording files of a folder, sorted: those of the manifest, or the layout's glob.

    Raises:
        VigilanceError: When the folder is missing or holds no recording.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise VigilanceError(
            "folder not found",
            file=folder,
            field="eyetracking.path",
            expected="a folder of gaze recordings "
            "(or eyetracking.download: true to fetch the ETRA 2021 ones)",
        )
    if labelling.manifest:
        return sorted(read_manifest(folder, labelling))
    files = sorted(p for p in folder.glob(layout.files) if p.is_file())
    if not files:
        raise VigilanceError(
            "no recordings in the folder",
            file=folder,
            field="eyetracking.path",
            expected=f"files {layout.files} named {labelling.pattern}",
        )
    return files


def read_recordings(
    folder: str | Path, layout: Layout = ETRA_LAYOUT, labelling: Labelling = ETRA_LABELS
) -> list[Recording]:
    """Read and validate every recording of a folder, in file order."""
    folder = Path(folder)
    listed = read_manifest(folder, labelling) if labelling.manifest else None
    return [
        read_recording(path, layout, labelling, None if listed is None else listed[path], folder)
        for path in (
            sorted(listed) if listed is not None else recording_files(folder, layout, labelling)
        )
    ]


def content_sha256(files: dict[str, bytes]) -> str:
    """SHA-256 of a set of files that does not depend on how they were archived.

    Equals ``sha256sum *.csv | sha256sum`` run in the folder: the SHA-256 of the lines
    ``<sha256 of the file's bytes>  <file name>`` in name order.

    Args:
        files: File name (no folder) -> content.
    """
    lines = "".join(
        f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n" for name in sorted(files)
    )
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def save_recordings(handle, recordings: list[Recording]) -> None:
    """Write validated recordings to one ``.npz`` (samples concatenated, with offsets)."""
    lengths = [len(r.gaze) for r in recordings]
    np.savez_compressed(
        handle,
        name=np.asarray([r.name for r in recordings], dtype=str),
        image=np.asarray([r.image for r in recordings], dtype=str),
        observer=np.asarray([r.observer for r in recordings], dtype=str),
        offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        timestamps=np.concatenate([r.timestamps for r in recordings]),
        gaze=np.concatenate([r.gaze for r in recordings]),
    )


def load_recordings(path: str | Path) -> list[Recording]:
    """The recordings :func:`save_recordings` wrote."""
    with np.load(path) as data:
        at = data["offsets"]
        return [
            Recording(
                str(data["name"][i]),
                str(data["image"][i]),
                str(data["observer"][i]),
                data["timestamps"][at[i] : at[i + 1]],
                data["gaze"][at[i] : at[i + 1]],
            )
            for i in range(len(data["name"]))
        ]
