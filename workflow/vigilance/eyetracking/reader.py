"""The ETRA 2021 tutorial's gaze recordings: a validating reader, chunks and their labels.

Data: 18 observers (ids 10..27) each viewed 4 images (``bus``, ``kot`` a cat, ``nap`` a text,
``rab`` rabbits to count) while an eye tracker sampled their gaze at about 50 Hz; one file per
(image, observer), ``<image>_<observer>.csv``, tab-separated, no header, five columns:
timestamp (ms, integer), the letter ``G``, gaze x and y (screen pixels), the tracker's stamp.
Source: Kasprowski, "Deep Learning in the Eye Tracking World", ETRA 2021 tutorial,
https://github.com/kasprowski/etra2021 (``datasets/paths.zip``, used by ``paths.ipynb``);
recordings from Kasprowski & Harezlak, "Gaze Self-Similarity Plot", JEMR 10(5), 2017.

Chunks follow the tutorial: each recording is cut into chunks of ``length`` consecutive samples
(100 there) that never cross two recordings; the model input is the sample-to-sample gaze
velocity (difference to the previous sample, 0 for a recording's first sample), as in
``paths.ipynb``, or the raw position.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vigilance.core.errors import VigilanceError

IMAGES = ("bus", "kot", "nap", "rab")
TASKS = ("image", "observer")
SIGNALS = ("velocity", "position")
FILE_PATTERN = re.compile(r"^(?P<image>[A-Za-z]+)_(?P<observer>\d+)\.csv$")
COLUMNS = ("timestamp", "event", "gaze x", "gaze y", "tracker stamp")
EXPECTED_NAME = "<image>_<observer>.csv, e.g. bus_10.csv"


@dataclass(frozen=True)
class Recording:
    """One gaze recording.

    Attributes:
        name: The file's stem, e.g. ``bus_10`` (the recording's id, used as its group).
        image: The image code, one of :data:`IMAGES`.
        observer: The observer id.
        timestamps: (n,) int64 milliseconds, non-decreasing.
        gaze: (n, 2) float64 gaze x and y in screen pixels.
    """

    name: str
    image: str
    observer: int
    timestamps: np.ndarray
    gaze: np.ndarray


@dataclass(frozen=True)
class Chunks:
    """Fixed-length chunks of all recordings.

    Attributes:
        signal: (N, L, 2) float32, the model input (velocity or position per sample).
        gaze: (N, L, 2) float32 positions of the same samples (for hand-made features).
        image: (N,) image code of each chunk.
        observer: (N,) observer id of each chunk.
        recording: (N,) name of the recording each chunk was cut from (its group).
        start: (N,) index of the chunk's first sample in its recording.
    """

    signal: np.ndarray
    gaze: np.ndarray
    image: np.ndarray
    observer: np.ndarray
    recording: np.ndarray
    start: np.ndarray


def parse_name(path: str | Path) -> tuple[str, int]:
    """The (image, observer) a recording's file name encodes.

    Raises:
        VigilanceError: For a name not of the form ``<image>_<observer>.csv`` or an unknown
            image code.
    """
    path = Path(path)
    match = FILE_PATTERN.match(path.name)
    if match is None:
        raise VigilanceError(
            "not a recording's file name",
            file=path,
            field="file name",
            value=path.name,
            expected=EXPECTED_NAME,
        )
    if match["image"] not in IMAGES:
        raise VigilanceError(
            "unknown image code",
            file=path,
            field="image code (file name)",
            value=match["image"],
            expected=f"one of {', '.join(IMAGES)}",
        )
    return match["image"], int(match["observer"])


def _number(text: str, kind: type, path: Path, line: int, column: int) -> float:
    field = f"line {line}, column {column} ({COLUMNS[column - 1]})"
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value):
        what = "an integer" if kind is int else "a finite number"
        raise VigilanceError(f"not {what}", file=path, field=field, value=text, expected=what)
    return value


def read_recording(path: str | Path) -> Recording:
    """Read and validate one recording.

    Args:
        path: A ``<image>_<observer>.csv`` file.

    Returns:
        The recording.

    Raises:
        VigilanceError: Naming the file, the line and column, the value and the expectation,
            for a bad name, a line without five tab-separated columns, an event other than
            ``G``, a non-numeric or non-finite timestamp or gaze value, timestamps going back,
            or an empty file.
    """
    path = Path(path)
    image, observer = parse_name(path)
    stamps, gaze = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\r\n")
            cells = line.split("\t")
            if len(cells) != len(COLUMNS):
                raise VigilanceError(
                    f"{len(cells)} tab-separated column(s)",
                    file=path,
                    field=f"line {number}",
                    value=line[:80],
                    expected="5 columns: " + ", ".join(COLUMNS),
                )
            if cells[1] != "G":
                raise VigilanceError(
                    "not a gaze sample",
                    file=path,
                    field=f"line {number}, column 2 (event)",
                    value=cells[1],
                    expected="the letter G",
                )
            stamp = _number(cells[0], int, path, number, 1)
            if stamps and stamp < stamps[-1]:
                raise VigilanceError(
                    "timestamp goes back",
                    file=path,
                    field=f"line {number}, column 1 (timestamp)",
                    value=stamp,
                    expected=f">= {stamps[-1]} (the previous line's)",
                )
            stamps.append(stamp)
            gaze.append(
                (
                    _number(cells[2], float, path, number, 3),
                    _number(cells[3], float, path, number, 4),
                )
            )
    if not stamps:
        raise VigilanceError("no samples", file=path, expected="at least one gaze sample line")
    return Recording(
        name=path.stem,
        image=image,
        observer=observer,
        timestamps=np.asarray(stamps, dtype=np.int64),
        gaze=np.asarray(gaze, dtype=np.float64),
    )


def recording_files(folder: str | Path) -> list[Path]:
    """The ``*.csv`` files of a recordings folder, sorted by name (other files are ignored).

    Raises:
        VigilanceError: When the folder is missing or holds no ``.csv`` file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise VigilanceError(
            "folder not found",
            file=folder,
            field="eyetracking.path",
            expected="a folder of <image>_<observer>.csv recordings "
            "(or eyetracking.download: true to fetch them)",
        )
    files = sorted(p for p in folder.iterdir() if p.suffix == ".csv" and p.is_file())
    if not files:
        raise VigilanceError(
            "no recordings in the folder",
            file=folder,
            field="eyetracking.path",
            expected=f"files named {EXPECTED_NAME}",
        )
    return files


def read_recordings(folder: str | Path) -> list[Recording]:
    """Read and validate every recording of a folder, in file-name order."""
    return [read_recording(path) for path in recording_files(folder)]


def make_chunks(
    recordings: list[Recording], length: int, step: int, signal: str = "velocity"
) -> Chunks:
    """Cut every recording into chunks of ``length`` samples, starting every ``step`` samples.

    A recording shorter than ``length`` gives no chunk. The tutorial used ``step`` 1.

    Args:
        recordings: From :func:`read_recordings`.
        length: Samples per chunk (L).
        step: Samples between the starts of consecutive chunks of one recording.
        signal: ``velocity`` (difference to the previous sample) or ``position``.

    Returns:
        The chunks, recording by recording.
    """
    if signal not in SIGNALS:
        raise VigilanceError(
            "unknown signal", field="eyetracking.signal", value=signal, expected=f"one of {SIGNALS}"
        )
    parts: dict[str, list] = {k: [] for k in ("signal", "gaze", "image", "observer", "rec", "at")}
    for rec in recordings:
        starts = np.arange(0, len(rec.gaze) - length + 1, step)
        if len(starts) == 0:
            continue
        velocity = np.zeros_like(rec.gaze)
        velocity[1:] = np.diff(rec.gaze, axis=0)
        source = velocity if signal == "velocity" else rec.gaze
        index = starts[:, None] + np.arange(length)[None, :]
        parts["signal"].append(source[index])
        parts["gaze"].append(rec.gaze[index])
        parts["image"] += [rec.image] * len(starts)
        parts["observer"] += [rec.observer] * len(starts)
        parts["rec"] += [rec.name] * len(starts)
        parts["at"].append(starts)
    if not parts["at"]:
        raise VigilanceError(
            "no recording is long enough for one chunk",
            field="eyetracking.chunk_length",
            value=length,
            expected=f"<= {max((len(r.gaze) for r in recordings), default=0)}",
        )
    return Chunks(
        signal=np.concatenate(parts["signal"]).astype(np.float32),
        gaze=np.concatenate(parts["gaze"]).astype(np.float32),
        image=np.asarray(parts["image"]),
        observer=np.asarray(parts["observer"], dtype=np.int64),
        recording=np.asarray(parts["rec"]),
        start=np.concatenate(parts["at"]).astype(np.int64),
    )


def task_labels(image: np.ndarray, observer: np.ndarray, task: str) -> tuple[np.ndarray, list]:
    """Integer labels of a task and the class names they index.

    Args:
        image: (N,) image codes.
        observer: (N,) observer ids.
        task: ``image`` (4 classes) or ``observer`` (one class per observer present).

    Returns:
        (N,) int64 labels 0..K-1 and the K class names (sorted).
    """
    if task not in TASKS:
        raise VigilanceError("unknown task", field="task", value=task, expected=f"one of {TASKS}")
    values = image if task == "image" else observer
    classes, labels = np.unique(values, return_inverse=True)
    return labels.astype(np.int64), [str(c) for c in classes]


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
