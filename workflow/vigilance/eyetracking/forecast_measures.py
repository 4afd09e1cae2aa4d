"""Measures of the gaze regression task (scikit-learn), and the family of each predictor.

Kept apart from :mod:`vigilance.eyetracking.forecast` so that scoring and plotting need no
PyTorch. MAE, MSE and RMSE are in screen pixels, each the mean of its x and y values (RMSE:
the mean of the per-coordinate RMSEs, as scikit-learn's ``uniform_average``); R^2 likewise.
"""

from __future__ import annotations

import numpy as np

METRICS = ("mae", "mse", "rmse", "r2")
FAMILIES = {
    "LastPoint": "trivial",
    "TrainingMean": "trivial",
    "Ridge": "classical",
    "MLP": "deep",
    "LSTM": "deep",
}


def scores(true: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """MAE, MSE, RMSE and R^2 of (M, 2) predicted points against the true ones."""
    from sklearn import metrics

    return {
        "mae": metrics.mean_absolute_error(true, pred),
        "mse": metrics.mean_squared_error(true, pred),
        "rmse": metrics.root_mean_squared_error(true, pred),
        "r2": metrics.r2_score(true, pred),
    }
