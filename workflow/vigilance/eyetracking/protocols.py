"""Evaluation protocols named by the question they answer, and their cross-validation folds.

- ``recording``: every chunk of a recording in one fold. Tests generalisation to a new
  recording; the observer's other recordings and the image's other viewers stay in training.
- ``leave_observer_out``: every chunk of an observer in one fold. Tests generalisation to
  people never seen (the claim "it works for a new person"); meaningless for the observer task,
  whose test classes would never be trained on.
- ``leave_image_out``: every chunk of an image in one fold. Tests generalisation to stimuli
  never seen (identifying a person on a new image); meaningless for the image task.
- ``leaky``: chunks assigned to folds at random, as the ETRA 2021 tutorial's
  ``train_test_split`` over chunks: chunks of one recording, and overlapping samples, sit on
  both sides. It tests nothing clean and is kept as the document's protocol, for contrast.

Grouped protocols use ``min(folds, number of groups)`` folds (four images give four
leave-one-image-out folds), stratified by class as far as the groups allow; a regression task
(no classes) uses plain grouped folds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vigilance.core.errors import VigilanceError
from vigilance.evaluation.folds import check_disjoint_groups, make_folds


@dataclass(frozen=True)
class Protocol:
    """A protocol: the label whose values never cross a split, and what it tests."""

    group: str | None
    tests: str


PROTOCOLS = {
    "recording": Protocol(
        "recording",
        "new recordings: no recording in training and test, but an observer's other images "
        "and an image's other observers stay in training",
    ),
    "leave_observer_out": Protocol(
        "observer", "new people: no observer in training and test (only for the image task)"
    ),
    "leave_image_out": Protocol(
        "image", "new stimuli: no image in training and test (only for the observer task)"
    ),
    "leaky": Protocol(
        None,
        "nothing clean: chunks split at random, so chunks of one recording sit on both sides "
        "(the tutorial's split, a contrast)",
    ),
}


def check_protocol(task: str, protocol: str, field: str = "eyetracking.tasks") -> None:
    """Raise for an unknown protocol, or one that holds out the very label a task predicts.

    Args:
        task: ``image``, ``observer`` or ``regression``.
        protocol: A key of :data:`PROTOCOLS`.
        field: The config key, for the message.
    """
    if protocol not in PROTOCOLS:
        raise VigilanceError(
            "unknown protocol",
            field=f"{field}.{task}.protocols",
            value=protocol,
            expected=f"one of {list(PROTOCOLS)}",
        )
    if PROTOCOLS[protocol].group == task:
        raise VigilanceError(
            "this protocol holds out every class of the task: no test class is ever trained on",
            field=f"{field}.{task}.protocols",
            value=protocol,
            expected=f"a protocol that does not hold out the {task} "
            f"({', '.join(p for p, v in PROTOCOLS.items() if v.group != task)})",
        )


def fold_count(protocol: str, groups: dict[str, np.ndarray], n_folds: int) -> int:
    """Folds a protocol uses: ``n_folds``, or the number of groups when there are fewer."""
    group = PROTOCOLS[protocol].group
    return n_folds if group is None else min(n_folds, len(np.unique(groups[group])))


def protocol_folds(
    protocol: str,
    y: np.ndarray | None,
    groups: dict[str, np.ndarray],
    n_folds: int,
    seed: int,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Train and test indices of every fold of a protocol.

    Args:
        protocol: A key of :data:`PROTOCOLS`.
        y: (N,) class labels (stratification), or None for a regression task.
        groups: ``recording``, ``observer`` and ``image`` arrays, (N,) each.
        n_folds: The configured number of folds (``eyetracking.folds``).
        seed: Shuffles the assignment of groups (or items) to folds.

    Returns:
        (train, test) index pairs; every item is tested exactly once, and in a grouped protocol
        no group is on both sides of a fold.
    """
    from sklearn.model_selection import GroupKFold, KFold

    n = len(groups["recording"])
    k = fold_count(protocol, groups, n_folds)
    group = PROTOCOLS[protocol].group
    if y is None:
        if group is None:
            splitter = KFold(n_splits=k, shuffle=True, random_state=seed)
            return list(splitter.split(np.zeros(n)))
        if k < 2:
            raise VigilanceError(
                "one group only", field=f"protocol {protocol}", value=k, expected=">= 2 groups"
            )
        splitter = GroupKFold(n_splits=k, shuffle=True, random_state=seed)
        folds = list(splitter.split(np.zeros(n), groups=groups[group]))
    else:
        scheme = "leaky" if group is None else "grouped"
        folds = make_folds(scheme, y, groups[group or "recording"], k, seed)
    if group is not None:
        check_disjoint_groups(folds, groups[group])
    return folds
