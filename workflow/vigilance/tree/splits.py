"""Train/test splits of the fatigue set: driver-wise folds (clean) and the paper's 9:1 (leaky).

- ``drivers``: k folds grouped by driver and stratified on the state (scikit-learn's
  ``StratifiedGroupKFold`` via :func:`vigilance.evaluation.folds.make_folds`): no driver has
  frames on both sides, so a score says how the model does on *new* drivers.
- ``frames``: document 003's split, 9:1 at random per image (10 stratified folds over images,
  each a 9:1 split). Every driver then has frames in training and test, and on video
  neighbouring frames are near copies, so the score is inflated: *frame-leaky*, run only
  beside the clean split, to show the size of the leak.

Replicate r (the r-th configured seed) tests on fold r mod k of its split, so replicates vary
both the held-out drivers and the training seed; arms compared on one replicate share its
test items.
"""

from __future__ import annotations

import numpy as np

from vigilance.core.errors import VigilanceError
from vigilance.evaluation.folds import make_folds

SPLITS = ("drivers", "frames")
FRAME_FOLDS = 10  # the paper's 9:1
LABELS = {"drivers": "driver-wise (clean)", "frames": "frames 9:1 (frame-leaky, as the paper)"}


def fold_of_each(folds: list[tuple[np.ndarray, np.ndarray]], n: int) -> np.ndarray:
    """(N,) the test fold of every item, from (train, test) index pairs."""
    fold = np.full(n, -1, dtype=np.int64)
    for k, (_, test) in enumerate(folds):
        fold[test] = k
    return fold


def assign_folds(labels, driver, driver_folds: int, seed: int, need_drivers: bool) -> dict:
    """The fold of every image under both splits: {"drivers_fold", "frames_fold"} (N,).

    Args:
        labels: (N,) 0 alert, 1 drowsy.
        driver: (N,) driver codes, -1 where unknown (then drivers_fold is -1 everywhere).
        driver_folds: k of the driver-wise split.
        seed: shuffles the assignment.
        need_drivers: the driver-wise split is configured (unknown drivers are then an error).
    """
    labels, driver = np.asarray(labels), np.asarray(driver)
    n = len(labels)
    # Fewer than 10 images (a test set): as many folds as images.
    frames = make_folds("leaky", labels, np.arange(n), min(FRAME_FOLDS, n), seed, "tree.splits")
    out = {"frames_fold": fold_of_each(frames, n), "drivers_fold": np.full(n, -1, np.int64)}
    if (driver < 0).any():
        if need_drivers:
            raise VigilanceError(
                "the fatigue images' drivers are unknown, so no driver-wise split is possible",
                field="tree.splits",
                value="drivers",
                expected="images in <state>/<driver>/<image> or a fatigue_manifest, or "
                "tree.splits: [frames] (frame-leaky)",
            )
        return out
    folds = make_folds("grouped", labels, driver, driver_folds, seed, "tree.data.driver_folds")
    out["drivers_fold"] = fold_of_each(folds, n)
    return out


def held_out(fatigue: dict, split: str, replicate: int) -> np.ndarray:
    """(N,) True for the test images of ``replicate`` under ``split``."""
    if split not in SPLITS:
        raise VigilanceError("unknown split", field="split", value=split, expected=str(SPLITS))
    fold = fatigue[f"{split}_fold"]
    if (fold < 0).any():
        raise VigilanceError(
            "this data set has no such split (drivers unknown)",
            field="tree.splits",
            value=split,
            expected="frames",
        )
    return fold == replicate % (int(fold.max()) + 1)
