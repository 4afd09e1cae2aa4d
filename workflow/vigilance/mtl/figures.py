"""Figures of the multi-task part, drawn from the aggregated metrics (and Fig 3.5 from data).

Curves are the test score per epoch averaged over seeds, smoothed with LOESS (Cleveland,
"Robust locally weighted regression and smoothing scatterplots", JASA 1979) with the thesis'
settings: its figures came from R's ggplot2, whose ``geom_smooth(method = "loess")`` fits
``stats::loess`` with span 0.75 and degree 2 (local quadratic fits with tricube weights over
the nearest floor(0.75 n) points, no robustness iterations); computed here exactly at every
point (R's ``surface = "direct"``) with NumPy. Panels (b) show the last K epochs with a
straight-line fit per method and (c) the learnt cross-stitch matrices as heat maps; the plot
script composes them into the thesis' Figs 4.1-4.5 (``axes`` draws into a given row).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def lowess(x: np.ndarray, y: np.ndarray, span: float = 0.75, degree: int = 2) -> np.ndarray:
    """Local polynomial regression with tricube weights, as R's ``loess`` (ggplot's default).

    At each point: the ``q = floor(span * n)`` nearest points, bandwidth h = the distance to
    the q-th nearest, weights (1 - (d / h)^3)^3, a weighted least-squares polynomial of
    ``degree``; its value at the point.

    Args:
        x: (n,) positions; y: (n,) values.
        span: Share of the points in each local fit (R's default 0.75).
        degree: Degree of the local polynomials (R's default 2).

    Returns:
        (n,) smoothed values at ``x``.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = len(x)
    if n <= degree + 1:
        return y.copy()
    q = min(n, max(degree + 1, int(np.floor(span * n))))
    out = np.empty(n)
    for i, x0 in enumerate(x):
        dist = np.abs(x - x0)
        h = np.sort(dist)[q - 1] or 1.0
        w = np.clip(1 - (dist / h) ** 3, 0, None) ** 3
        a = np.vander(x - x0, degree + 1, increasing=True) * np.sqrt(w)[:, None]
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


def _row(plt, tasks, axes):
    """A new figure with a panel per task, or (None, the given axes) to draw into."""
    if axes is not None:
        return None, axes
    fig, grid = plt.subplots(
        1, len(tasks), figsize=(5 * len(tasks), 3.6), squeeze=False, layout="constrained"
    )
    return fig, grid[0]


def _legends(fig, row) -> None:
    """The one legend outside a figure of its own; a legend per panel drawn into given axes."""
    if fig is not None:
        _legend(fig, row)
        return
    for ax in row:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize="small")


def plot_curves(plt, curves, methods, metric, tasks, title, labels=None, axes=None):
    """LOESS-smoothed test curves of some methods, one panel per task (or into ``axes``)."""
    fig, row = _row(plt, tasks, axes)
    for ax, task in zip(row, tasks, strict=True):
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
    _legends(fig, row)
    if fig is not None:
        fig.suptitle(title)
    return fig


def plot_last_epochs(plt, curves, metric, tasks, k, title, methods=None, axes=None):
    """The last ``k`` epochs of every method (or of ``methods``), mean over seeds, with a
    linear fit each."""
    fig, row = _row(plt, tasks, axes)
    for ax, task in zip(row, tasks, strict=True):
        mean = mean_curve(curves, metric, task)
        if methods is not None:
            mean = mean[mean["method"].isin(methods)]
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
    _legends(fig, row)
    if fig is None:
        return None
    fig.suptitle(title)
    return fig


def plot_stitches(plt, stitch: pd.DataFrame, title, into=None):
    """Heat maps of the learnt cross-stitch matrices (mean over seeds): a row per method, a
    column per depth, one colour scale, each cell annotated in a contrasting colour (into the
    (sub)figure ``into`` if given)."""
    from vigilance.plots import fit_tick_labels, heatmap

    if stitch.empty:
        fig, ax = plt.subplots(figsize=(4, 2)) if into is None else (into, into.subplots())
        _empty(ax, "no cross-stitch method in the config")
        return fig
    mean = stitch.groupby(["method", "depth", "to", "from"], as_index=False, sort=False)[
        "value"
    ].mean()
    methods = list(dict.fromkeys(mean["method"]))
    depths = sorted(mean["depth"].unique())
    tasks = max(mean.groupby("method")["to"].nunique())
    size = 1.2 + 0.55 * tasks
    if into is None:
        fig, axes = plt.subplots(
            len(methods),
            len(depths),
            figsize=(size * len(depths) + 1.6, size * len(methods) + 0.6),
            squeeze=False,
            layout="constrained",
        )
    else:
        fig, axes = into, into.subplots(len(methods), len(depths), squeeze=False)
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
    return fit_tick_labels(fig) if into is None else fig
