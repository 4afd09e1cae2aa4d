"""Classification measures from a confusion matrix, as the ETRA 2021 tutorial teaches them.

Accuracy, per-class precision, recall and F1 with support, their macro and weighted averages,
and Cohen's kappa (Cohen, "A coefficient of agreement for nominal scales", Educational and
Psychological Measurement 20(1), 1960): agreement beyond what the marginal class frequencies
give by chance. All are computed from the confusion matrix (rows: true class, columns:
predicted class), so a fold's measures and the measures of pooled folds come from one code path.

Where a class has no true sample in a test set (an observer whose recordings all sit in other
folds), its recall is undefined: the macro average runs over the classes present in the test
set, and the weighted average gives such a class weight 0. A class that is never predicted has
precision 0 (as scikit-learn's ``zero_division=0``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCALARS = (
    "accuracy",
    "kappa",
    "macro_precision",
    "macro_recall",
    "macro_f1",
    "weighted_precision",
    "weighted_recall",
    "weighted_f1",
)


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts of (true, predicted) pairs.

    Args:
        y_true: (N,) integer labels 0..K-1.
        y_pred: (N,) integer predictions 0..K-1.
        n_classes: K.

    Returns:
        (K, K) int64 matrix; entry [i, j] counts samples of class i predicted as j.
    """
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    flat = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


def accuracy(cm: np.ndarray) -> float:
    """Share of samples on the diagonal."""
    cm = np.asarray(cm, dtype=np.float64)
    return float(np.trace(cm) / cm.sum())


def cohen_kappa(cm: np.ndarray) -> float:
    """Cohen's kappa: (p_o - p_e) / (1 - p_e), p_e from the row and column marginals."""
    cm = np.asarray(cm, dtype=np.float64)
    total = cm.sum()
    observed = np.trace(cm) / total
    chance = float((cm.sum(axis=0) * cm.sum(axis=1)).sum() / total**2)
    if chance == 1.0:  # one class only, predicted perfectly: agreement is not beyond chance
        return 0.0
    return float((observed - chance) / (1.0 - chance))


def per_class(cm: np.ndarray, classes: list[str] | None = None) -> pd.DataFrame:
    """Precision, recall, F1 and support of every class.

    Args:
        cm: (K, K) confusion matrix.
        classes: K class names (default 0..K-1).

    Returns:
        A table indexed by class (``class``) with columns precision, recall, f1, support;
        recall and F1 are NaN for a class without support.
    """
    cm = np.asarray(cm, dtype=np.float64)
    tp = np.diag(cm)
    predicted, support = cm.sum(axis=0), cm.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, support, out=np.full_like(tp, np.nan), where=support > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros_like(tp), where=both > 0)
    f1[support == 0] = np.nan
    index = pd.Index(classes if classes is not None else range(len(cm)), name="class")
    return pd.DataFrame(
        {"precision": precision, "recall": recall, "f1": f1, "support": support.astype(int)},
        index=index,
    )


def summary(cm: np.ndarray) -> dict[str, float]:
    """Every scalar measure of :data:`SCALARS` for one confusion matrix."""
    table = per_class(cm)
    present = table[table["support"] > 0]
    weights = present["support"] / present["support"].sum()
    result = {"accuracy": accuracy(cm), "kappa": cohen_kappa(cm)}
    for measure in ("precision", "recall", "f1"):
        result[f"macro_{measure}"] = float(present[measure].mean())
        result[f"weighted_{measure}"] = float((present[measure] * weights).sum())
    return {name: result[name] for name in SCALARS}
