"""Tables and figures of the fine-tuning part, computed from the runs' output files only.

- Figs 4.4 and 4.5: validation KPI per epoch, mean and 95 % band over seeds.
- Figs 4.6-4.8: 4-level confusion matrices of the test set (pooled over seeds), raw counts and
  row-normalised (each true level's row sums to 1).
- The label-efficiency figure: test KPI against the labelled share of training drivers.
- The results table (every measure, mean and 95 % CI over seeds), the paired comparisons
  (A - B by seed: difference, CI, paired t-test) and the findings table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vigilance.blink.format import kss_level
from vigilance.evaluation.measures import confusion_matrix
from vigilance.evaluation.stats import mean_ci, paired_comparison, verdict
from vigilance.finetune.thesis import THESIS_BEST_SCHEDULE

KPI = "kappa_4"
MEASURES = {
    "kappa_4": "KPI: quadratic-weighted kappa, 4 levels",
    "mse": "MSE",
    "mae": "MAE",
    "rmse": "RMSE",
    "accuracy_9": "accuracy, 9 levels",
    "accuracy_4": "accuracy, 4 levels",
    "macro_f1_4": "macro-F1, 4 levels",
    "critical_miss_rate": "critical-miss rate (7-9 judged 1-3)",
    "warning_sensitivity": "warning sensitivity (KSS >= 8)",
    "false_warning_rate": "false-warning rate (KSS <= 6)",
}
POINT = ["init", "strategy", "share"]


def band(curves: pd.DataFrame, metric: str, split: str = "val") -> pd.DataFrame:
    """Mean and 95 % interval over seeds per point of the grid and epoch."""
    part = curves[(curves["metric"] == metric) & (curves["split"] == split)]
    rows = []
    for key, group in part.groupby([*POINT, "epoch"]):
        mean, low, high = mean_ci(group["value"])
        rows.append(dict(zip([*POINT, "epoch"], key, strict=True), mean=mean, low=low, high=high))
    return pd.DataFrame(rows, columns=[*POINT, "epoch", "mean", "low", "high"])


def select(frame: pd.DataFrame, init: str, strategy: str | None = None, share: float = 1.0):
    """The rows of one point (any strategy when ``strategy`` is None)."""
    chosen = (frame["init"] == init) & np.isclose(frame["share"], share)
    if strategy is not None:
        chosen &= frame["strategy"] == strategy
    return frame[chosen]


def confusion(y_true, y_pred, bins) -> np.ndarray:
    """(levels, levels) counts: rows the true level, columns the level of the rounded prediction."""
    true = kss_level(np.asarray(y_true, dtype=float), bins).astype(int)
    rounded = np.clip(np.round(np.asarray(y_pred, dtype=float)), 1, 9)
    pred = kss_level(rounded, bins).astype(int)
    return confusion_matrix(true, pred, len(bins))


def row_normalise(counts: np.ndarray) -> np.ndarray:
    """Each row divided by its sum (a row without samples stays 0)."""
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)


def plot_confusion(plt, counts: np.ndarray, names: list[str], title: str):
    """Raw counts and row-normalised shares side by side (seaborn heat maps, annotated)."""
    from vigilance.plots import confusion_heatmap, fit_tick_labels

    fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), layout="constrained")
    confusion_heatmap(axes[0], counts, names, normalise=False)
    confusion_heatmap(axes[1], counts, names, normalise=True)
    for ax, name in zip(axes, ("counts", "row-normalised"), strict=True):
        ax.set(title=name, xlabel="predicted level", ylabel="true level")
    fig.suptitle(title)
    return fit_tick_labels(fig)


def results_table(test: pd.DataFrame) -> pd.DataFrame:
    """Every measure of every point: mean and 95 % CI over seeds (long form)."""
    rows = []
    for key, group in test.groupby(POINT):
        for metric in MEASURES:
            mean, low, high = mean_ci(group[metric])
            rows.append(
                dict(zip(POINT, key, strict=True), metric=metric, seeds=len(group), mean=mean)
                | {"95 % CI low": low, "95 % CI high": high}
            )
    return pd.DataFrame(rows)


def results_wide(long: pd.DataFrame) -> pd.DataFrame:
    """The results table for people: one row per point, 'mean [low, high]' per measure."""

    def cell(row) -> str:
        if np.isnan(row["95 % CI low"]):
            return f"{row['mean']:.3f}"
        return f"{row['mean']:.3f} [{row['95 % CI low']:.3f}, {row['95 % CI high']:.3f}]"

    text = long.assign(cell=long.apply(cell, axis=1))
    wide = text.pivot(index=[*POINT, "seeds"], columns="metric", values="cell")
    return wide[list(MEASURES)].rename(columns=MEASURES).reset_index()


def _paired(a: pd.DataFrame, b: pd.DataFrame, metric: str) -> dict:
    joined = (
        a.set_index("seed")[metric]
        .to_frame("a")
        .join(b.set_index("seed")[metric].to_frame("b"), how="inner")
    )
    return paired_comparison(joined["a"], joined["b"])


def paired_table(test: pd.DataFrame, best_strategy: str, shares: list[float]) -> pd.DataFrame:
    """Pre-trained minus scratch at every labelled share, and all minus half, every measure."""
    comparisons = [
        (
            f"pretrained_all - scratch, share {share:g}",
            select(test, "pretrained_all", best_strategy, share),
            select(test, "scratch", None, share),
        )
        for share in shares
    ]
    comparisons.append(
        (
            "pretrained_all - pretrained_half, share 1",
            select(test, "pretrained_all", best_strategy),
            select(test, "pretrained_half", best_strategy),
        )
    )
    rows = []
    for name, a, b in comparisons:
        for metric in MEASURES:
            result = _paired(a, b, metric)
            rows.append({"comparison": name, "measure": MEASURES[metric], **result})
    return pd.DataFrame(rows)


def best_val_kpi(curves: pd.DataFrame) -> pd.DataFrame:
    """Each run's highest validation KPI over its epochs (the selected epoch's)."""
    val = curves[(curves["split"] == "val") & (curves["metric"] == KPI)]
    return val.groupby([*POINT, "seed"], as_index=False)["value"].max()


CLAIM_STRATEGY = "unfreezing the top 2 blocks at epochs 3 and 6 is the best strategy"


def findings(
    test: pd.DataFrame, curves: pd.DataFrame, strategies: dict, best_strategy: str
) -> pd.DataFrame:
    """The thesis' fine-tuning claims against this run: paired differences and verdicts."""
    rows = []

    def claim(text, compared, a, b, metric, kind):
        result = _paired(a, b, metric)
        joined = a.set_index("seed")[metric] - b.set_index("seed")[metric]
        rows.append(
            {
                "thesis claim": text,
                "compared (A - B)": compared,
                "seeds": result["n"],
                "mean difference": result["difference"],
                "95 % CI low": result["low"],
                "95 % CI high": result["high"],
                "p (paired t)": result["p_value"],
                "verdict": verdict(joined.dropna(), kind),
            }
        )

    val = best_val_kpi(curves)
    thesis = [n for n, s in strategies.items() if sorted(s) == sorted(THESIS_BEST_SCHEDULE)]
    runs = select(val, "pretrained_all")
    if not thesis or runs["strategy"].nunique() < 2:
        rows.append(
            {
                "thesis claim": CLAIM_STRATEGY,
                "compared (A - B)": f"no strategy with the schedule {THESIS_BEST_SCHEDULE} "
                "next to another one in this run",
                "verdict": "not tested",
            }
        )
    else:
        means = runs.groupby("strategy")["value"].mean().drop(thesis[0])
        rival = means.idxmax()
        claim(
            CLAIM_STRATEGY,
            f"{thesis[0]} - {rival} (best other), best validation KPI",
            runs[runs["strategy"] == thesis[0]].rename(columns={"value": KPI}),
            runs[runs["strategy"] == rival].rename(columns={"value": KPI}),
            KPI,
            "higher",
        )
    claim(
        "training from scratch beats fine-tuning a pre-trained encoder",
        f"scratch - pretrained_all ({best_strategy}), test KPI",
        select(test, "scratch"),
        select(test, "pretrained_all", best_strategy),
        KPI,
        "higher",
    )
    claim(
        "pre-training on all drivers beats pre-training on half",
        f"pretrained_all - pretrained_half ({best_strategy}), test KPI",
        select(test, "pretrained_all", best_strategy),
        select(test, "pretrained_half", best_strategy),
        KPI,
        "higher",
    )
    smallest = float(test["share"].min())
    if smallest < 1.0:
        claim(
            f"(not a thesis claim) pre-training helps when labels are scarce (share {smallest:g})",
            f"pretrained_all - scratch at share {smallest:g}, test KPI",
            select(test, "pretrained_all", best_strategy, smallest),
            select(test, "scratch", None, smallest),
            KPI,
            "higher",
        )
    return pd.DataFrame(rows)


def label_efficiency(test: pd.DataFrame, best_strategy: str) -> dict[str, pd.DataFrame]:
    """Test KPI (mean, CI) per labelled share, for pretrained_all and scratch."""
    out = {}
    for init in ("pretrained_all", "scratch"):
        part = test[test["init"] == init]
        if init != "scratch":
            part = part[part["strategy"] == best_strategy]
        rows = [
            dict(zip(("mean", "low", "high"), mean_ci(group[KPI]), strict=True), share=share)
            for share, group in part.groupby("share")
        ]
        out[init] = pd.DataFrame(rows, columns=["share", "mean", "low", "high"])
    return out
