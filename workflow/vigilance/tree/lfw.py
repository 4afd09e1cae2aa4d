"""Face verification accuracy by the LFW protocol: 10 folds, threshold fitted on 9, tested on 1.

Huang, Mattar, Berg and Learned-Miller (2008), "Labeled Faces in the Wild: A database for
studying face recognition in unconstrained environments" (the 'unrestricted' view 2 protocol),
as document 003 uses it: a pair is declared 'same person' when the cosine similarity of its two
embeddings exceeds a threshold; the threshold that maximises accuracy on nine folds is applied
to the tenth, and the ten accuracies are averaged. NumPy only (no torch).

The protocol files, as LFW distributes them (whitespace-separated):

- ``pairs.txt`` (view 2): a header ``folds per_fold`` (``10 300``), then for each fold
  ``per_fold`` matched pairs ``name i j`` followed by ``per_fold`` mismatched pairs
  ``name1 i name2 j`` (2 x per_fold lines per fold);
- ``pairsDevTrain.txt`` / ``pairsDevTest.txt`` (view 1): a header ``n`` (1100 / 500), then
  ``n`` matched and ``n`` mismatched pairs. The threshold is fitted on DevTrain and tested on
  DevTest (one test fold).
"""

from __future__ import annotations

import numpy as np

from vigilance.core.errors import VigilanceError


def _pair(parts: list[str], same: bool, path, line: int):
    try:
        if same and len(parts) == 3:
            return parts[0], int(parts[1]), parts[0], int(parts[2])
        if not same and len(parts) == 4:
            return parts[0], int(parts[1]), parts[2], int(parts[3])
    except ValueError:
        pass
    raise VigilanceError(
        "malformed pair",
        file=path,
        field=f"line {line}",
        value=" ".join(parts),
        expected="a matched pair 'name i j'" if same else "a mismatched pair 'name1 i name2 j'",
    )


def parse_pairs(path) -> list[tuple[str, int, str, int, bool, int]]:
    """(name1, i, name2, j, same, fold) of every pair of an LFW protocol file (either view).

    A one-number header (view 1) gives one fold (0); ``folds per_fold`` (view 2) gives folds
    0 .. folds - 1, each per_fold matched then per_fold mismatched pairs.
    """
    from pathlib import Path

    try:
        lines = [line.split() for line in Path(path).read_text().splitlines() if line.strip()]
        header = [int(v) for v in lines[0]]
        if len(header) not in (1, 2) or min(header) < 1:
            raise ValueError
    except (OSError, ValueError, IndexError):
        raise VigilanceError(
            "cannot read the header",
            file=path,
            field="line 1",
            expected="'folds per_fold' (pairs.txt) or 'n' (pairsDevTrain.txt, pairsDevTest.txt)",
        ) from None
    folds, per_fold = (1, header[0]) if len(header) == 1 else header
    if len(lines) - 1 != 2 * folds * per_fold:
        raise VigilanceError(
            "wrong number of pairs",
            file=path,
            value=len(lines) - 1,
            expected=f"{2 * folds * per_fold}: {folds} fold(s) x ({per_fold} matched + "
            f"{per_fold} mismatched) from the header",
        )
    rows = []
    for n, parts in enumerate(lines[1:]):
        fold, within = divmod(n, 2 * per_fold)
        same = within < per_fold
        rows.append((*_pair(parts, same, path, n + 2), same, fold))
    return rows


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


def verification_accuracy(scores, same, folds, tested=None) -> dict:
    """LFW-protocol accuracy of similarity ``scores`` (P,) for pairs ``same`` (P,) in ``folds``.

    Args:
        scores: similarity of each pair (higher = more alike).
        same: True where the pair shows one person.
        folds: fold index of each pair (10 folds in LFW).
        tested: the folds that are tested (each with the threshold of all other pairs); None
            tests every fold. View 1: the DevTest fold only, fitted on DevTrain.

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
    for fold in names if tested is None else np.asarray(tested):
        test = folds == fold
        t = best_threshold(scores[~test], same[~test])
        thresholds.append(t)
        accuracies.append(float(np.mean((scores[test] > t) == same[test])))
    return {
        "accuracy": float(np.mean(accuracies)),
        "fold_accuracy": accuracies,
        "thresholds": thresholds,
    }
