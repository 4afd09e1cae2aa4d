"""How a folder of gaze recordings is laid out: the file format and where the labels come from.

A :class:`Layout` declares how one recording file reads: the delimiter, whether the first line
is a header, which columns hold the timestamp and the gaze x and y (by header name or by column
number, 1 = the first), values some columns must hold (the ETRA files' ``G``), the timestamps'
unit and the gaze units (pixels, or a fraction of the screen with the screen's size in pixels).
A :class:`Labelling` declares where each recording's labels (``image``: what was viewed,
``observer``: who viewed it) come from: named groups of a file-name pattern such as
``{image}_{observer}.csv`` (``{name:regex}`` restricts a group), or a manifest CSV with a file
column and one column per label.

Two presets: ``etra2021``, the ETRA 2021 tutorial's recordings (tab-separated, no header,
``timestamp, G, x, y, tracker stamp``, ``<image>_<observer>.csv`` with four image codes), and
``timestamp_xy``, a plain comma-separated export with the header ``timestamp,x,y`` (ms, pixels).
Every key of the ``eyetracking.layout`` config section that is not null overrides the preset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from vigilance.core.errors import VigilanceError

LABELS = ("image", "observer")
TIME_UNITS = {"s": 1000.0, "ms": 1.0, "us": 1e-3, "ns": 1e-6}  # factor to milliseconds
UNITS = ("pixels", "fraction")


@dataclass(frozen=True)
class Layout:
    """How one recording file reads.

    Attributes:
        name: The preset it came from (``custom`` once a key is overridden).
        delimiter: Cell separator (one character).
        header: Whether the first line names the columns.
        timestamp, x, y: The column of each: a header name (str) or a column number (int, 1 =
            the first column).
        columns: Cells every line must have (None: as many as the header or the first line).
        names: Column names for messages when there is no header (column number - 1 -> name).
        require: Column (name or number) -> the text every line must hold there.
        time_unit: Unit of the timestamps (``s``, ``ms``, ``us``, ``ns``); read as ms.
        units: ``pixels``, or ``fraction`` of the screen (0..1), scaled by ``screen``.
        screen: (width, height) of the screen in pixels; needed for ``fraction``.
        files: Glob (relative to the folder) of the recording files.
    """

    name: str
    delimiter: str
    header: bool
    timestamp: str | int
    x: str | int
    y: str | int
    columns: int | None = None
    names: tuple[str, ...] = ()
    require: dict = field(default_factory=dict)
    time_unit: str = "ms"
    units: str = "pixels"
    screen: tuple[float, float] | None = None
    files: str = "*.csv"

    def __post_init__(self):
        check = [
            (
                len(self.delimiter) == 1,
                "delimiter",
                self.delimiter,
                "one character, e.g. ',' or '\\t'",
            ),
            (
                self.time_unit in TIME_UNITS,
                "time_unit",
                self.time_unit,
                f"one of {list(TIME_UNITS)}",
            ),
            (self.units in UNITS, "units", self.units, f"one of {list(UNITS)}"),
            (
                self.units != "fraction" or self.screen is not None,
                "screen",
                self.screen,
                "[width, height] in pixels when units is fraction",
            ),
        ]
        for ref in (self.timestamp, self.x, self.y, *self.require):
            if isinstance(ref, str) and not self.header:
                check.append(
                    (False, "timestamp/x/y/require", ref, "a column number without a header")
                )
        for ok, key, value, expected in check:
            if not ok:
                raise VigilanceError(
                    "bad gaze layout",
                    field=f"eyetracking.layout.{key}",
                    value=value,
                    expected=expected,
                )


@dataclass(frozen=True)
class Labelling:
    """Where each recording's labels come from.

    Attributes:
        pattern: File-name pattern (relative to the folder) with the named groups ``{image}``
            and ``{observer}`` (``{observer:\\d+}`` restricts a group to a regular expression);
            used when ``manifest`` is empty.
        manifest: A CSV file (comma-separated, with a header) listing the recordings.
        file_column, image_column, observer_column: The manifest's columns: the file (relative
            to the recordings folder) and the two labels.
        values: Label -> its allowed values (an empty mapping allows any).
    """

    pattern: str = "{image}_{observer}.csv"
    manifest: str = ""
    file_column: str = "file"
    image_column: str = "image"
    observer_column: str = "observer"
    values: dict = field(default_factory=dict)

    def regex(self) -> re.Pattern:
        """The pattern as an anchored regular expression with one named group per label."""
        parts, at, seen = [], 0, set()
        for match in re.finditer(r"\{(\w+)(?::([^{}]+))?\}", self.pattern):
            parts.append(re.escape(self.pattern[at : match.start()]))
            name, body = match[1], match[2] or r"[^/]+?"
            if name in seen:
                raise _bad_pattern(self.pattern, f"the group {{{name}}} once only")
            seen.add(name)
            parts.append(f"(?P<{name}>{body})")
            at = match.end()
        parts.append(re.escape(self.pattern[at:]))
        if not set(LABELS) <= seen:
            raise _bad_pattern(self.pattern, "the named groups {image} and {observer}")
        try:
            return re.compile("^" + "".join(parts) + "$")
        except re.error as err:
            raise _bad_pattern(
                self.pattern, f"valid regular expressions in groups ({err})"
            ) from None


def _bad_pattern(pattern: str, expected: str) -> VigilanceError:
    return VigilanceError(
        "bad file-name pattern",
        field="eyetracking.labels.pattern",
        value=pattern,
        expected=expected,
    )


ETRA_COLUMNS = ("timestamp", "event", "gaze x", "gaze y", "tracker stamp")
PRESETS: dict[str, tuple[Layout, Labelling]] = {
    "etra2021": (
        Layout(
            name="etra2021",
            delimiter="\t",
            header=False,
            timestamp=1,
            x=3,
            y=4,
            columns=5,
            names=ETRA_COLUMNS,
            require={2: "G"},
        ),
        Labelling(
            pattern=r"{image}_{observer:\d+}.csv",
            values={"image": ["bus", "kot", "nap", "rab"]},
        ),
    ),
    "timestamp_xy": (
        Layout(
            name="timestamp_xy", delimiter=",", header=True, timestamp="timestamp", x="x", y="y"
        ),
        Labelling(pattern="{image}_{observer}.csv"),
    ),
}
LAYOUT_KEYS = ("delimiter", "header", "timestamp", "x", "y", "columns", "require", "time_unit")
LAYOUT_KEYS += ("units", "screen", "files")


def _column_key(key: str) -> str | int:
    """A ``require`` key from YAML: digits are a column number, anything else a header name."""
    return int(key) if str(key).isdigit() else key


def from_config(layout: dict, labels: dict) -> tuple[Layout, Labelling]:
    """The layout and labelling a config asks for: the preset, overridden by non-null keys.

    Args:
        layout: The ``eyetracking.layout`` section (``preset`` and optional overrides).
        labels: The ``eyetracking.labels`` section (optional overrides of the preset's).

    Raises:
        VigilanceError: For an unknown preset or an inconsistent layout.
    """
    preset = layout.get("preset", "etra2021")
    if preset not in PRESETS:
        raise VigilanceError(
            "unknown gaze layout preset",
            field="eyetracking.layout.preset",
            value=preset,
            expected=f"one of {list(PRESETS)}",
        )
    base, labelling = PRESETS[preset]
    changes = {k: layout[k] for k in LAYOUT_KEYS if layout.get(k) is not None}
    if "require" in changes:
        changes["require"] = {_column_key(k): str(v) for k, v in changes["require"].items()}
    if "screen" in changes:
        changes["screen"] = tuple(float(v) for v in changes["screen"])
    if changes:
        # The preset's column names describe its own columns only.
        changes.update(
            name="custom", names=() if {"header", "columns"} & set(changes) else base.names
        )
    labelled = {k: v for k, v in labels.items() if v is not None and hasattr(labelling, k)}
    return replace(base, **changes), replace(labelling, **labelled)


def settings(layout: Layout, labelling: Labelling) -> dict:
    """Plain values of a layout and labelling (for rule params and checkpoints)."""
    return {"layout": vars(layout), "labels": vars(labelling)}
