"""Bar chart: accuracy and kappa of every gaze classifier, grouped folds vs the leaky split."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vigilance.core.logs import script_context
from vigilance.plots import save_figure, use_style

METRICS = {"accuracy": "accuracy", "kappa": "Cohen's kappa"}
SCHEMES = {"grouped": "grouped by recording (fair)", "leaky": "random chunks (leaky)"}


@dataclass(frozen=True)
class Params:
    tasks: list
    dpi: int


def main(snakemake) -> None:
    params = Params(list(snakemake.params.tasks), snakemake.params.dpi)
    with script_context(snakemake):
        plt = use_style(params.dpi)
        tables = [pd.read_csv(path) for path in snakemake.input.tables]
        order = list(tables[0]["label"])[::-1]  # best (grouped kappa, first task) on top
        y = np.arange(len(order))
        fig, axes = plt.subplots(
            1,
            len(tables) * len(METRICS),
            sharey=True,
            figsize=(3.2 * len(tables) * len(METRICS), 1.2 + 0.3 * len(order)),
            squeeze=False,
            constrained_layout=True,
        )
        panels = [(t, m) for t in range(len(tables)) for m in METRICS]
        for ax, (t, metric) in zip(axes[0], panels, strict=True):
            table = tables[t].set_index("label").loc[order]
            for k, scheme in enumerate(SCHEMES):
                mean = table[f"{scheme}_{metric}_mean"]
                sd = table[f"{scheme}_{metric}_sd"].fillna(0)
                ax.barh(
                    y + (0.2 if k == 0 else -0.2),
                    mean,
                    height=0.4,
                    xerr=sd,
                    label=SCHEMES[scheme],
                    error_kw={"lw": 0.8},
                )
            ax.axvline(0, color="black", lw=0.8)
            ax.set(title=f"{params.tasks[t]} task", xlabel=METRICS[metric])
        axes[0][0].set_yticks(y, order)
        axes[0][0].legend(loc="lower right", fontsize=8)
        fig.suptitle("Mean ± SD over test folds: the leak of chunks across the split")
        save_figure(fig, snakemake.output.png)


main(snakemake)  # noqa: F821 - injected by Snakemake
