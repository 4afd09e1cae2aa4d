"""Per-task scores from a confusion matrix, as the thesis' per-epoch evaluation.

Precision, recall and F1 per class; F1 averaged micro, macro (over the classes present in the
true or the predicted labels, as scikit-learn's default) and weighted (by support); accuracy.
A class with no prediction or no support has precision or recall 0 (``zero_division=0``).
"""

from __future__ import annotations

import numpy as np


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(K, K) counts: rows true class, columns predicted class."""
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)), 1)
    return cm


def scores(cm: np.ndarray) -> dict[str, float]:
    """Accuracy, F1 micro / macro / weighted and F1 per class (``f1_class<k>``) of a matrix."""
    tp = np.diag(cm).astype(float)
    predicted = cm.sum(axis=0).astype(float)
    support = cm.sum(axis=1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    present = (support > 0) | (predicted > 0)
    total = support.sum()
    accuracy = tp.sum() / total if total else float("nan")
    out = {
        "accuracy": float(accuracy),
        "f1_micro": float(accuracy),  # single-label: micro F1 equals accuracy
        "f1_macro": float(f1[present].mean()) if present.any() else float("nan"),
        "f1_weighted": float((f1 * support).sum() / total) if total else float("nan"),
    }
    out.update({f"f1_class{k}": float(v) for k, v in enumerate(f1)})
    return out
