"""Tables and figures of the pre-training part, computed from the runs' metrics files only.

- Table 3.1: each hyper-parameter's explored set or range, this sweep's best, the thesis' best.
- Fig 3.4: hyper-parameter importances (Optuna's default fANOVA evaluator, Hutter et al. 2014).
- Figs 4.1-4.3: validation loss per epoch, mean and 95 % band over seeds (each seed validates
  on its own group of pre-training drivers).
- Fig 3.3: one sequence before and after masking, the chosen rows marked by treatment.
- The findings table: the thesis' pre-training claims against this run's numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vigilance.evaluation.claims import claim_row, findings_table, paired
from vigilance.evaluation.stats import mean_ci
from vigilance.pretrain.coupling import resolve_coupled
from vigilance.pretrain.thesis import RANGES, THESIS_BEST


def _explored(name: str, spec) -> str:
    if name in RANGES:
        return f"{spec[0]} .. {spec[1]} step {spec[2]}"
    return ", ".join(str(v) for v in spec)


def table_3_1(
    space: dict,
    best: dict,
    trials: pd.DataFrame,
    thesis: dict = THESIS_BEST,
    thesis_trials: str = "50 (25 random)",
    value: str = "val loss",
) -> pd.DataFrame:
    """Hyper-parameter, explored values, this sweep's best and the thesis' best (Table 3.1;
    Table 3.2 with the fine-tuning's ``thesis`` values)."""
    states = trials["state"].value_counts().to_dict() if len(trials) else {}
    chosen = resolve_coupled(best["params"])
    # Coupled choices drawn conditionally (pretrain.hparams): their branches' values as drawn.
    branches = {
        column: sorted(
            int(v) if isinstance(v, float) and v.is_integer() else v
            for v in trials[column].dropna().unique().tolist()
        )
        for column in trials.columns
        if "|" in column
    }
    rows = [
        {
            "hyper-parameter": name,
            "explored": _explored(name, spec)
            + "".join(
                f"; where {c.split('|')[1]}: {', '.join(map(str, v))}"
                for c, v in branches.items()
                if c.startswith(f"{name}|")
            ),
            "best (this sweep)": str(chosen.get(name))
            if best["best_trial"] is not None
            else "no completed trial",
            "best (thesis)": str(thesis.get(name, "")),
        }
        for name, spec in space.items()
    ]
    rows.append(
        {
            "hyper-parameter": "trials",
            "explored": ", ".join(f"{k}: {v}" for k, v in states.items()),
            "best (this sweep)": f"trial {best['best_trial']}, {value} {best['best_value']:.4g}"
            if best["best_trial"] is not None
            else "",
            "best (thesis)": thesis_trials,
        }
    )
    return pd.DataFrame(rows)


def collect(metrics: dict[tuple, pd.DataFrame]) -> pd.DataFrame:
    """Stack runs' metrics: keys are (features, fraction, seed)."""
    frames = [
        df.assign(features=f, fraction=float(fr), seed=int(s)) for (f, fr, s), df in metrics.items()
    ]
    return pd.concat(frames, ignore_index=True)


def band(curves: pd.DataFrame, metric: str, split: str = "val") -> pd.DataFrame:
    """Mean and 95 % interval over seeds per group and epoch."""
    part = curves[(curves["metric"] == metric) & (curves["split"] == split)]
    rows = []
    for (features, fraction, epoch), group in part.groupby(["features", "fraction", "epoch"]):
        mean, low, high = mean_ci(group["value"])
        rows.append(
            {
                "features": features,
                "fraction": fraction,
                "epoch": epoch,
                "mean": mean,
                "low": low,
                "high": high,
                "seeds": len(group),
            }
        )
    return pd.DataFrame(rows)


def plot_bands(
    plt,
    lines: list[tuple[str, pd.DataFrame]],
    title: str,
    ylabel: str,
    styles: dict[str, dict] | None = None,
):
    """One line per (label, band frame), with its 95 % band where there are 2+ seeds;
    ``styles`` maps a label to extra line settings (e.g. dashed)."""
    fig, ax = plt.subplots()
    for label, frame in lines:
        ax.plot(frame["epoch"], frame["mean"], label=label, **(styles or {}).get(label, {}))
        if frame["low"].notna().any():
            ax.fill_between(frame["epoch"], frame["low"], frame["high"], alpha=0.2)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return fig


def final_values(curves: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Each run's validation ``metric`` at its best epoch (lowest validation loss)."""
    val = curves[curves["split"] == "val"]
    loss = val[val["metric"] == "loss"]
    best = loss.loc[
        loss.groupby(["features", "fraction", "seed"])["value"].idxmin(),
        ["features", "fraction", "seed", "epoch"],
    ]
    chosen = val[val["metric"] == metric].merge(best, on=["features", "fraction", "seed", "epoch"])
    return chosen[["features", "fraction", "seed", "value"]]


def _replicates(values: pd.DataFrame, features: str, fraction: float) -> pd.Series:
    """One run group's values indexed by replicate (seed; fold and seed where folds exist)."""
    keys = [k for k in ("fold", "seed") if k in values.columns]
    part = values[(values["features"] == features) & np.isclose(values["fraction"], fraction)]
    return part.set_index(keys)["value"]


FIG_4_3_CLAIM = "the pre-trained model outperformed both baseline measures"
# Replicate r (the r-th seed) validates on the pre-training pool's group r mod G
# (vigilance.blink.splits): the arms of a claim share a replicate's drivers, replicates do not.
UNIT = "seed (each its own validation drivers), paired"


def findings(curves: pd.DataFrame, margins: dict) -> pd.DataFrame:
    """The thesis' pre-training claims against this run (``shared/design/evidence.md``).

    Each value is a run's validation MSE at its best epoch (lowest validation loss). The
    baseline claims compare the model and the baselines on the mask-index rows only (the rows
    carrying the question; on noised and kept rows the model sees its target, the baselines
    do not).

    Args:
        curves: The runs' metrics (:func:`collect`).
        margins: ``pretrain.margins`` from config (``calibration``: value and reason).
    """

    def values(metric: str) -> pd.DataFrame:
        return final_values(curves, metric)

    original = values("loss_original")
    rows = []
    grid = {(f, float(fr)) for f, fr in zip(curves["features"], curves["fraction"], strict=True)}

    def missing(*points) -> str | None:
        lacking = [f"{f} at fraction {fr:g}" for f, fr in points if (f, fr) not in grid]
        return f"the grid lacks {', '.join(lacking)}" if lacking else None

    reason = missing(("with_calibration", 1.0), ("original", 1.0))
    rows.append(
        claim_row(
            "there was no significant change in performance when using the calibration features",
            "000, section 4.1, Fig 4.1",
            "validation MSE on the 9 original features (chosen rows), with - without "
            "calibration features, all drivers",
            "equal",
            None
            if reason
            else paired(
                _replicates(original, "with_calibration", 1.0),
                _replicates(original, "original", 1.0),
            ),
            "no significant change (loss curves only, no number given)",
            margin=margins["calibration"],
            unit=None if reason else UNIT,
            reason=reason,
        )
    )
    reason = missing(("original", 1.0), ("original", 0.5))
    rows.append(
        claim_row(
            "a marginal difference in performance, with the pre-training conducted on the full "
            "dataset yielding slightly better results",
            "000, section 4.1, Fig 4.2",
            "validation MSE (chosen rows), all - half of the drivers, original features",
            "lower",
            None
            if reason
            else paired(
                _replicates(original, "original", 1.0), _replicates(original, "original", 0.5)
            ),
            "all slightly better than half (loss curves only, no number given)",
            unit=None if reason else UNIT,
            reason=reason,
        )
    )
    reason = missing(("original", 1.0))
    model = values("loss_masked")
    for baseline, label in (("mean", "mean blink vector"), ("next", "next blink vector")):
        base = values(f"baseline_{baseline}_visible_masked")
        rows.append(
            claim_row(
                f"{FIG_4_3_CLAIM} ({label})",
                "000, section 4.1, Fig 4.3",
                f"validation MSE on the mask-index rows, model - {baseline} baseline on the "
                "same rows from the rows the model sees, original features, all drivers",
                "lower",
                None
                if reason
                else paired(
                    _replicates(model, "original", 1.0), _replicates(base, "original", 1.0)
                ),
                "model below both baselines (loss curves only, no number given)",
                unit=None if reason else UNIT,
                reason=reason,
            )
        )
    return findings_table(rows)


def plot_importances(plt, table: pd.DataFrame, part: str = "pre-training"):
    """Fig 3.4: horizontal bars of the parameter importances (or the reason there are none)."""
    fig, ax = plt.subplots(figsize=(6.4, 4.5))
    table = table.dropna(subset=["importance"]).sort_values("importance")
    if table.empty:
        ax.text(0.5, 0.5, "no importances: too few completed trials", ha="center")
        ax.set_axis_off()
        return fig
    import seaborn as sns

    table = table.iloc[::-1]  # most important on top
    sns.barplot(table, y="parameter", x="importance", orient="h", color="C0", ax=ax)
    ax.bar_label(ax.containers[0], fmt="%.2f", padding=3, fontsize="small")
    ax.set_xlim(0, max(1.0, table["importance"].max()) * 1.12)
    ax.grid(axis="y", visible=False)
    ax.set(xlabel="importance (fANOVA, share of variance)", ylabel="")
    ax.set_title(f"Hyper-parameter importance of the {part} sweep")
    return fig


def plot_masking_example(
    plt,
    x: np.ndarray,
    masked: np.ndarray,
    treatment: np.ndarray,
    columns: list[str],
    mask_value: float,
):
    """Fig 3.3: one sequence (L x N) before and after masking, chosen rows marked."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 5), sharey=True)
    lim = float(np.nanmax(np.abs(x))) or 1.0
    names = {1: "kept", 2: "masked", 3: "noised"}
    colours = {1: "#009E73", 2: "#D55E00", 3: "#0072B2"}
    for ax, data, title in ((axes[0], x, "before masking"), (axes[1], masked, "after masking")):
        image = ax.imshow(
            data, aspect="auto", cmap="coolwarm", vmin=-lim, vmax=lim, interpolation="nearest"
        )
        ax.set_title(title)
        ax.set_xticks(range(len(columns)), columns, rotation=90, fontsize=7)
        ax.grid(False)
    for row, code in enumerate(treatment):
        if code:
            axes[1].annotate(
                names[int(code)],
                (len(columns) - 0.4, row),
                fontsize=7,
                color=colours[int(code)],
                va="center",
                annotation_clip=False,
            )
            for ax in axes:
                ax.axhline(row, color=colours[int(code)], lw=0.6, alpha=0.6)
    axes[0].set_ylabel("blink in window")
    fig.colorbar(
        image, ax=axes, shrink=0.8, pad=0.1, label=f"normalised value (mask index {mask_value})"
    )
    return fig
