"""Per-task scores of the multi-task part, as the thesis' per-epoch evaluation (Wiedekopf 2020).

Accuracy, F1 micro (equal to accuracy for single-label tasks), macro and weighted, and F1 per
class (``f1_class<k>``), from :mod:`vigilance.evaluation.measures`. The macro average runs over
**all K classes of the task's label set** (the thesis' evaluation), not only over the classes
that occur: OPPORTUNITY Locomotion's class 3 never occurs and scores F1 0 in every epoch
(``zero_division=0``), as in the thesis' tables.
"""

from __future__ import annotations

import numpy as np

from vigilance.evaluation.measures import per_class


def scores(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> dict[str, float]:
    """Accuracy, F1 micro / macro / weighted and F1 per class of one task's predictions.

    Args:
        y_true: (N,) true class ids 0..K-1; y_pred: (N,) predicted class ids.
        n_classes: K, the size of the task's label set.
    """
    table = per_class(y_true, y_pred, n_classes)
    f1, support = table["f1"].to_numpy(), table["support"].to_numpy()
    accuracy = float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))
    out = {
        "accuracy": accuracy,
        "f1_micro": accuracy,  # single-label: micro F1 equals accuracy
        "f1_macro": float(f1.mean()),  # over all K classes: sklearn's macro with labels=0..K-1
        "f1_weighted": float((f1 * support).sum() / support.sum()),
    }
    out.update({f"f1_class{k}": float(v) for k, v in enumerate(f1)})
    return out
