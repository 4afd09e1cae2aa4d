"""Bar chart: accuracy and kappa of every gaze classifier under each protocol of each task."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vigilance.core.logs import script_context
from vigilance.eyetracking.protocols import PROTOCOLS
from vigilance.plots import save_figure, use_style

METRICS = {"accuracy": "accuracy", "kappa": "Cohen's kappa"}
COLOURS = {protocol: f"C{k}" for k, protocol in enumerate(PROTOCOLS)}  # one per protocol


@dataclass(frozen=True)
class Params:
    protocols: dict  # task -> its protocols (the first ranks the models)
    dpi: int


def main(snakemake) -> None:
    params = Params(dict(snakemake.params.protocols), snakemake.params.dpi)
    with script_context(snakemake):
        plt = use_style(params.dpi)
        tasks = list(params.protocols)
        tables = [pd.read_csv(path) for path in snakemake.input.tables]
        order = list(tables[0]["label"])[::-1]  # best (first protocol, first task) on top
        y = np.arange(len(order))
        panels = [(t, m) for t in range(len(tables)) for m in METRICS]
        fig, axes = plt.subplots(
            1,
            len(panels),
            sharey=True,
            figsize=(3.2 * len(panels), 1.2 + 0.35 * len(order)),
            squeeze=False,
            constrained_layout=True,
        )
        for ax, (t, metric) in zip(axes[0], panels, strict=True):
            table = tables[t].set_index("label").reindex(order)
            protocols = params.protocols[tasks[t]]
            height = 0.8 / len(protocols)
            for k, protocol in enumerate(protocols):
                ax.barh(
                    y + 0.4 - height * (k + 0.5),
                    table[f"{protocol}_{metric}_mean"],
                    height=height,
                    xerr=table[f"{protocol}_{metric}_sd"].fillna(0),
                    label=protocol,
                    color=COLOURS[protocol],
                    error_kw={"lw": 0.8},
                )
            ax.axvline(0, color="black", lw=0.8)
            ax.set(title=f"{tasks[t]} task", xlabel=METRICS[metric])
            if metric == "accuracy":
                ax.legend(loc="lower right", fontsize=7)
        axes[0][0].set_yticks(y, order)
        fig.suptitle("Mean ± SD over test folds: each protocol asks its own question")
        save_figure(fig, snakemake.output.png)


main(snakemake)  # noqa: F821 - injected by Snakemake
