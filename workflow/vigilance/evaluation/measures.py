"""The measures of every part, on scikit-learn, as the ETRA 2021 tutorial (document 002) teaches.

Classification: accuracy, per-class precision, recall and F1 with support, their macro and
weighted averages, Cohen's kappa (Cohen, "A coefficient of agreement for nominal scales",
Educational and Psychological Measurement 20(1), 1960), unweighted or with linear or quadratic
weights (Cohen, "Weighted kappa", Psychological Bulletin 70(4), 1968), and the confusion matrix
(rows: true class, columns: predicted class). Regression: MAE, MSE, RMSE and R^2.

Conventions, the same for every part:

- Every classification measure takes the **explicit label set** of its task (the K class ids,
  or K for ``0..K-1``), never the labels that happen to occur: a test set in which a class never
  occurs is still scored as a K-class problem. A label outside the set is an error.
- A ratio with a zero denominator is 0 (scikit-learn's ``zero_division=0``): a class that is
  never predicted has precision 0, a class without true samples has recall 0, and F1 is 0 where
  precision and recall are both 0.
- ``macro_over="labels"`` (the default; the thesis' multi-task evaluation): the macro average
  runs over all K classes of the label set. ``macro_over="support"``: over the classes of the
  set with at least one true sample in ``y_true``; for grouped cross-validation folds, where a
  class can sit wholly in the other folds by construction (an observer whose recordings all
  fall elsewhere), so that the fold assignment is not scored as the model's error. The weighted
  average weighs by support, so the two agree on it.
- Kappa is NaN where it is undefined (one class only in truth and prediction: chance agreement
  is total), and R^2 is NaN for a constant truth; neither can then pass for a score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from vigilance.core.errors import VigilanceError

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
REGRESSION = ("mae", "mse", "rmse", "r2")
KAPPA_WEIGHTS = (None, "linear", "quadratic")
MACRO_OVER = ("labels", "support")


def label_set(labels: int | Sequence) -> list:
    """The explicit label set: ``labels`` itself, or ``0..K-1`` when given the count K."""
    if isinstance(labels, int | np.integer):
        return list(range(int(labels)))
    return list(labels)


def _labelled(y_true, y_pred, labels) -> tuple[np.ndarray, np.ndarray, list]:
    y_true, y_pred, labels = np.asarray(y_true), np.asarray(y_pred), label_set(labels)
    if y_true.shape != y_pred.shape or y_true.ndim != 1 or not len(y_true):
        raise VigilanceError(
            "mismatched labels",
            field="y_true, y_pred",
            value=f"shapes {y_true.shape} and {y_pred.shape}",
            expected="two equal, non-empty 1-D arrays",
        )
    if not labels:
        raise VigilanceError(
            "empty label set", field="labels", value=labels, expected="at least one label"
        )
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        unknown = sorted(set(np.unique(values).tolist()) - set(labels), key=str)
        if unknown:
            raise VigilanceError(
                "label outside the label set",
                field=name,
                value=unknown[0],
                expected=f"one of {labels}",
            )
    return y_true, y_pred, labels


def confusion_matrix(y_true, y_pred, labels: int | Sequence) -> np.ndarray:
    """Counts of (true, predicted) pairs.

    Args:
        y_true: (N,) true labels; y_pred: (N,) predicted labels, both in ``labels``.
        labels: The label set (K ids, in the order of the matrix) or K.

    Returns:
        (K, K) int64 matrix; entry [i, j] counts samples of class i predicted as j.
    """
    from sklearn.metrics import confusion_matrix as sk_confusion

    y_true, y_pred, labels = _labelled(y_true, y_pred, labels)
    return sk_confusion(y_true, y_pred, labels=labels).astype(np.int64)


def accuracy(y_true, y_pred) -> float:
    """Share of samples predicted right."""
    from sklearn.metrics import accuracy_score

    return float(accuracy_score(y_true, y_pred))


def kappa(y_true, y_pred, labels: int | Sequence, weights: str | None = None) -> float:
    """Cohen's kappa, unweighted or with ``linear`` / ``quadratic`` weights (labels ordered).

    Returns:
        The kappa, NaN where it is undefined (one class only).
    """
    from sklearn.metrics import cohen_kappa_score

    if weights not in KAPPA_WEIGHTS:
        raise VigilanceError(
            "unknown kappa weights",
            field="weights",
            value=weights,
            expected="None, 'linear' or 'quadratic'",
        )
    y_true, y_pred, labels = _labelled(y_true, y_pred, labels)
    if len(set(y_true.tolist()) | set(y_pred.tolist())) < 2:
        return math.nan  # sklearn says NaN too, with a warning; say it quietly
    value = cohen_kappa_score(y_true, y_pred, labels=labels, weights=weights)
    return float(value)


def _per_class_arrays(y_true, y_pred, labels: list) -> tuple[np.ndarray, ...]:
    """(precision, recall, F1, support), each (K,), of already checked labels: one sklearn call."""
    from sklearn.metrics import precision_recall_fscore_support

    return precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=None, zero_division=0
    )


def per_class(y_true, y_pred, labels: int | Sequence, names: Sequence | None = None):
    """Precision, recall, F1 and support of every class of the label set (``zero_division=0``).

    Args:
        y_true, y_pred: (N,) labels in ``labels``.
        labels: The label set or K.
        names: K class names for the index (default: the labels).

    Returns:
        A table indexed by class (``class``) with columns precision, recall, f1, support.
    """
    y_true, y_pred, labels = _labelled(y_true, y_pred, labels)
    p, r, f, support = _per_class_arrays(y_true, y_pred, labels)
    index = pd.Index(list(names) if names is not None else labels, name="class")
    return pd.DataFrame(
        {"precision": p, "recall": r, "f1": f, "support": support.astype(int)}, index=index
    )


def _averages(y_true, labels: list, arrays, macro_over: str) -> dict[str, float]:
    """Macro and weighted precision, recall and F1 from the per-class arrays.

    The same arithmetic as scikit-learn's ``average="macro"`` (the unweighted mean over the
    chosen classes) and ``average="weighted"`` (weights = support; 0 without any support).
    """
    if macro_over not in MACRO_OVER:
        raise VigilanceError(
            "unknown macro average",
            field="macro_over",
            value=macro_over,
            expected="'labels' or 'support'",
        )
    *values, support = arrays
    if macro_over == "support":
        chosen = np.isin(labels, np.unique(y_true))
    else:
        chosen = np.ones(len(labels), dtype=bool)
    out = {}
    for name, value in zip(("precision", "recall", "f1"), values, strict=True):
        out[f"macro_{name}"] = float(value[chosen].mean())
        total = support.sum()
        out[f"weighted_{name}"] = float((value * support).sum() / total) if total else 0.0
    return out


def averaged(
    y_true, y_pred, labels: int | Sequence, average: str, macro_over: str = "labels"
) -> tuple[float, float, float]:
    """(precision, recall, F1) averaged ``macro`` or ``weighted`` over the label set."""
    if average not in ("macro", "weighted"):
        raise VigilanceError(
            "unknown average", field="average", value=average, expected="'macro' or 'weighted'"
        )
    y_true, y_pred, labels = _labelled(y_true, y_pred, labels)
    arrays = _per_class_arrays(y_true, y_pred, labels)
    result = _averages(y_true, labels, arrays, macro_over)
    return tuple(result[f"{average}_{name}"] for name in ("precision", "recall", "f1"))


def classification_scores(
    y_true, y_pred, labels: int | Sequence, macro_over: str = "labels"
) -> dict[str, float]:
    """Every measure of :data:`SCALARS` (kappa unweighted) for one set of predictions.

    Args:
        y_true, y_pred: (N,) labels in ``labels``.
        labels: The task's label set or K.
        macro_over: ``labels`` (all K classes) or ``support`` (see the module docstring).
    """
    y_true, y_pred, labels = _labelled(y_true, y_pred, labels)
    arrays = _per_class_arrays(y_true, y_pred, labels)
    result = {"accuracy": accuracy(y_true, y_pred), "kappa": kappa(y_true, y_pred, labels)}
    result.update(_averages(y_true, labels, arrays, macro_over))
    return {name: result[name] for name in SCALARS}


def regression_scores(y_true, y_pred) -> dict[str, float]:
    """MAE, MSE, RMSE and R^2 (NaN for a constant truth) of continuous predictions.

    Args:
        y_true: (N,) true values; y_pred: (N,) predictions.
    """
    from sklearn.metrics import (
        mean_absolute_error,
        mean_squared_error,
        r2_score,
        root_mean_squared_error,
    )

    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape or y_true.ndim != 1 or not len(y_true):
        raise VigilanceError(
            "mismatched values",
            field="y_true, y_pred",
            value=f"shapes {y_true.shape} and {y_pred.shape}",
            expected="two equal, non-empty 1-D arrays",
        )
    r2 = math.nan if np.all(y_true == y_true[0]) else float(r2_score(y_true, y_pred))
    return {
        "mae": float(mean_absolute_error(y_true, y_pred)),
        "mse": float(mean_squared_error(y_true, y_pred)),
        "rmse": float(root_mean_squared_error(y_true, y_pred)),
        "r2": r2,
    }


def roc_auc(y_true, score) -> float:
    """Area under the ROC curve of binary labels (0/1) and scores; NaN without both classes."""
    from sklearn.metrics import roc_auc_score

    y_true = np.asarray(y_true)
    if len(np.unique(y_true)) != 2:
        return math.nan
    return float(roc_auc_score(y_true, np.asarray(score, dtype=float)))
