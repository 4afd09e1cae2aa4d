"""Trivial classifiers, the floor every comparison table shows: majority class, stratified random.

scikit-learn's ``DummyClassifier``: ``most_frequent`` always predicts the training fold's most
frequent class (kappa 0 by construction); ``stratified`` draws each prediction at random with
the training fold's class frequencies (kappa about 0, accuracy about the sum of squared class
shares). They see only the training labels, scored on exactly the test items of every model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TRIVIAL = {"majority class": "most_frequent", "stratified random": "stratified"}


def cross_validate_trivial(
    y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]], seed: int
) -> pd.DataFrame:
    """Fit every trivial classifier on each fold's training labels and predict its test part.

    Args:
        y: (N,) integer labels.
        folds: (train, test) index pairs.
        seed: Seeds the stratified draws (fold k uses ``seed * 1000 + k``).

    Returns:
        Long table, one row per (model, test item): model, fold, index, true, pred.
    """
    from sklearn.dummy import DummyClassifier

    y = np.asarray(y)
    rows = []
    for name, strategy in TRIVIAL.items():
        for number, (train, test) in enumerate(folds):
            model = DummyClassifier(strategy=strategy, random_state=seed * 1000 + number)
            model.fit(np.zeros((len(train), 1)), y[train])
            pred = model.predict(np.zeros((len(test), 1)))
            rows.append(
                pd.DataFrame(
                    {"model": name, "fold": number, "index": test, "true": y[test], "pred": pred}
                )
            )
    return pd.concat(rows, ignore_index=True)
