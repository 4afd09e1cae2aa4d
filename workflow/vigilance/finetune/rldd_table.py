"""The rows of the RLDD results table beside the fine-tuned arms: the reference rows and pairs.

Light (pandas, scipy): the table rule reads small CSV and JSON files. The reference rows
(:mod:`vigilance.finetune.rldd_baselines`) are deterministic per fold, so their unit of
replication is the fold; each arm is compared with the classical row by its mean over seeds,
paired by fold (:func:`vigilance.evaluation.stats.paired_comparison`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vigilance.core.errors import VigilanceError
from vigilance.evaluation.stats import mean_ci, paired_comparison
from vigilance.evaluation.verdicts import adjust_holm, judge

if TYPE_CHECKING:
    import pandas as pd

# The measures of vigilance.finetune.rldd.rldd_measures, and the replication columns.
MEASURES = ["accuracy_3", "kappa_3", "macro_f1_3", "mae", "rmse"]
RUNS, UNIT = "runs (folds x seeds)", "unit of replication"
# Errors: lower is better; for the other measures higher is.
LOWER_IS_BETTER = {"mae", "rmse"}
VERDICT = "A better than B? (verdict)"
P, P_HOLM = "p (paired t)", "p (Holm)"


def with_holm(table: list[dict]) -> list[dict]:
    """The table's rows with Holm-adjusted p-values over all its paired rows (the others have
    none), as the evidence standard asks beside the raw ones."""
    adjusted = iter(adjust_holm([row[P] for row in table if P in row]))
    return [row | {P_HOLM: next(adjusted)} if P in row else row for row in table]


def paired_row(name: str, metric: str, a, b, unit: str) -> dict:
    """One paired-difference row A - B of the table: :func:`paired_comparison`'s mean, interval
    and p, and the shared verdict (:func:`vigilance.evaluation.verdicts.judge`) on the claim
    that A is better than B (higher, or lower for an error)."""
    diff = paired_comparison(a, b)
    claim = "lower" if metric in LOWER_IS_BETTER else "higher"
    differences = [x - y for x, y in zip(a, b, strict=True)]
    return {"init": name, "measure": metric, RUNS: diff["n"], UNIT: unit,
            "mean": diff["difference"], "95 % CI low": diff["low"], "95 % CI high": diff["high"],
            P: diff["p_value"],
            VERDICT: judge(differences, claim)["verdict"]}  # fmt: skip


def chosen_name(classical: pd.DataFrame) -> str:
    """The classical row's name: its model, or each model with its folds where they differ."""
    folds = classical.groupby("model", sort=False)["fold"].apply(sorted)
    if len(folds) == 1:
        return f"classical: {folds.index[0]}"
    named = [f"{m} (fold{'s' * (len(f) > 1)} {', '.join(map(str, f))})" for m, f in folds.items()]
    return "classical: " + ", ".join(named)


def baseline_rows(baselines: pd.DataFrame, runs: pd.DataFrame) -> list[dict]:
    """Each baseline over folds (deterministic per fold: seeds do not replicate it), then each
    init's seed mean minus the classical row, paired by fold (the table's rows as dicts).

    Args:
        baselines: ``score_rldd_baselines``' test table (fold, init, model, measures).
        runs: The fine-tuning runs' test scores (init, fold, seed, measures).

    Raises:
        VigilanceError: The baselines' folds differ from the runs'.
    """
    if sorted(set(baselines["fold"])) != sorted(set(runs["fold"])):
        raise VigilanceError(
            "the baselines' folds differ from the fine-tuning runs'",
            file="results/finetune/rldd/baselines/test.csv",
            field="fold",
            value=sorted(set(baselines["fold"])),
            expected=f"the runs' folds {sorted(set(runs['fold']))}",
        )
    table, names = [], {}
    for init, group in baselines.groupby("init", sort=False):
        names[init] = {"trivial": "majority class (trivial)"}.get(init, chosen_name(group))
        for metric in MEASURES:
            mean, low, high = mean_ci(group[metric])
            table.append({"init": names[init], "measure": metric, RUNS: len(group),
                          UNIT: "folds", "mean": mean, "95 % CI low": low,
                          "95 % CI high": high})  # fmt: skip
    classical = baselines[baselines["init"] == "classical"].set_index("fold")
    by_fold = runs.groupby(["init", "fold"])[MEASURES].mean()
    for init in sorted(set(runs["init"])):
        arm = by_fold.loc[init].reindex(classical.index)
        for metric in MEASURES:
            name = f"{init} - classical (paired by fold)"
            unit = "folds (seed mean of the init)"
            table.append(paired_row(name, metric, arm[metric], classical[metric], unit))
    return table
