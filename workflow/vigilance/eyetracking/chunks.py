"""Fixed-length chunks of gaze recordings, and the integer labels of a classification task.

Chunks follow the ETRA 2021 tutorial (``paths.ipynb``): each recording is cut into chunks of
``length`` consecutive samples (100 there) that never cross two recordings; the model input is
the sample-to-sample gaze velocity (difference to the previous sample, 0 for a recording's
first sample), as there, or the raw position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from vigilance.core.errors import VigilanceError
from vigilance.eyetracking.layout import LABELS

if TYPE_CHECKING:
    from vigilance.eyetracking.reader import Recording

TASKS = LABELS
SIGNALS = ("velocity", "position")


@dataclass(frozen=True)
class Chunks:
    """Fixed-length chunks of all recordings.

    Attributes:
        signal: (N, L, 2) float32, the model input (velocity or position per sample).
        gaze: (N, L, 2) float32 positions of the same samples (for hand-made features).
        image: (N,) image label of each chunk.
        observer: (N,) observer label of each chunk.
        recording: (N,) name of the recording each chunk was cut from (its group).
        start: (N,) index of the chunk's first sample in its recording.
    """

    signal: np.ndarray
    gaze: np.ndarray
    image: np.ndarray
    observer: np.ndarray
    recording: np.ndarray
    start: np.ndarray


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
        observer=np.asarray(parts["observer"], dtype=str),
        recording=np.asarray(parts["rec"]),
        start=np.concatenate(parts["at"]).astype(np.int64),
    )


def task_labels(image: np.ndarray, observer: np.ndarray, task: str) -> tuple[np.ndarray, list]:
    """Integer labels of a task and the class names they index.

    Args:
        image: (N,) image labels.
        observer: (N,) observer labels.
        task: ``image`` (one class per image) or ``observer`` (one class per observer).

    Returns:
        (N,) int64 labels 0..K-1 and the K class names (sorted).
    """
    if task not in TASKS:
        raise VigilanceError("unknown task", field="task", value=task, expected=f"one of {TASKS}")
    values = image if task == "image" else observer
    classes, labels = np.unique(values, return_inverse=True)
    return labels.astype(np.int64), [str(c) for c in classes]
