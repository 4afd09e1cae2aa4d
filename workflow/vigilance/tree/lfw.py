"""Face verification accuracy by the LFW protocol: 10 folds, threshold fitted on 9, tested on 1.

Huang, Mattar, Berg and Learned-Miller (2008), "Labeled Faces in the Wild: A database for
studying face recognition in unconstrained environments" (the 'unrestricted' view 2 protocol),
as document 003 uses it: a pair is declared 'same person' when the cosine similarity of its two
embeddings exceeds a threshold; the threshold that maximises accuracy on nine folds is applied
to the tenth, and the ten accuracies are averaged. NumPy only (no torch).
"""

from __future__ import annotations

import numpy as np

from vigilance.core.errors import VigilanceError


def best_threshold(scores: np.ndarray, same: np.ndarray) -> float:
    """The threshold (score > t means same) with the highest accuracy on these pairs.

    Candidates are midpoints between consecutive distinct scores plus both ends; ties go to the
    smallest threshold.
    """
    values = np.unique(scores)
    candidates = np.concatenate(
        [[values[0] - 1.0], (values[:-1] + values[1:]) / 2, [values[-1] + 1.0]]
    )
    accuracy = [np.mean((scores > t) == same) for t in candidates]
    return float(candidates[int(np.argmax(accuracy))])


def verification_accuracy(scores, same, folds) -> dict:
    """LFW-protocol accuracy of similarity ``scores`` (P,) for pairs ``same`` (P,) in ``folds``.

    Args:
        scores: similarity of each pair (higher = more alike).
        same: True where the pair shows one person.
        folds: fold index of each pair (10 folds in LFW).

    Returns:
        {"accuracy": mean over folds, "fold_accuracy": list, "thresholds": list}.
    """
    scores = np.asarray(scores, dtype=float)
    same = np.asarray(same, dtype=bool)
    folds = np.asarray(folds)
    names = np.unique(folds)
    if len(names) < 2:
        raise VigilanceError(
            "verification needs pairs in at least 2 folds", field="fold", value=len(names)
        )
    if not np.isfinite(scores).all():
        raise VigilanceError("pair scores must be finite", field="score", expected="numbers")
    accuracies, thresholds = [], []
    for fold in names:
        test = folds == fold
        t = best_threshold(scores[~test], same[~test])
        thresholds.append(t)
        accuracies.append(float(np.mean((scores[test] > t) == same[test])))
    return {
        "accuracy": float(np.mean(accuracies)),
        "fold_accuracy": accuracies,
        "thresholds": thresholds,
    }
