"""Figures of the eye-tracking part, drawn from the scoring rules' tables only.

- The confusion matrices of the best trivial, classical and deep model of a task (pooled
  out-of-fold predictions of its first protocol), row-normalised, as seaborn heat maps.
- The protocols side by side: accuracy and kappa of every classifier under each protocol of
  each task, mean +- SD over test folds, as grouped seaborn bars.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.patches import Patch

from vigilance.plots import confusion_heatmap, fit_tick_labels, grouped_bars

METRICS = {"accuracy": "accuracy", "kappa": "Cohen's kappa"}
COLOURS = [f"C{k}" for k in range(10)]  # protocols in order of first appearance


def plot_confusion_matrices(plt, confusion: pd.DataFrame, task: str, protocol: str):
    """One row-normalised confusion matrix per model of the long table (label, family, true,
    pred, count), classes in table order, one shared colour bar."""
    models = list(dict.fromkeys(confusion["label"]))
    classes = list(dict.fromkeys(confusion["true"]))
    size = 2.4 + 0.3 * len(classes)
    fig, axes = plt.subplots(
        1,
        len(models),
        figsize=(size * len(models) + 1.2, size + 0.6),
        squeeze=False,
        layout="constrained",
    )
    for ax, model in zip(axes[0], models, strict=True):
        part = confusion[confusion["label"] == model]
        counts = part.pivot(index="true", columns="pred", values="count")
        confusion_heatmap(ax, counts.loc[classes, classes].to_numpy(), classes, cbar=False)
        ax.set_title(f"{part['family'].iloc[0]}: {model}", fontsize=9)
    fig.colorbar(
        axes[0][0].collections[0], ax=axes[0].tolist(), shrink=0.8, label="share of the true class"
    )
    fig.suptitle(f"{task} task, {protocol} protocol: pooled out-of-fold predictions")
    return fit_tick_labels(fig)


def plot_protocols(plt, tables: list[pd.DataFrame], protocols: dict[str, list[str]]):
    """Accuracy and kappa (mean +- SD over folds) of every classifier, per task and protocol.

    Args:
        tables: One comparison table per task (``label``, ``<protocol>_<metric>_mean|sd``);
            the classifiers are drawn in the order of the first (best on top).
        protocols: Task -> its protocols, in the order of ``tables``.
    """
    order = list(tables[0]["label"])
    tasks = list(protocols)
    fig, axes = plt.subplots(
        1,
        len(tables) * len(METRICS),
        sharey=True,
        figsize=(2.6 * len(tables) * len(METRICS) + 2.5, 1.4 + 0.32 * len(order)),
        squeeze=False,
        layout="constrained",
    )
    panels = [(t, m) for t in range(len(tables)) for m in METRICS]
    everything = list(dict.fromkeys(p for task in tasks for p in protocols[task]))
    for ax, (t, metric) in zip(axes[0], panels, strict=True):
        table = tables[t].set_index("label").reindex(order)
        long = pd.concat(
            [
                pd.DataFrame(
                    {
                        "label": order,
                        "protocol": protocol,
                        "mean": table[f"{protocol}_{metric}_mean"].to_numpy(),
                        "sd": table[f"{protocol}_{metric}_sd"].to_numpy(),
                    }
                )
                for protocol in everything
                if f"{protocol}_{metric}_mean" in table
            ],
            ignore_index=True,
        )
        grouped_bars(ax, long, "label", "mean", "protocol", sd="sd")
        drawn = list(dict.fromkeys(long["protocol"]))
        for protocol, bars in zip(drawn, ax.containers, strict=False):
            for bar in bars:  # one colour per protocol across tasks
                bar.set_facecolor(COLOURS[everything.index(protocol)])
        ax.axvline(0, color="black", lw=0.8)
        ax.set(title=f"{tasks[t]} task", xlabel=METRICS[metric], ylabel="")
        ax.get_legend().remove()
    handles = [Patch(color=COLOURS[k], label=p) for k, p in enumerate(everything)]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    fig.suptitle("Mean ± SD over test folds: each protocol asks its own question")
    return fig
