"""The trivial and classical rows of Tables 4.1 / 4.2, on the very windows the networks see.

For every seed's split (:func:`vigilance.mtl.data.split`, the same call the training jobs make)
and every main task: the trivial row predicts the training windows' majority class; the
classical row is linear discriminant analysis with Ledoit-Wolf shrinkage (scikit-learn,
standardised inputs; Fisher 1936, Ledoit & Wolf 2004: closed form, seconds where a logistic
regression on these 642 features takes minutes) on per-channel window statistics
(:func:`vigilance.evaluation.classical.window_statistics`), fitted on the training windows.
Seeds with the same split (OPPORTUNITY's fixed runs) reuse one fit. Both are scored on the
test windows with the networks' measures (:mod:`vigilance.mtl.metrics`), so a reader sees
where chance and a cheap ceiling lie.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vigilance.mtl.data import split
from vigilance.mtl.metrics import scores

TRIVIAL = "trivial (training majority)"
CLASSICAL = "classical (shrinkage LDA, window statistics)"


@dataclass(frozen=True)
class BaselineSettings:
    """What the baselines job reads (config ``mtl.<data set>``)."""

    dataset: str
    main_tasks: tuple[str, ...]
    seeds: tuple[int, ...]
    split: dict  # the keys data.split reads for this data set


def fit_baselines(data: dict, settings: BaselineSettings) -> pd.DataFrame:
    """Scores of both baselines per seed and main task.

    Returns:
        Long table: method, seed, task, metric, value (the test split's scores).
    """
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from vigilance.evaluation.classical import window_statistics

    features = window_statistics(data["x"])
    tasks = data["tasks"].tolist()
    rows, fitted = [], {}
    for seed in settings.seeds:
        sides = split(settings.dataset, data, settings.split, seed)
        train, test = sides == 0, sides == 2
        for task in settings.main_tasks:
            k = tasks.index(task)
            y, n_classes = data["y"][:, k], int(data["classes"][k])
            key = (task, sides.tobytes())
            if key not in fitted:
                majority = np.bincount(y[train], minlength=n_classes).argmax()
                model = make_pipeline(
                    StandardScaler(), LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto")
                ).fit(features[train], y[train])
                fitted[key] = np.full(int(test.sum()), majority), model.predict(features[test])
            for method, pred in zip((TRIVIAL, CLASSICAL), fitted[key], strict=True):
                values = scores(y[test], pred, n_classes)
                rows += [
                    {"method": method, "seed": seed, "task": task, "metric": m, "value": v}
                    for m, v in values.items()
                    if not m.startswith("f1_class")
                ]
    return pd.DataFrame(rows, columns=["method", "seed", "task", "metric", "value"])
