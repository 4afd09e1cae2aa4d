"""Classical baselines for any windowed classification task: a registry and cross-validation.

The six classifiers the ETRA 2021 tutorial runs before any neural network (kNN, LDA, Gaussian
naive Bayes, decision tree, random forest, SVM), each behind a standard scaler fitted on the
training fold only. Nothing here knows about eye tracking: :func:`cross_validate` takes any
(windows or features, labels, groups) arrays, so the blink, OPPORTUNITY and DEAP parts can add
the same rows to their tables, on the flattened window or on :func:`window_statistics`.

References: Cover & Hart, "Nearest neighbor pattern classification", IEEE Trans. Inf. Theory
13(1), 1967; Fisher, "The use of multiple measurements in taxonomic problems", Annals of
Eugenics 7(2), 1936; Breiman et al., "Classification and Regression Trees", 1984; Breiman,
"Random forests", Machine Learning 45(1), 2001; Cortes & Vapnik, "Support-vector networks",
Machine Learning 20(3), 1995.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vigilance.core.errors import VigilanceError


@dataclass(frozen=True)
class ClassicalSettings:
    """Hyper-parameters of the classical models (the tutorial's scikit-learn defaults)."""

    knn_neighbors: int = 5
    forest_trees: int = 100
    svm_c: float = 1.0
    n_jobs: int = 1  # threads of kNN and the random forest


def _knn(s: ClassicalSettings, seed: int):
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier(n_neighbors=s.knn_neighbors, n_jobs=s.n_jobs)


def _lda(s: ClassicalSettings, seed: int):
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    return LinearDiscriminantAnalysis()


def _nb(s: ClassicalSettings, seed: int):
    from sklearn.naive_bayes import GaussianNB

    return GaussianNB()


def _tree(s: ClassicalSettings, seed: int):
    from sklearn.tree import DecisionTreeClassifier

    return DecisionTreeClassifier(random_state=seed)


def _forest(s: ClassicalSettings, seed: int):
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=s.forest_trees, random_state=seed, n_jobs=s.n_jobs)


def _svm(s: ClassicalSettings, seed: int):
    from sklearn.svm import SVC

    return SVC(C=s.svm_c, kernel="rbf", random_state=seed)


# Registry: scikit-learn class name -> factory(settings, seed).
CLASSICAL: dict[str, Callable] = {
    "KNeighborsClassifier": _knn,
    "LinearDiscriminantAnalysis": _lda,
    "GaussianNB": _nb,
    "DecisionTreeClassifier": _tree,
    "RandomForestClassifier": _forest,
    "SVC": _svm,
}
LABELS = {
    "KNeighborsClassifier": "kNN",
    "LinearDiscriminantAnalysis": "LDA",
    "GaussianNB": "Gaussian NB",
    "DecisionTreeClassifier": "Decision tree",
    "RandomForestClassifier": "Random forest",
    "SVC": "SVM (RBF)",
}


def build(name: str, settings: ClassicalSettings, seed: int):
    """A fresh pipeline (standard scaler, then the model) of a registered classifier."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if name not in CLASSICAL:
        raise VigilanceError(
            "unknown classical model",
            field="model",
            value=name,
            expected=f"one of {list(CLASSICAL)}",
        )
    return make_pipeline(StandardScaler(), CLASSICAL[name](settings, seed))


def flatten(windows: np.ndarray) -> np.ndarray:
    """(N, L, C) windows -> (N, L*C) vectors, as the tutorial flattened chunks for its tree."""
    windows = np.asarray(windows)
    return windows.reshape(len(windows), -1)


def window_statistics(windows: np.ndarray) -> np.ndarray:
    """Generic per-channel statistics of windows, for tasks without hand-made features.

    Args:
        windows: (N, L, C).

    Returns:
        (N, 6*C): mean, standard deviation, minimum, maximum, median and the standard
        deviation of the first difference, for each channel (channel-major order).
    """
    w = np.asarray(windows, dtype=np.float64)
    stats = [
        w.mean(axis=1),
        w.std(axis=1),
        w.min(axis=1),
        w.max(axis=1),
        np.median(w, axis=1),
        np.diff(w, axis=1).std(axis=1),
    ]
    return np.stack(stats, axis=2).reshape(len(w), -1)


def cross_validate(
    x: np.ndarray,
    y: np.ndarray,
    folds: list[tuple[np.ndarray, np.ndarray]],
    models: list[str],
    settings: ClassicalSettings,
    seed: int,
    log=None,
) -> pd.DataFrame:
    """Fit every model on every fold's training part and predict its test part.

    Args:
        x: (N, F) inputs (flattened windows or features).
        y: (N,) integer labels.
        folds: (train, test) index pairs, e.g. from :func:`vigilance.folds.make_folds`.
        models: Registry names.
        settings: Hyper-parameters.
        seed: Seed of the randomised models.
        log: Optional logger.

    Returns:
        Long table, one row per (model, test window): model, fold, index, true, pred, fit_s.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y)
    rows = []
    for name in models:
        for number, (train, test) in enumerate(folds):
            model = build(name, settings, seed)
            start = time.perf_counter()
            model.fit(x[train], y[train])
            fit_s = time.perf_counter() - start
            pred = model.predict(x[test])
            rows.append(
                pd.DataFrame(
                    {
                        "model": name,
                        "fold": number,
                        "index": test,
                        "true": y[test],
                        "pred": pred,
                        "fit_s": fit_s,
                    }
                )
            )
        if log is not None:
            last = rows[-len(folds) :]
            acc = np.mean([(r["true"] == r["pred"]).mean() for r in last])
            log.info("%s: mean fold accuracy %.3f", name, acc)
    return pd.concat(rows, ignore_index=True)
