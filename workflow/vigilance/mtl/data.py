"""The prepared data of one source, saved as one ``.npz``, and the splits of each experiment.

Experiments (the ``dataset`` wildcard) and their splits:

- ``opportunity``: by run, as the thesis (train Drill + ADL1-3, test ADL4-5); runs can be held
  out of training for validation (``validation_runs``; none by default, because nothing in
  the thesis' protocol selects on them: every table and figure reports the test runs);
- ``deap-windows``: the thesis' random windows (windows of one trial on both sides: a leak);
- ``deap-trials``: whole trials to one side, per subject (no leak);
- ``gaze``: per observer one recording held out for test, one for validation, rotating with
  the seed (:func:`vigilance.mtl.windows.recording_holdout_split`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vigilance.core.errors import VigilanceError
from vigilance.mtl.windows import group_split, random_window_split, recording_holdout_split

SOURCES = {"opportunity": "opportunity", "deap-windows": "deap", "deap-trials": "deap"}
SOURCES["gaze"] = "gaze"


def prepare(source: str, folder, settings: dict, clip: bool) -> dict:
    """Read, validate and window one source's files.

    Args:
        source: ``opportunity``, ``deap`` or ``gaze``.
        folder: The source's files.
        settings: Its config section (window, step, threshold, clip_sigmas, ...).
        clip: Clip spikes before windowing.
    """
    if source == "opportunity":
        from vigilance.mtl import opportunity

        return opportunity.load_windows(
            folder, settings["window"], settings["step"], clip, settings["clip_sigmas"]
        )
    if source == "deap":
        from vigilance.mtl import deap

        return deap.load_windows(
            folder,
            settings["window"],
            settings["step"],
            settings["threshold"],
            clip,
            settings["clip_sigmas"],
        )
    from vigilance.mtl import gaze

    return gaze.load_windows(folder, settings["window"], settings["step"], settings["signal"])


def save(path, data: dict) -> None:
    """Write the prepared arrays atomically (uncompressed: fast to load)."""
    from vigilance.core.io import atomic_path

    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, **data)


def load(path) -> dict:
    """Read the arrays written by :func:`save`."""
    with np.load(Path(path), allow_pickle=False) as content:
        return {k: content[k] for k in content.files}


def split(dataset: str, data: dict, settings: dict, seed: int) -> np.ndarray:
    """(W,) split ids (0 train, 1 validation, 2 test) of an experiment's windows.

    Args:
        dataset: The experiment (a key of :data:`SOURCES`).
        data: From :func:`load`.
        settings: The source's config section.
        seed: The run's seed (random and rotating splits depend on it).
    """
    rng = np.random.default_rng(seed)
    if dataset == "opportunity":
        out = np.full(len(data["run"]), -1)
        for ids, runs in enumerate(
            (settings["train_runs"], settings["validation_runs"], settings["test_runs"])
        ):
            out[np.isin(data["run"], runs)] = ids
        if (out == -1).any() or not all((out == k).any() for k in (0, 2)):
            raise VigilanceError(
                "the runs do not give non-empty training and test splits",
                field="mtl.opportunity.train_runs/validation_runs/test_runs",
                value=sorted(set(data["run"].tolist())),
                expected="every run in one of the lists, training and test lists matching files",
            )
        return out
    if dataset == "deap-windows":
        return random_window_split(
            len(data["y"]), settings["test_share"], settings["validation_share"], rng
        )
    if dataset == "deap-trials":
        return group_split(
            data["trial"],
            data["subject"],
            settings["test_share"],
            settings["validation_share"],
            rng,
        )
    if dataset == "gaze":
        return recording_holdout_split(data["observer"], data["recording"], seed)
    raise VigilanceError(
        "unknown experiment", field="dataset", value=dataset, expected=str(SOURCES)
    )
