"""The ETRA 2021 gaze recordings as a two-task data set: image (4 classes) and observer (18).

Reuses the validating reader and the chunking of :mod:`vigilance.eyetracking.reader` (Kasprowski,
ETRA 2021 tutorial); each window is one chunk of gaze velocities (or positions).
"""

from __future__ import annotations

import numpy as np

from vigilance.eyetracking.reader import TASKS, make_chunks, read_recordings, task_labels


def load_windows(folder, length: int, step: int, signal: str = "velocity") -> dict:
    """Windows of every recording with both task labels.

    Returns:
        Arrays ``x`` (W, L, 2), ``y`` (W, 2) int64 (image, observer), ``observer`` (W,),
        ``recording`` (W,) names, ``tasks``, ``classes``.
    """
    chunks = make_chunks(read_recordings(folder), length, step, signal)
    labels, classes = zip(
        *(task_labels(chunks.image, chunks.observer, task) for task in TASKS), strict=True
    )
    return {
        "x": chunks.signal,
        "y": np.stack(labels, axis=1),
        "observer": chunks.observer,
        "recording": chunks.recording,
        "tasks": np.asarray(TASKS),
        "classes": np.asarray([len(c) for c in classes]),
    }
