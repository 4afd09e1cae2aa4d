"""The fine-tuning pipeline on UTA-RLDD: subject folds, its 3-level target, its measures.

Ghoddoosian et al. (2019) scored their model by 3-class accuracy (alert, low vigilant,
drowsy) over five subject folds. Here, for each test fold, the next fold of the list
(cyclically) is the validation fold for model selection and the rest train. The model regresses
the 0 / 5 / 10 score; its 3-level prediction is ``clip(round(p / 5), 0, 2)``. RLDD has no
separate pool of unlabelled drivers, so the ``pretrained`` init pre-trains by masked modelling
on the training folds' windows (labels unused) before fine-tuning on the same folds, plus the
pre-training pools of other blink data sets where ``blink.rldd.pretrain_pools`` names them
(:mod:`vigilance.blink.rldd_pool`).
"""

from __future__ import annotations

import numpy as np
import torch

from vigilance.blink.rldd import rldd_level
from vigilance.evaluation.measures import averaged, kappa, regression_scores

KPI = "kappa_3"


def rldd_measures(y_true, y_pred) -> dict[str, float]:
    """3-class accuracy (the data set's own measure), quadratic kappa, macro-F1, MAE, RMSE.

    From :mod:`vigilance.evaluation.measures` on the label set 0, 1, 2 (kappa NaN when one
    level only occurs; macro-F1 over all three levels, ``zero_division=0``).
    """
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    true = rldd_level(y_true).astype(int)
    pred = np.clip(np.round(y_pred / 5.0), 0, 2).astype(int)
    levels = [0, 1, 2]
    regression = regression_scores(y_true, y_pred)
    return {
        "accuracy_3": float((true == pred).mean()),
        "kappa_3": kappa(true, pred, levels, weights="quadratic"),
        "macro_f1_3": averaged(true, pred, levels, "macro")[2],
        "mae": regression["mae"],
        "rmse": regression["rmse"],
    }


def fold_roles(folds: list[int], test_fold: int) -> tuple[list[int], int]:
    """(training folds, validation fold) for one test fold: validation is the next one."""
    if test_fold not in folds or len(folds) < 3:
        raise ValueError(f"test fold {test_fold} needs to be one of at least 3 folds {folds}")
    i = folds.index(test_fold)
    val = folds[(i + 1) % len(folds)]
    return [f for f in folds if f not in (test_fold, val)], val


class FoldView:
    """The windows of some folds, behind the window interface (``len``, ``gather``, labels).

    Args:
        windows: :class:`vigilance.blink.rldd.RLDDWindows`.
        folds: The folds to keep.
    """

    def __init__(self, windows, folds):
        keep = np.isin(windows.fold, list(folds))
        self.windows = windows
        self.rows = torch.as_tensor(np.flatnonzero(keep), device=windows.score.device)
        self.window = windows.window

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def labels(self) -> torch.Tensor:
        return self.windows.score[self.rows]

    def labelled(self) -> torch.Tensor:
        return torch.arange(len(self), device=self.rows.device)

    def gather(self, idx: torch.Tensor):
        return self.windows.gather(self.rows[idx])


def standardise(windows, folds: list[int]) -> dict[str, list[float]]:
    """Z-score every feature in place with the mean and SD of the real rows of ``folds`` only.

    RLDD's features are normalised per subject by its authors, but not to a common scale: blink
    frequency spreads about 20 times wider than the other three (SD about 30 against 1 to 5 on
    folds 1-3), so unscaled it dominates the masked-row loss and the encoder's LayerNorms.
    Padded rows stay all-zero (the mask was read before scaling).

    Returns:
        The statistics used (``mean``, ``sd`` per feature), also kept as ``windows.stats`` (the
        other data sets' pools of RLDD's pre-training are scaled with them too).
    """
    keep = torch.as_tensor(np.isin(windows.fold, list(folds)), device=windows.x.device)
    rows = windows.x[keep][windows.mask[keep]]
    mean, sd = rows.mean(0), rows.std(0).clamp(min=1e-6)
    windows.x = torch.where(windows.mask[..., None], (windows.x - mean) / sd, windows.x)
    windows.stats = {"mean": mean.tolist(), "sd": sd.tolist()}
    return windows.stats


def fold_views(
    folder, folds: list[int], test_fold: int, device="cpu", normalise: bool = False
) -> dict[str, FoldView]:
    """Read RLDD's folds once; the training, validation and test views of one test fold.

    ``normalise``: z-score the features with the training folds' statistics
    (:func:`standardise`; validation and test folds never contribute to them).
    """
    from vigilance.blink.rldd import RLDDWindows

    windows = RLDDWindows.from_folder(folder, folds, device)
    train, val = fold_roles(list(folds), test_fold)
    if normalise:
        standardise(windows, train)
    return {
        "train": FoldView(windows, train),
        "val": FoldView(windows, [val]),
        "test": FoldView(windows, [test_fold]),
    }
