"""The figure style: one matplotlib style, the Agg backend, atomic saving, shared seaborn panels.

Figures are made by plotting rules that read metrics files only, so restyling reruns nothing but
the plots. The colour cycle is Okabe-Ito (readable by colour-blind readers). Heat maps
(confusion matrices, cross-stitch weights) and grouped bars are drawn with seaborn in this
style: :func:`heatmap` annotates every cell in a colour that contrasts with it (seaborn picks
dark text on light cells and light text on dark ones); :func:`confusion_heatmap` and
:func:`grouped_bars` build on it. Every figure is meant to be read at the report's size: no tick
label may overlap another (:func:`overlapping_labels` finds those that do; the tests use it).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd

STYLE_PATH = Path(__file__).resolve().parent / "vigilance.mplstyle"


def use_style(dpi: int | None = None):
    """Select the Agg backend and the workflow's style; return ``matplotlib.pyplot``.

    Args:
        dpi: Resolution of saved figures (``figures.dpi`` in config); the style's default if None.
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.style.use(str(STYLE_PATH))
    if dpi is not None:
        matplotlib.rcParams["savefig.dpi"] = dpi
    return plt


def save_figure(fig, path: str | Path) -> None:
    """Save ``fig`` atomically (format from the suffix) and close it."""
    import matplotlib.pyplot as plt

    from vigilance.core.io import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip(".") or "png")
    plt.close(fig)


def heatmap(
    ax,
    data: pd.DataFrame,
    fmt: str = ".2f",
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    cbar: bool = True,
    cbar_label: str | None = None,
    cbar_ax=None,
    annot: bool = True,
    annot_size: float | None = None,
):
    """An annotated seaborn heat map of a table (index: rows, columns: columns), square cells.

    Args:
        ax: The axes.
        data: (R, C) values; its index and columns label the rows and columns.
        fmt: Format of the annotations ("-0.00" is shown as "0.00").
        cmap, vmin, vmax: Colour scale.
        cbar, cbar_label, cbar_ax: Draw a colour bar (into ``cbar_ax`` when given).
        annot: Write each cell's value in it, in a colour contrasting with the cell.
        annot_size: Font size of the annotations (default: smaller for more cells).

    Returns:
        The axes.
    """
    import seaborn as sns

    values = data.astype(float)
    shown = values
    digits = re.fullmatch(r"\.(\d+)f", fmt)
    if digits:  # round first, then -0.0 + 0.0 == 0.0: no "-0.00" in the annotations
        shown = values.round(int(digits.group(1))) + 0.0
    if annot_size is None:
        annot_size = 9 if max(values.shape) <= 6 else 7
    fig = ax.get_figure(root=True)  # the root figure also for an axes in a subfigure
    engine = fig.get_layout_engine()
    fig.set_layout_engine("none")  # seaborn draws the figure once; skip the layout then
    sns.heatmap(
        values,
        ax=ax,
        annot=shown.to_numpy() if annot else False,
        fmt=fmt,
        annot_kws={"size": annot_size},
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        square=True,
        linewidths=0.5,
        linecolor="white",
        cbar=cbar,
        cbar_ax=cbar_ax,
        cbar_kws={"label": cbar_label or "", "shrink": 0.8},
    )
    fig.set_layout_engine(engine)
    ax.grid(False)
    ax.tick_params(length=0)
    ax.set_yticklabels(ax.get_yticklabels(), rotation=0)
    ax.set_xticklabels(ax.get_xticklabels(), rotation=0)
    ax.vigilance_heatmap = True  # fit_tick_labels may turn its column labels
    return ax


def fit_tick_labels(fig, gap: float = 6.0):
    """Turn the column labels of every heat map of ``fig`` upright where, once the figure is
    laid out, they would come closer than ``gap`` pixels to each other; return ``fig``.

    Call it last, when every panel is drawn: only then are the cells' final widths known.
    """
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        if not getattr(ax, "vigilance_heatmap", False):
            continue
        labels = [t for t in ax.get_xticklabels() if t.get_text()]
        boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda b: b.x0)
        if any(b.x0 - a.x1 < gap for a, b in itertools.pairwise(boxes)):
            for label in labels:
                label.set_rotation(90)
    return fig


def confusion_heatmap(
    ax,
    counts: np.ndarray,
    names: list[str],
    normalise: bool = True,
    cbar: bool = True,
    annot: bool | None = None,
):
    """A confusion matrix (rows: true class, columns: predicted), counts or row shares.

    Args:
        ax: The axes.
        counts: (K, K) counts.
        names: K class names.
        normalise: Show each true class's row as shares summing to 1 (a row without samples
            stays 0) on a fixed 0-1 scale; else the raw counts.
        cbar: Draw the colour bar.
        annot: Write the values in the cells (default: up to 8 classes; beyond, the numbers
            would be too small to read at the report's size and the colours carry them).
    """
    counts = np.asarray(counts, dtype=float)
    if normalise:
        totals = counts.sum(axis=1, keepdims=True)
        data = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
        scale = {"fmt": ".2f", "vmin": 0.0, "vmax": 1.0, "cbar_label": "share of the true class"}
    else:
        data = counts
        scale = {"fmt": ".0f", "vmin": 0.0, "vmax": None, "cbar_label": "count"}
    frame = pd.DataFrame(data, index=names, columns=names)
    annot = len(names) <= 8 if annot is None else annot
    heatmap(ax, frame, cmap="Blues", cbar=cbar, annot=annot, **scale)
    ax.set(xlabel="predicted", ylabel="true")
    return ax


def grouped_bars(ax, table: pd.DataFrame, category: str, value: str, hue: str, sd=None):
    """Horizontal bars of ``value`` per ``category``, one bar per ``hue`` level, +- ``sd``.

    Args:
        ax: The axes.
        table: Long table with the columns ``category``, ``hue``, ``value`` (and ``sd``).
        category, value, hue: Column names; categories are drawn top-down in table order.
        sd: Column of the error bars' half-lengths (None: no error bars).
    """
    import seaborn as sns

    order = list(dict.fromkeys(table[category]))
    levels = list(dict.fromkeys(table[hue]))
    sns.barplot(
        table,
        y=category,
        x=value,
        hue=hue,
        order=order,
        hue_order=levels,
        orient="h",
        errorbar=None,
        ax=ax,
    )
    containers = list(ax.containers)  # one BarContainer per hue level (error bars add more)
    if sd is not None:
        indexed = table.set_index([hue, category])
        for level, bars in zip(levels, containers, strict=True):
            for name, bar in zip(order, bars, strict=True):
                if (level, name) not in indexed.index:
                    continue
                row = indexed.loc[(level, name)]
                ax.errorbar(
                    row[value],
                    bar.get_y() + bar.get_height() / 2,
                    xerr=0.0 if pd.isna(row[sd]) else row[sd],
                    color="black",
                    lw=0.8,
                    capsize=2,
                )
    ax.grid(axis="y", visible=False)
    return ax


def overlapping_labels(fig) -> list[tuple[str, str]]:
    """Pairs of drawn texts of ``fig`` that overlap each other or another panel's plot area.

    Draws the figure, then compares the renderer's bounding boxes of every drawn, non-empty
    tick label (colour bars included), axis label, axes title and the figure title with each
    other and with the plot area of every axes other than the text's own.

    Returns:
        (text, other text or ``"axes <title>"``) pairs; empty when the figure is readable.
    """
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [(None, fig._suptitle)] if getattr(fig, "_suptitle", None) is not None else []
    for ax in fig.axes:
        texts += [(ax, ax.title), (ax, ax.xaxis.label), (ax, ax.yaxis.label)]
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                if low <= tick.get_loc() <= high:  # ticks outside the view are not drawn
                    texts += [(ax, tick.label1), (ax, tick.label2)]
    boxes = [
        (owner, t.get_text(), t.get_window_extent(renderer))
        for owner, t in texts
        if t.get_visible() and t.get_text().strip()
    ]
    overlaps = []
    for i, (_, a, box_a) in enumerate(boxes):
        overlaps += [(a, b) for _, b, box_b in boxes[i + 1 :] if box_a.overlaps(box_b)]
    for owner, text, box in boxes:
        for ax in fig.axes:
            if ax is not owner and ax.get_visible() and box.overlaps(ax.bbox):
                overlaps.append((text, f"axes {ax.get_title() or ax.get_label()}"))
    return overlaps
