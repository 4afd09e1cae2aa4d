"""Tables and figures of the pre-training part, computed from the runs' metrics files only.

- Table 3.1: each hyper-parameter's explored set or range, this sweep's best, the thesis' best.
- Fig 3.4: hyper-parameter importances (Optuna's default fANOVA evaluator, Hutter et al. 2014).
- Figs 4.1-4.3: validation loss per epoch, mean and 95 % band over seeds.
- Fig 3.3: one sequence before and after masking, the chosen rows marked by treatment.
- The findings table: the thesis' pre-training claims against this run's numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vigilance.evaluation.stats import mean_ci, verdict
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
    rows = [
        {
            "hyper-parameter": name,
            "explored": _explored(name, spec),
            "best (this sweep)": str(best["params"].get(name))
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


def plot_bands(plt, lines: list[tuple[str, pd.DataFrame]], title: str, ylabel: str):
    """One line per (label, band frame), with its 95 % band where there are 2+ seeds."""
    fig, ax = plt.subplots()
    for label, frame in lines:
        ax.plot(frame["epoch"], frame["mean"], label=label)
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


def findings(curves: pd.DataFrame) -> pd.DataFrame:
    """The thesis' three pre-training claims against this run, with 95 % CIs and verdicts."""
    loss = final_values(curves, "loss_original").set_index(["features", "fraction", "seed"])[
        "value"
    ]
    rows = []

    def claim(text, a, b, kind, what):
        paired = pd.concat([a, b], axis=1, keys=["a", "b"]).dropna()
        diff = paired["a"] - paired["b"]
        mean, low, high = mean_ci(diff)
        rows.append(
            {
                "thesis claim": text,
                "compared": what,
                "seeds": len(diff),
                "mean difference": mean,
                "95 % CI low": low,
                "95 % CI high": high,
                "verdict": verdict(diff, kind),
            }
        )

    def pick(features, fraction):
        try:
            return loss.xs((features, fraction), level=("features", "fraction"))
        except KeyError:
            return pd.Series(dtype=float)

    claim(
        "Calibration features make no significant difference (Fig 4.1)",
        pick("with_calibration", 1.0),
        pick("original", 1.0),
        "equal",
        "val MSE on the 9 original features: with - without calibration",
    )
    claim(
        "Pre-training on all drivers is slightly better than on half (Fig 4.2)",
        pick("original", 1.0),
        pick("original", 0.5),
        "lower",
        "val MSE: all - half",
    )
    val = curves[
        (curves["split"] == "val")
        & (curves["features"] == "original")
        & (curves["fraction"] == 1.0)
    ]
    best = final_values(curves, "loss").set_index(["features", "fraction", "seed"])["value"]
    for baseline in ("mean", "next"):
        base = final_values(val, f"baseline_{baseline}").set_index(
            ["features", "fraction", "seed"]
        )["value"]
        claim(
            f"The model beats the {baseline} baseline (Fig 4.3)",
            best.reindex(base.index),
            base,
            "lower",
            f"val MSE: model - {baseline} baseline",
        )
    return pd.DataFrame(rows)


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
