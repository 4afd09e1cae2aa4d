"""Figures of the multi-task part, drawn from the aggregated metrics (and Fig 3.5 from data).

Curves are the test score per epoch averaged over seeds, smoothed with LOESS (Cleveland,
"Robust locally weighted regression and smoothing scatterplots", JASA 1979; local linear fits
with tricube weights, written here with NumPy), as in the thesis' Figs 3.6, 3.7, 4.1, 4.3, 4.4;
Fig 4.2 shows the last K epochs with a straight-line fit per method; Fig 4.5 the learnt
cross-stitch matrices as heat maps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def lowess(x: np.ndarray, y: np.ndarray, frac: float = 0.5) -> np.ndarray:
    """Local linear regression with tricube weights over the nearest ``frac`` of the points.

    Args:
        x: (n,) positions; y: (n,) values.
        frac: Share of the points in each local fit (at least 3 points).

    Returns:
        (n,) smoothed values at ``x``.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = len(x)
    if n < 3:
        return y.copy()
    r = min(n, max(3, int(np.ceil(frac * n))))
    out = np.empty(n)
    for i, x0 in enumerate(x):
        dist = np.abs(x - x0)
        h = np.sort(dist)[r - 1] or 1.0
        w = np.clip(1 - (dist / (h * 1.0000001)) ** 3, 0, None) ** 3
        a = np.vstack([np.ones(n), x - x0]).T * np.sqrt(w)[:, None]
        coef, *_ = np.linalg.lstsq(a, y * np.sqrt(w), rcond=None)
        out[i] = coef[0]
    return out


def mean_curve(curves: pd.DataFrame, metric: str, task: str, split: str = "test") -> pd.DataFrame:
    """Per method and epoch: the score averaged over seeds."""
    part = curves[
        (curves["metric"] == metric) & (curves["split"] == split) & (curves["task"] == task)
    ]
    return part.groupby(["method", "epoch"], as_index=False)["value"].mean()


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, wrap=True)
    ax.set_axis_off()


def _legend(fig, axes) -> None:
    """One legend for all panels, outside them on the right (it hides no curve)."""
    entries = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    if entries:
        fig.legend(entries.values(), entries.keys(), loc="outside right center", fontsize="small")


def plot_curves(plt, curves, methods, metric, tasks, title, labels=None):
    """LOESS-smoothed test curves of some methods, one panel per task."""
    fig, axes = plt.subplots(
        1, len(tasks), figsize=(5 * len(tasks), 3.6), squeeze=False, layout="constrained"
    )
    for ax, task in zip(axes[0], tasks, strict=True):
        mean = mean_curve(curves, metric, task)
        mean = mean[mean["method"].isin(methods)]
        if mean.empty:
            _empty(ax, "no method of this kind in the config")
            continue
        for method, part in mean.groupby("method", sort=False):
            line = ax.plot(part["epoch"], part["value"], alpha=0.3, marker=".", lw=0.8)[0]
            label = (labels or {}).get(method, method)
            ax.plot(
                part["epoch"],
                lowess(part["epoch"], part["value"]),
                color=line.get_color(),
                label=label,
            )
        ax.set(xlabel="epoch", ylabel=f"test {metric}", title=task)
    _legend(fig, axes[0])
    fig.suptitle(title)
    return fig


def plot_last_epochs(plt, curves, metric, tasks, k, title):
    """The last ``k`` epochs of every method (mean over seeds) with a linear fit each."""
    fig, axes = plt.subplots(
        1, len(tasks), figsize=(5 * len(tasks), 3.6), squeeze=False, layout="constrained"
    )
    for ax, task in zip(axes[0], tasks, strict=True):
        mean = mean_curve(curves, metric, task)
        if mean.empty:
            _empty(ax, "no runs")
            continue
        for method, part in mean.groupby("method", sort=False):
            part = part[part["epoch"] > part["epoch"].max() - k]
            line = ax.plot(part["epoch"], part["value"], ".", alpha=0.6)[0]
            if len(part) >= 2:
                slope, icpt = np.polyfit(part["epoch"], part["value"], 1)
                ax.plot(
                    part["epoch"],
                    icpt + slope * part["epoch"],
                    color=line.get_color(),
                    label=method,
                )
        ax.set(xlabel="epoch", ylabel=f"test {metric}", title=f"{task}: last {k} epochs")
    _legend(fig, axes[0])
    fig.suptitle(title)
    return fig


def plot_stitches(plt, stitch: pd.DataFrame, title):
    """Heat maps of the learnt cross-stitch matrices (mean over seeds): a row per method, a
    column per depth, one colour scale, each cell annotated in a contrasting colour."""
    from vigilance.plots import fit_tick_labels, heatmap

    if stitch.empty:
        fig, ax = plt.subplots(figsize=(4, 2))
        _empty(ax, "no cross-stitch method in the config")
        return fig
    mean = stitch.groupby(["method", "depth", "to", "from"], as_index=False, sort=False)[
        "value"
    ].mean()
    methods = list(dict.fromkeys(mean["method"]))
    depths = sorted(mean["depth"].unique())
    tasks = max(mean.groupby("method")["to"].nunique())
    size = 1.2 + 0.55 * tasks
    fig, axes = plt.subplots(
        len(methods),
        len(depths),
        figsize=(size * len(depths) + 1.6, size * len(methods) + 0.6),
        squeeze=False,
        layout="constrained",
    )
    low, high = min(0.0, mean["value"].min()), max(1.0, mean["value"].max())
    for row, method in enumerate(methods):
        for col, depth in enumerate(depths):
            ax = axes[row, col]
            part = mean[(mean["method"] == method) & (mean["depth"] == depth)]
            if part.empty:
                ax.set_axis_off()
                continue
            order = list(dict.fromkeys(part["to"]))
            grid = part.pivot(index="to", columns="from", values="value").loc[order, order]
            heatmap(ax, grid, vmin=low, vmax=high, cbar=False)
            ax.set_title(f"{method}, block {depth}", fontsize="small")
            ax.set(xlabel="from task" if row == len(methods) - 1 else "", ylabel="")
            if col:
                ax.set_yticklabels([])
            else:
                ax.set_ylabel("to task")
    image = next(ax.collections[0] for ax in axes.flat if ax.collections)
    fig.colorbar(image, ax=axes, shrink=0.8, label="cross-stitch weight")
    fig.suptitle(title)
    return fit_tick_labels(fig)
