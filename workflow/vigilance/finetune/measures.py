"""Measures of a KSS regressor, with a public KPI in place of the thesis' secret one.

Thesis 000 rounded its continuous KSS predictions to integers and scored them on the 9 levels
or on 4 binned levels with a confidential company KPI. The public substitute here is
**quadratic-weighted Cohen's kappa on the 4 KSS levels** (Cohen 1968, "Weighted kappa",
Psychological Bulletin 70(4)): agreement beyond chance, where confusing distant levels costs
more than confusing neighbours, which is what a drowsiness warning needs.

All measures, for true KSS ``y`` (integers 1..9) and continuous predictions ``p``:

- ``mae``, ``rmse``: on the continuous predictions;
- ``accuracy_9``: share with ``clip(round(p), 1, 9) == y``;
- ``accuracy_4``, ``kappa_4`` (the KPI, quadratic weights), ``macro_f1_4``: on the levels of
  the rounded prediction and of ``y`` under the configured bins (default 1-3, 4-6, 7, 8-9);
- ``critical_miss_rate``: among true KSS 7-9, the share whose rounded prediction is 1-3 (the
  thesis' most critical error: a sleepy driver judged alert);
- ``warning_sensitivity``: among true KSS >= 8, the share with ``p >= threshold`` (a warning);
- ``false_warning_rate``: among true KSS <= 6, the share with ``p >= threshold``.

A rate whose reference group is empty is NaN (not 0), so it cannot pass for a perfect score.
MAE, RMSE, the kappa and the macro-F1 (over all 4 levels, ``zero_division=0``) come from the
shared :mod:`vigilance.evaluation.measures`.
"""

from __future__ import annotations

import math

import numpy as np

from vigilance.blink.format import kss_level
from vigilance.evaluation.measures import averaged, kappa, regression_scores

DEFAULT_BINS = [[1, 3], [4, 6], [7, 7], [8, 9]]


def _rate(hit: np.ndarray, among: np.ndarray) -> float:
    return float(hit[among].mean()) if among.any() else math.nan


def kss_measures(
    y_true,
    y_pred,
    bins: list[list[int]] = DEFAULT_BINS,
    warning_threshold: float = 7.0,
    critical_true: tuple[int, int] = (7, 9),
    critical_pred: tuple[int, int] = (1, 3),
    alarm_true: int = 8,
    calm_true: int = 6,
) -> dict[str, float]:
    """Every measure of the module docstring.

    Args:
        y_true: (N,) true KSS, integers 1..9.
        y_pred: (N,) continuous predicted KSS.
        bins: The KSS levels as inclusive [low, high] ranges.
        warning_threshold: A prediction at or above it is a warning.
        critical_true, critical_pred: The critical miss: true in the first range, rounded
            prediction in the second.
        alarm_true: Sensitivity is measured on true KSS >= this.
        calm_true: False warnings are counted on true KSS <= this.

    Returns:
        Measure name -> value (NaN where its reference group is empty).
    """
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape or y_true.ndim != 1 or not len(y_true):
        raise ValueError(
            f"need two equal, non-empty 1-D arrays, got {y_true.shape} and {y_pred.shape}"
        )
    regression = regression_scores(y_true, y_pred)
    rounded = np.clip(np.round(y_pred), 1, 9)
    levels = list(range(len(bins)))
    true_level = kss_level(y_true, bins).astype(int)
    pred_level = kss_level(rounded, bins).astype(int)
    warning = y_pred >= warning_threshold
    critical = (y_true >= critical_true[0]) & (y_true <= critical_true[1])
    judged_alert = (rounded >= critical_pred[0]) & (rounded <= critical_pred[1])
    return {
        "mae": regression["mae"],
        "rmse": regression["rmse"],
        "accuracy_9": float((rounded == y_true).mean()),
        "accuracy_4": float((pred_level == true_level).mean()),
        # One level only: chance agreement is total and the kappa undefined (NaN).
        "kappa_4": kappa(true_level, pred_level, levels, weights="quadratic"),
        "macro_f1_4": averaged(true_level, pred_level, levels, "macro")[2],
        "critical_miss_rate": _rate(judged_alert, critical),
        "warning_sensitivity": _rate(warning, y_true >= alarm_true),
        "false_warning_rate": _rate(warning, y_true <= calm_true),
    }
