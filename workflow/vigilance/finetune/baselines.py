"""The trivial and classical rows of the fine-tuning tables, on the fine-tuning's test windows.

Every fine-tuning comparison carries two reference rows (``shared/design/evidence.md``),
scored on exactly the windows the fine-tuned models are scored on (the same test drivers, the
same ``test_stride``) with the same measures (:func:`vigilance.finetune.measures.kss_measures`):

- ``trivial``: the training-mean predictor, the mean KSS of the run's labelled training
  windows (the same share of training drivers), predicted for every test window;
- ``classical``: scikit-learn regressors on each window's statistics (mean, SD, min, max,
  median, SD of the first difference of every feature, over its real rows:
  :func:`vigilance.blink.baselines.real_row_statistics`), each fitted on every
  ``train_stride``-th training window (neighbours overlap by all but one blink), the one with
  the best validation KPI (quadratic-weighted kappa on 4 levels, every ``val_stride``-th window
  as the models' validation) scored on the test windows: chosen as the deep models' epochs
  are, never on the test set.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from vigilance.blink.baselines import real_row_statistics
from vigilance.core.errors import VigilanceError
from vigilance.finetune.measures import kss_measures


def _ridge(seed: int, trees: int):
    from sklearn.linear_model import Ridge

    return Ridge(alpha=1.0)


def _forest(seed: int, trees: int):
    from sklearn.ensemble import RandomForestRegressor

    return RandomForestRegressor(n_estimators=trees, min_samples_leaf=5, random_state=seed)


def _boosting(seed: int, trees: int):
    from sklearn.ensemble import HistGradientBoostingRegressor

    # No early stopping: its validation split is the only randomness, so the fit is a function
    # of the data and the same for every seed.
    return HistGradientBoostingRegressor(max_iter=trees, early_stopping=False, random_state=seed)


# Registry: scikit-learn class name -> factory(seed, trees). Only RANDOMISED ones depend on the
# seed; the rows of the others are fitted once and shared by every seed.
REGRESSORS: dict[str, Callable] = {
    "Ridge": _ridge,
    "RandomForestRegressor": _forest,
    "HistGradientBoostingRegressor": _boosting,
}
RANDOMISED = {"RandomForestRegressor"}


def regressor(name: str, seed: int, trees: int):
    """A standard scaler, then the registered regressor."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if name not in REGRESSORS:
        raise VigilanceError(
            "unknown classical regressor",
            field="finetune.baselines.models",
            value=name,
            expected=f"one of {list(REGRESSORS)}",
        )
    return make_pipeline(StandardScaler(), REGRESSORS[name](seed, trees))


def window_table(data, stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(statistics (W, 6 N), KSS (W,)) of every ``stride``-th used window of ``data``."""
    index = data.index[::stride]
    x, mask, y = data.windows.gather(index)
    return real_row_statistics(x.cpu().numpy(), mask.cpu().numpy()), y.cpu().numpy()


def score_baselines(
    data: dict, models: list[str], seed: int, trees: int, train_stride: int, **measure_args
) -> list[dict]:
    """The trivial and the best classical row on ``data["test"]``.

    Args:
        data: ``train``, ``val``, ``test`` labelled windows of one run
            (:func:`vigilance.finetune.data.load_finetune_data`).
        models: Regressor names (:data:`REGRESSORS`).
        seed: The seed of the randomised regressors (the run's seed).
        trees: Trees (or boosting iterations) of the ensembles.
        train_stride: Every how many training windows one is fitted on.
        measure_args: ``bins`` and ``warning_threshold`` of :func:`kss_measures`.

    Returns:
        Two dicts: ``init`` (trivial, classical), ``model``, ``epoch`` (NaN), ``mse`` and every
        measure; the classical row also has ``val_kappa_4`` of the chosen model.
    """
    x_train, y_train = window_table(data["train"], train_stride)
    x_val, y_val = window_table(data["val"])
    x_test, y_test = window_table(data["test"])

    def scores(prediction: np.ndarray) -> dict:
        mse = float(((prediction - y_test) ** 2).mean())
        return {"mse": mse, **kss_measures(y_test, prediction, **measure_args)}

    mean = float(data["train"].windows.labels[data["train"].index].mean())
    trivial = {"init": "trivial", "model": "training mean", "epoch": math.nan}
    rows = [trivial | scores(np.full(len(y_test), mean))]
    best, best_kpi = None, -math.inf
    for name in models:
        fitted = regressor(name, seed, trees).fit(x_train, y_train)
        kpi = kss_measures(y_val, fitted.predict(x_val), **measure_args)["kappa_4"]
        if best is None or (math.isfinite(kpi) and kpi > best_kpi):
            best, best_kpi, best_name = fitted, kpi, name
    classical = {"init": "classical", "model": best_name, "epoch": math.nan}
    rows.append(classical | scores(best.predict(x_test)) | {"val_kappa_4": best_kpi})
    return rows
