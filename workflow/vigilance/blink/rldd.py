"""The UTA-RLDD blink sequences as a second, real blink data set.

Ghoddoosian, Galib & Athitsos (2019), "A Realistic Dataset and Baseline Temporal Model for
Early Drowsiness Detection", CVPR Workshops. Their public code ships the blink sequences
already windowed: per fold ``k`` of five (12 subjects each) ``BlinksTest_30_Fold{k}.npy``
(float64, (n, 30, 4): blink frequency, amplitude, duration, eye-opening velocity, each
normalised per subject; short runs zero-padded at the front) with ``LabelsTest_30_Fold{k}.npy``
((n, 1): 0 alert, 5 low vigilant, 10 drowsy), and ``Blinks_30_Fold{k}.npy`` /
``Labels_30_Fold{k}.npy`` holding the other four folds (the fold's training set).

Every subject occurs in exactly one fold's test file, so the adapter reads the five test files
and uses the fold as the driver group for splitting. It exposes the window interface of
:class:`vigilance.blink.windows.BlinkWindows` (``len``, ``labels``, ``labelled``, ``gather``);
the target is the 0..10 score, or 3 ordered levels via :func:`rldd_level`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from vigilance.core.errors import VigilanceError

RLDD_FEATURES = ["blink_frequency", "amplitude", "duration", "eye_opening_velocity"]
RLDD_LABELS = (0, 5, 10)
RLDD_WINDOW = 30


def rldd_files(fold: int) -> dict[str, str]:
    """The file names of one fold (test and training parts, blinks and labels)."""
    return {
        "blinks_test": f"BlinksTest_30_Fold{fold}.npy",
        "labels_test": f"LabelsTest_30_Fold{fold}.npy",
        "blinks_train": f"Blinks_30_Fold{fold}.npy",
        "labels_train": f"Labels_30_Fold{fold}.npy",
    }


def rldd_level(score) -> np.ndarray:
    """0 / 5 / 10 -> 0 / 1 / 2 (alert, low vigilant, drowsy)."""
    return (np.asarray(score, dtype=float) / 5.0).round()


def _load(path: Path, kind: str) -> np.ndarray:
    if not path.exists():
        raise VigilanceError("file not found", file=path, expected="an RLDD .npy file")
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise VigilanceError(
            f"not a readable .npy array ({err})", file=path, expected="a NumPy .npy file"
        ) from err
    if kind == "blinks":
        if array.ndim != 3 or array.shape[1:] != (RLDD_WINDOW, len(RLDD_FEATURES)):
            raise VigilanceError(
                "wrong shape",
                file=path,
                field="shape",
                value=array.shape,
                expected=f"(n, {RLDD_WINDOW}, {len(RLDD_FEATURES)})",
            )
        if not np.isfinite(array).all():
            raise VigilanceError(
                "non-finite values", file=path, field="values", expected="finite numbers"
            )
    else:
        if array.ndim != 2 or array.shape[1] != 1:
            raise VigilanceError(
                "wrong shape", file=path, field="shape", value=array.shape, expected="(n, 1)"
            )
        bad = ~np.isin(array, RLDD_LABELS)
        if bad.any():
            row = int(np.flatnonzero(bad.ravel())[0])
            raise VigilanceError(
                "label outside the RLDD classes",
                file=path,
                field=f"label (row {row + 1})",
                value=array.ravel()[row].item(),
                expected=f"one of {RLDD_LABELS}",
            )
    return array


def read_rldd(folder: str | Path, folds=(1, 2, 3, 4, 5)):
    """Read and validate the per-fold test files.

    Returns:
        ``x`` (n, 30, 4) float32, ``score`` (n,) float32 in {0, 5, 10}, ``fold`` (n,) int.
    """
    folder = Path(folder)
    xs, ys, groups = [], [], []
    for fold in folds:
        names = rldd_files(fold)
        x = _load(folder / names["blinks_test"], "blinks")
        y = _load(folder / names["labels_test"], "labels")
        if len(x) != len(y):
            raise VigilanceError(
                "blinks and labels differ in length",
                file=folder / names["labels_test"],
                field="rows",
                value=len(y),
                expected=f"{len(x)} rows as in {names['blinks_test']}",
            )
        xs.append(x.astype(np.float32))
        ys.append(y.ravel().astype(np.float32))
        groups.append(np.full(len(y), fold))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(groups)


@dataclass
class RLDDWindows:
    """Already-windowed RLDD sequences behind the window interface.

    Attributes:
        x: (W, 30, 4) float32; mask: (W, 30) True for real blinks (front padding is all-zero
        rows); score: (W,) 0 / 5 / 10; fold: (W,) the subject group.
    """

    x: torch.Tensor
    mask: torch.Tensor
    score: torch.Tensor
    fold: np.ndarray
    window: int = RLDD_WINDOW
    # The statistics the features were z-scored with (vigilance.finetune.rldd.standardise).
    stats: dict | None = None

    @classmethod
    def from_folder(cls, folder, folds=(1, 2, 3, 4, 5), device="cpu") -> RLDDWindows:
        x, score, fold = read_rldd(folder, folds)
        mask = np.abs(x).sum(axis=2) > 0
        return cls(
            torch.as_tensor(x, device=device),
            torch.as_tensor(mask, device=device),
            torch.as_tensor(score, device=device),
            fold,
        )

    def __len__(self) -> int:
        return len(self.score)

    @property
    def labels(self) -> torch.Tensor:
        return self.score

    def labelled(self) -> torch.Tensor:
        return torch.arange(len(self), device=self.score.device)

    def gather(self, idx: torch.Tensor):
        """``x`` (B, 30, 4), ``mask`` (B, 30), ``y`` (B,) the 0..10 score."""
        return self.x[idx], self.mask[idx], self.score[idx]
