"""Cross-validation folds: grouped (no recording on both sides) and the leaky contrast.

``grouped``: k-fold cross-validation in which every window of one recording (group) lands in
the same fold, stratified by class as far as the groups allow (scikit-learn's
``StratifiedGroupKFold``). ``leaky``: the same number of folds drawn over windows at random,
ignoring recordings, as the ETRA 2021 tutorial's ``train_test_split`` over chunks did; windows
cut from one recording then sit in training and test, and overlapping windows share samples,
so the scores are inflated. The leaky scheme exists only as a contrast.
"""

from __future__ import annotations

import numpy as np

from vigilance.core.errors import VigilanceError

SCHEMES = ("grouped", "leaky")


def make_folds(
    scheme: str,
    y: np.ndarray,
    groups: np.ndarray,
    n_folds: int,
    seed: int,
    field: str = "eyetracking.folds",
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Train and test indices of every fold.

    Args:
        scheme: ``grouped`` or ``leaky``.
        y: (N,) class labels (for stratification).
        groups: (N,) group (recording) of every window.
        n_folds: Number of folds.
        seed: Shuffles the assignment of groups (or windows) to folds.
        field: The config key of ``n_folds``, for the error message.

    Returns:
        ``n_folds`` pairs of (train, test) index arrays; every window is tested exactly once.

    Raises:
        VigilanceError: For an unknown scheme, too few groups, or (a bug guard) a grouped fold
            sharing a recording between train and test.
    """
    from sklearn.model_selection import KFold, StratifiedGroupKFold, StratifiedKFold

    y, groups = np.asarray(y), np.asarray(groups)
    if scheme == "grouped":
        n_groups = len(np.unique(groups))
        if n_groups < n_folds:
            raise VigilanceError(
                "fewer groups (recordings or drivers) than folds",
                field=field,
                value=n_folds,
                expected=f"<= {n_groups} (the number of groups)",
            )
        splitter = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
        folds = list(splitter.split(np.zeros(len(y)), y, groups))
        check_disjoint_groups(folds, groups)
        return folds
    if scheme == "leaky":
        smallest = np.bincount(np.unique(y, return_inverse=True)[1]).min()
        if smallest >= n_folds:
            splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
        else:
            splitter = KFold(n_splits=n_folds, shuffle=True, random_state=seed)
        return list(splitter.split(np.zeros(len(y)), y))
    raise VigilanceError("unknown scheme", field="scheme", value=scheme, expected=f"{SCHEMES}")


def check_disjoint_groups(folds: list[tuple[np.ndarray, np.ndarray]], groups: np.ndarray) -> None:
    """Raise when any fold has a group in both its training and its test indices."""
    groups = np.asarray(groups)
    for number, (train, test) in enumerate(folds):
        shared = np.intersect1d(groups[train], groups[test])
        if len(shared):
            raise VigilanceError(
                "a recording is in both training and test",
                field=f"fold {number}",
                value=[str(g) for g in shared[:5]],
                expected="no shared recording",
            )
