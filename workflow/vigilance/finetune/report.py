"""Tables and figures of the fine-tuning part, computed from the runs' output files only.

Every interval is over a point's replicates, its runs on the outer driver folds x seeds, and
paired comparisons pair runs by (fold, seed).

- Figs 4.4 and 4.5: validation KPI per epoch, mean and 95 % band over the runs.
- Figs 4.6-4.8: 4-level confusion matrices of the test set (pooled over the runs), raw counts and
  row-normalised (each true level's row sums to 1).
- The label-efficiency figure: test KPI against the labelled share of training drivers.
- The results table (every measure, mean and 95 % CI over the runs, with the trivial and classical
  rows of :mod:`vigilance.finetune.baselines` on the same test windows), the paired comparisons
  (A - B by fold and seed: difference, CI, paired t-test) and the findings table (one claim row per
  claim, :mod:`vigilance.evaluation.claims`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vigilance.blink.format import kss_level
from vigilance.evaluation.claims import claim_row, findings_table, paired
from vigilance.evaluation.measures import confusion_matrix
from vigilance.evaluation.stats import mean_ci, paired_comparison
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
REPLICATE = ["fold", "seed"]  # a point's runs: outer driver folds x seeds
RUNS = "runs (folds x seeds)"


def band(curves: pd.DataFrame, metric: str, split: str = "val") -> pd.DataFrame:
    """Mean and 95 % interval over the runs (folds x seeds) per point of the grid and epoch."""
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
    """Every measure of every point: mean and 95 % CI over its runs (long form)."""
    rows = []
    for key, group in test.groupby(POINT):
        for metric in MEASURES:
            mean, low, high = mean_ci(group[metric])
            rows.append(
                dict(zip(POINT, key, strict=True), metric=metric, mean=mean)
                | {RUNS: len(group)}
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
    wide = text.pivot(index=[*POINT, RUNS], columns="metric", values="cell")
    return wide[list(MEASURES)].rename(columns=MEASURES).reset_index()


def _paired(a: pd.DataFrame, b: pd.DataFrame, metric: str) -> dict:
    """A - B over the replicates both have, paired by (fold, seed)."""
    joined = (
        a.set_index(REPLICATE)[metric]
        .to_frame("a")
        .join(b.set_index(REPLICATE)[metric].to_frame("b"), how="inner")
    )
    return paired_comparison(joined["a"], joined["b"])


def pretext_inits(test: pd.DataFrame) -> list[str]:
    """The inits of the pretext axis beside pretrained_all (``pretrained-<pretext>``)."""
    return sorted(i for i in test["init"].unique() if str(i).startswith("pretrained-"))


def paired_table(
    test: pd.DataFrame,
    best_strategy: str,
    shares: list[float],
    baselines: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Pre-trained (all drivers, and each other pretext's ``pretrained-<pretext>``) minus
    scratch at every labelled share, all minus half, and (with ``baselines``) pre-trained minus
    the trivial and the classical row, every measure."""
    comparisons = [
        (
            f"{init} - scratch, share {share:g}",
            select(test, init, best_strategy, share),
            select(test, "scratch", None, share),
        )
        for init in ("pretrained_all", *pretext_inits(test))
        for share in shares
    ]
    comparisons.append(
        (
            "pretrained_all - pretrained_half, share 1",
            select(test, "pretrained_all", best_strategy),
            select(test, "pretrained_half", best_strategy),
        )
    )
    for kind in ("trivial", "classical") if baselines is not None else ():
        comparisons.append(
            (
                f"pretrained_all - {kind}, share 1",
                select(test, "pretrained_all", best_strategy),
                select(baselines, kind),
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
    return val.groupby([*POINT, *REPLICATE], as_index=False)["value"].max()


CLAIM_STRATEGY = (
    "the most successful method was to unfreeze the top two out of the four blocks ... after "
    "the third and sixth epoch, respectively"
)
BASELINES = {"trivial": "training-mean predictor", "classical": "best classical regressor"}


def _replicates(frame: pd.DataFrame, metric: str) -> pd.Series:
    """One point's values indexed by replicate (seed; fold and seed where folds exist)."""
    keys = [k for k in ("fold", "seed") if k in frame.columns and frame[k].notna().all()]
    return frame.set_index(keys)[metric]


def findings(
    test: pd.DataFrame,
    curves: pd.DataFrame,
    strategies: dict,
    best_strategy: str,
    baselines: pd.DataFrame | None = None,
    pretext: str = "row",
) -> pd.DataFrame:
    """The thesis' fine-tuning claims against this run (``shared/design/evidence.md``).

    Args:
        test: Test-set measures per run (init, strategy, share, fold, seed, measures).
        curves: Per-epoch metrics of the runs (for the validation KPI of Fig 4.4).
        strategies: The configured unfreezing strategies.
        best_strategy: The strategy name of the init comparison and label-efficiency grid
            (``chosen``: the one chosen from this run's strategy grid).
        baselines: Test-set measures of the trivial and classical rows (same test windows),
            rows with ``init`` trivial or classical, per share, fold and seed.
        pretext: The pretext of pretrained_all's encoders (``finetune.pretext``); the inits
            ``pretrained-<pretext>`` of the pretext axis name theirs.
    """
    rows = []

    def claim(text, source, quantity, a, b, direction, document, metric=KPI, reason=None):
        if reason is None and (a.empty or b.empty):
            reason = "the grid lacks one of the compared points"
        differences = None if reason else paired(_replicates(a, metric), _replicates(b, metric))
        rows.append(
            claim_row(text, source, quantity, direction, differences, document, reason=reason)
        )

    val = best_val_kpi(curves)
    thesis = [n for n, s in strategies.items() if sorted(s) == sorted(THESIS_BEST_SCHEDULE)]
    runs = select(val, "pretrained_all")
    runs = runs[runs["strategy"].isin(list(strategies))]  # not the copies named ``chosen``
    reason, rival = None, None
    if not thesis:
        reason = f"no configured strategy has the thesis' schedule {THESIS_BEST_SCHEDULE}"
    elif runs["strategy"].nunique() < 2:
        reason = "fewer than two strategies were run"
    else:
        rival = runs.groupby("strategy")["value"].mean().drop(thesis[0]).idxmax()
    claim(
        CLAIM_STRATEGY,
        "000, section 4.2, Fig 4.4",
        f"best validation KPI, {thesis[0] if thesis else 'thesis schedule'} - "
        f"{rival or 'the best other strategy'}, pre-trained on all drivers",
        runs[runs["strategy"] == (thesis[0] if thesis else "")].rename(columns={"value": KPI}),
        runs[runs["strategy"] == rival].rename(columns={"value": KPI}),
        "higher",
        "top 2 blocks at epochs 3 and 6 best of five strategies (curves only, no number given)",
        reason=reason,
    )
    scratch, all_ = select(test, "scratch"), select(test, "pretrained_all", best_strategy)
    half = select(test, "pretrained_half", best_strategy)
    for other, label in ((all_, "pretrained_all"), (half, "pretrained_half")):
        claim(
            "the model fine-tuned from scratch exhibited the best performance, outperforming "
            "both pre-trained models",
            "000, section 4.2, Fig 4.5",
            f"test KPI, scratch - {label} ({best_strategy}), all labelled drivers",
            scratch,
            other,
            "higher",
            "scratch best, above both pre-trained models (validation curves, no number given)",
        )
    claim(
        "the fine-tuning of the pre-trained model trained on the entire dataset performed "
        "slightly better than the model trained on a subset of the data",
        "000, section 4.2, Fig 4.5",
        f"test KPI, pretrained_all - pretrained_half ({best_strategy}), all labelled drivers",
        all_,
        half,
        "higher",
        "all slightly above half (validation curves, no number given)",
    )
    smallest = float(test["share"].min())
    for init in ("pretrained_all", *pretext_inits(test)):
        pretext = pretext if init == "pretrained_all" else init.removeprefix("pretrained-")
        claim(
            f"(not a thesis claim) pre-training with the {pretext} pretext helps when labels "
            f"are scarce (share {smallest:g})",
            "thesis 000, section 6.1 (future work); this workflow's label-efficiency grid",
            f"test KPI, {init} ({best_strategy}) - scratch at labelled share {smallest:g}",
            select(test, init, best_strategy, smallest),
            select(test, "scratch", None, smallest),
            "higher",
            "not studied by the thesis",
            reason=None if smallest < 1.0 else "the grid has no labelled share below 1",
        )
    for kind, label in BASELINES.items():
        base = pd.DataFrame() if baselines is None else select(baselines, kind, None)
        claim(
            f"(not a thesis claim) the fine-tuned model beats the {label}",
            "evidence standard: a trivial and a classical row in every comparison",
            f"test KPI, pretrained_all ({best_strategy}) - {label}, same test windows",
            all_,
            base,
            "higher",
            "not reported by the thesis",
            reason=None if len(base) else f"no {label} scores in this run",
        )
    return findings_table(rows)


def label_efficiency(test: pd.DataFrame, best_strategy: str) -> dict[str, pd.DataFrame]:
    """Test KPI (mean, CI over the runs) per labelled share, for pretrained_all, every
    ``pretrained-<pretext>`` of the pretext axis and scratch."""
    out = {}
    for init in ("pretrained_all", *pretext_inits(test), "scratch"):
        part = test[test["init"] == init]
        if init != "scratch":
            part = part[part["strategy"] == best_strategy]
        rows = [
            dict(zip(("mean", "low", "high"), mean_ci(group[KPI]), strict=True), share=share)
            for share, group in part.groupby("share")
        ]
        out[init] = pd.DataFrame(rows, columns=["share", "mean", "low", "high"])
    return out
