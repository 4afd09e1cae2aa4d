"""From cross-validated predictions to measures per fold, comparison tables and confusion matrices.

Input: prediction tables in long form, one row per (model, seed, fold, test window) with the
columns ``true`` and ``pred`` (integer labels) plus the columns that identify a model (e.g.
scheme, family, model, inputs). Nothing here knows the data set, so every part of the workflow
can score its baselines the same way.

Scalar measures are computed per test fold and summarised by their mean and standard deviation
over folds (and seeds). Per-class measures and confusion matrices come from the pooled
out-of-fold predictions (every window is tested once per seed), because a single fold may hold
no window of some class (an observer whose recordings all sit in other folds); for the same
reason a fold's macro averages run over the classes with test windows in that fold
(``macro_over="support"`` of :mod:`vigilance.evaluation.measures`), while kappa and the
confusion matrices always use the full label set 0..K-1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vigilance.evaluation.measures import (
    SCALARS,
    classification_scores,
    confusion_matrix,
    per_class,
)


def fold_scores(predictions: pd.DataFrame, n_classes: int, keys: list[str]) -> pd.DataFrame:
    """Every scalar measure of every test fold.

    Args:
        predictions: Long table with ``keys``, ``seed``, ``fold``, ``true``, ``pred``.
        n_classes: K.
        keys: Columns that identify a model and an evaluation scheme.

    Returns:
        Long table: ``keys``, seed, fold, metric, value.
    """
    rows = []
    for ident, group in predictions.groupby([*keys, "seed", "fold"], sort=False):
        measured = classification_scores(
            group["true"], group["pred"], n_classes, macro_over="support"
        )
        for metric, value in measured.items():
            rows.append((*ident, metric, value))
    return pd.DataFrame(rows, columns=[*keys, "seed", "fold", "metric", "value"])


def summarise(scores: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Mean, standard deviation and count over folds (and seeds) of each metric.

    Returns:
        One row per (``keys``, metric): columns mean, sd, n.
    """
    grouped = scores.groupby([*keys, "metric"], sort=False)["value"]
    return grouped.agg(mean="mean", sd="std", n="count").reset_index()


def wide(summary_table: pd.DataFrame, keys: list[str], by: str) -> pd.DataFrame:
    """One row per model, columns ``<by value>_<metric>_<mean|sd>`` (metrics in SCALARS order)."""
    rows = [k for k in keys if k != by]
    table = summary_table.pivot_table(index=rows, columns=[by, "metric"], values=["mean", "sd"])
    ordered = [
        (stat, level, metric)
        for level in summary_table[by].unique()
        for metric in SCALARS
        for stat in ("mean", "sd")
        if (stat, level, metric) in table.columns
    ]
    table = table[ordered]
    table.columns = [f"{level}_{metric}_{stat}" for stat, level, metric in ordered]
    return table.reset_index()


def best_per(table: pd.DataFrame, family: str, score: str) -> pd.DataFrame:
    """The row with the highest ``score`` within each value of the column ``family``."""
    return table.loc[table.groupby(family, sort=False)[score].idxmax()]


def pooled_confusion(predictions: pd.DataFrame, n_classes: int) -> np.ndarray:
    """(K, K) counts of the out-of-fold predictions, summed over folds and seeds."""
    return confusion_matrix(predictions["true"], predictions["pred"], n_classes)


def pooled_per_class(predictions: pd.DataFrame, classes: list[str]) -> pd.DataFrame:
    """Per-class precision, recall, F1 of pooled predictions; support per seed (window count)."""
    table = per_class(predictions["true"], predictions["pred"], len(classes), classes)
    table["support"] = (table["support"] / predictions["seed"].nunique()).round().astype(int)
    return table


def mean_sd_text(table: pd.DataFrame, columns: list[str], digits: int = 3) -> pd.DataFrame:
    """Replace each ``<c>_mean`` / ``<c>_sd`` pair by one text column ``<c>`` ("m ± s")."""
    shown = table.drop(columns=[f"{c}_{s}" for c in columns for s in ("mean", "sd")])
    for column in columns:
        mean, sd = table[f"{column}_mean"], table[f"{column}_sd"].fillna(0.0)
        shown[column] = [f"{m:.{digits}f} ± {s:.{digits}f}" for m, s in zip(mean, sd, strict=True)]
    return shown


def compare(
    predictions: pd.DataFrame,
    classes: list[str],
    keys: list[str],
    family: str = "family",
    by: str = "scheme",
    fair: str = "grouped",
    rank: str = "kappa",
) -> dict[str, pd.DataFrame]:
    """Score every model, rank them, and describe the best model of each family in detail.

    Args:
        predictions: Long table (see :func:`fold_scores`); ``keys`` include ``family`` and
            ``by``.
        classes: The K class names.
        keys: Columns identifying a model and scheme.
        family: Column grouping models into families (best model chosen per family).
        by: Column of the evaluation scheme (its values become column prefixes).
        fair: The scheme whose scores rank the models.
        rank: The metric that ranks them (mean over folds).

    Returns:
        ``scores`` (per fold, long), ``table`` (one row per model, sorted best first),
        ``per_class`` and ``confusion`` (long: true, pred, count) of each family's best model,
        from the pooled out-of-fold predictions of the ``fair`` scheme.
    """
    scores = fold_scores(predictions, len(classes), keys)
    table = wide(summarise(scores, keys), keys, by)
    column = f"{fair}_{rank}_mean"
    table = table.sort_values(column, ascending=False, ignore_index=True)
    model_keys = [k for k in keys if k != by]
    fair_predictions = predictions[predictions[by] == fair]
    per_class_parts, confusion_parts = [], []
    for _, best in best_per(table, family, column).sort_values(family).iterrows():
        chosen = fair_predictions
        for key in model_keys:
            chosen = chosen[chosen[key] == best[key]]
        ident = {key: best[key] for key in model_keys}
        per_class_parts.append(pooled_per_class(chosen, classes).reset_index().assign(**ident))
        cm = pooled_confusion(chosen, len(classes))
        true, pred = np.indices(cm.shape)
        confusion_parts.append(
            pd.DataFrame(
                {
                    "true": np.asarray(classes)[true.ravel()],
                    "pred": np.asarray(classes)[pred.ravel()],
                    "count": cm.ravel(),
                    "seeds": chosen["seed"].nunique(),
                }
            ).assign(**ident)
        )
    reorder = lambda df: df[model_keys + [c for c in df.columns if c not in model_keys]]  # noqa: E731
    return {
        "scores": scores,
        "table": table,
        "per_class": reorder(pd.concat(per_class_parts, ignore_index=True)),
        "confusion": reorder(pd.concat(confusion_parts, ignore_index=True)),
    }
