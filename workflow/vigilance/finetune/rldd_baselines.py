"""The trivial and classical rows of the RLDD table, on the fine-tuning's own folds and windows.

Every comparison table carries a trivial and a classical row scored on exactly the items the
models are scored on (``shared/design/evidence.md``). For one RLDD test fold the views come
from :func:`vigilance.finetune.rldd.fold_views`, the split the fine-tuning runs use (test fold,
the next fold validating, the rest training), and every row is scored with
:func:`vigilance.finetune.rldd.rldd_measures` on all the test fold's windows:

- ``trivial``: the training folds' majority level (ties: the lower level), predicted as its
  score (0 / 5 / 10) for every test window;
- ``classical``: candidates fitted on the statistics of every training window over its real
  rows (mean, SD, min, max, median, SD of the first difference of each of the 4 features:
  :func:`vigilance.blink.baselines.real_row_statistics`): the blink baselines' classifiers
  (:data:`vigilance.evaluation.classical.CLASSICAL`) on the 3 levels, their prediction read as
  the level's score, and the fine-tuning baselines' regressors
  (:data:`vigilance.finetune.baselines.REGRESSORS`) on the 0..10 score, as the deep models
  regress it, each fitted on every training window (a few thousand: cheap). The one with the
  best validation KPI (quadratic-weighted kappa of the 3 levels, the deep models' epoch choice)
  is scored on the test fold: chosen on validation, never on test.
"""

from __future__ import annotations

import math

import numpy as np

from vigilance.blink.baselines import real_row_statistics
from vigilance.blink.rldd import RLDD_LABELS, rldd_level
from vigilance.core.errors import VigilanceError
from vigilance.evaluation.classical import ClassicalSettings, build
from vigilance.finetune.baselines import regressor
from vigilance.finetune.rldd import KPI, rldd_measures


def view_table(view) -> tuple[np.ndarray, np.ndarray]:
    """(statistics (W, 24), score (W,) 0 / 5 / 10) of every window of a fold view."""
    x, mask, y = view.gather(view.labelled())
    return real_row_statistics(x.cpu().numpy(), mask.cpu().numpy()), y.cpu().numpy()


def majority_score(score: np.ndarray) -> float:
    """The score (0, 5 or 10) of the most frequent level; the lower level on a tie."""
    counts = np.bincount(rldd_level(score).astype(int), minlength=len(RLDD_LABELS))
    return float(RLDD_LABELS[int(np.argmax(counts))])


def candidates(
    classifiers: list[str], regressors: list[str], forest_trees: int, trees: int, seed: int
) -> dict[str, tuple[str, object]]:
    """Name -> (family, unfitted pipeline) of every classical candidate.

    Raises:
        VigilanceError: No candidate at all (an unknown name: the registries' own error).
    """
    if not classifiers and not regressors:
        raise VigilanceError(
            "no classical candidate for the RLDD baselines",
            field="blink.baselines.models / finetune.baselines.models",
            value=[],
            expected="at least one classifier or regressor name",
        )
    settings = ClassicalSettings(forest_trees=forest_trees)
    models = {name: ("classifier", build(name, settings, seed)) for name in classifiers}
    models |= {name: ("regressor", regressor(name, seed, trees)) for name in regressors}
    return models


def score_fold(
    views: dict, classifiers: list[str], regressors: list[str], forest_trees: int, trees: int,
    seed: int,
) -> tuple[list[dict], list[dict]]:  # fmt: skip
    """The trivial and the chosen classical row on one fold's test view.

    Args:
        views: ``train``, ``val``, ``test`` fold views (:func:`vigilance.finetune.rldd.fold_views`).
        classifiers: :data:`vigilance.evaluation.classical.CLASSICAL` names (on the 3 levels).
        regressors: :data:`vigilance.finetune.baselines.REGRESSORS` names (on the score).
        forest_trees: Trees of the random-forest classifier.
        trees: Trees (boosting iterations) of the regressor ensembles.
        seed: The randomised models' seed (one per fold: the rows do not vary by seed).

    Raises:
        VigilanceError: A role without windows, or training windows of one level only.

    Returns:
        (test rows, validation rows). Test rows: ``init`` (trivial, classical), ``model``,
        ``test_windows``, ``val_kappa_3`` and every :func:`rldd_measures` measure. Validation
        rows: one per candidate, ``model``, ``family``, ``chosen`` and its validation measures.
    """
    tables = {}
    for role, view in views.items():
        tables[role] = view_table(view)
        levels = np.unique(rldd_level(tables[role][1])).tolist()
        if len(view) == 0 or (role == "train" and len(levels) < 2):
            raise VigilanceError(
                f"the {role} folds cannot fit or score a baseline",
                field=f"blink.rldd.folds ({role} levels)",
                value=levels,
                expected="windows in every role and at least 2 levels among the training ones",
            )
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = (
        tables[role] for role in ("train", "val", "test")
    )
    majority = majority_score(y_train)
    trivial = {
        "init": "trivial",
        "model": f"majority class (score {majority:g})",
        "test_windows": len(y_test),
    }
    constant = np.full(len(y_test), majority)
    rows = [trivial | {"val_kappa_3": math.nan} | rldd_measures(y_test, constant)]

    def predict(family: str, fitted, x: np.ndarray) -> np.ndarray:
        p = fitted.predict(x)
        return 5.0 * np.asarray(p, dtype=float) if family == "classifier" else p

    validation, best = [], None
    for name, (family, model) in candidates(
        classifiers, regressors, forest_trees, trees, seed
    ).items():
        target = rldd_level(y_train).astype(int) if family == "classifier" else y_train
        fitted = model.fit(x_train, target)
        scores = rldd_measures(y_val, predict(family, fitted, x_val))
        validation.append({"model": name, "family": family, **scores})
        kpi = scores[KPI]
        # The first listed wins a tie; an undefined kappa (one level only) loses to any.
        if best is None or (math.isfinite(kpi) and kpi > best[0]):
            best = (kpi if math.isfinite(kpi) else -math.inf, name, family, fitted)
    _, name, family, fitted = best
    for row in validation:
        row["chosen"] = row["model"] == name
    val_kpi = next(r[KPI] for r in validation if r["chosen"])
    classical = {"init": "classical", "model": name, "test_windows": len(y_test)}
    test = rldd_measures(y_test, predict(family, fitted, x_test))
    rows.append(classical | {"val_kappa_3": val_kpi} | test)
    return rows, validation
