"""Figures of the eye-tracking part, drawn from the scoring rules' tables only.

- The confusion matrices of the best classical and the best deep model of a task (pooled
  out-of-fold predictions of the grouped scheme), row-normalised, as seaborn heat maps.
- The fair-versus-leaky bars: accuracy and kappa of every classifier, grouped folds beside the
  leaky random split, mean +- SD over test folds, as grouped seaborn bars.
"""

from __future__ import annotations

import pandas as pd

from vigilance.plots import confusion_heatmap, fit_tick_labels, grouped_bars

METRICS = {"accuracy": "accuracy", "kappa": "Cohen's kappa"}
SCHEMES = {"grouped": "grouped by recording (fair)", "leaky": "random chunks (leaky)"}


def plot_confusion_matrices(plt, confusion: pd.DataFrame, task: str):
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
    fig.suptitle(f"{task} task: grouped 10-fold CV, pooled out-of-fold predictions")
    return fit_tick_labels(fig)


def plot_fair_vs_leaky(plt, tables: list[pd.DataFrame], tasks: list[str]):
    """Accuracy and kappa (mean +- SD over folds) of every classifier, per task and scheme.

    Args:
        tables: One comparison table per task (``label``, ``<scheme>_<metric>_mean|sd``);
            the classifiers are drawn in the order of the first (best grouped kappa on top).
        tasks: The task names, in the order of ``tables``.
    """
    order = list(tables[0]["label"])
    fig, axes = plt.subplots(
        1,
        len(tables) * len(METRICS),
        sharey=True,
        figsize=(2.6 * len(tables) * len(METRICS) + 2.5, 1.4 + 0.32 * len(order)),
        squeeze=False,
        layout="constrained",
    )
    panels = [(t, m) for t in range(len(tables)) for m in METRICS]
    for ax, (t, metric) in zip(axes[0], panels, strict=True):
        table = tables[t].set_index("label").loc[order]
        long = pd.concat(
            [
                pd.DataFrame(
                    {
                        "label": order,
                        "scheme": name,
                        "mean": table[f"{scheme}_{metric}_mean"].to_numpy(),
                        "sd": table[f"{scheme}_{metric}_sd"].to_numpy(),
                    }
                )
                for scheme, name in SCHEMES.items()
                if f"{scheme}_{metric}_mean" in table
            ],
            ignore_index=True,
        )
        grouped_bars(ax, long, "label", "mean", "scheme", sd="sd")
        ax.axvline(0, color="black", lw=0.8)
        ax.set(title=f"{tasks[t]} task", xlabel=METRICS[metric], ylabel="")
        ax.get_legend().remove()
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), frameon=False)
    fig.suptitle("Mean ± SD over test folds: the leak of chunks across the split")
    return fig
