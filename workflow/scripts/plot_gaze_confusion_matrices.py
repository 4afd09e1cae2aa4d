"""Plot the confusion matrices of the best trivial, classical and deep model of one task."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vigilance.core.logs import script_context
from vigilance.plots import save_figure, use_style


@dataclass(frozen=True)
class Params:
    task: str
    protocol: str
    dpi: int


def main(snakemake) -> None:
    params = Params(snakemake.wildcards.task, snakemake.params.protocol, snakemake.params.dpi)
    with script_context(snakemake):
        plt = use_style(params.dpi)
        confusion = pd.read_csv(snakemake.input.confusion, dtype={"true": str, "pred": str})
        models = list(dict.fromkeys(confusion["label"]))
        classes = list(dict.fromkeys(confusion["true"]))
        size = 2.2 + 0.28 * len(classes)
        fig, axes = plt.subplots(
            1,
            len(models),
            figsize=(size * len(models), size),
            squeeze=False,
            constrained_layout=True,
        )
        for ax, model in zip(axes[0], models, strict=True):
            part = confusion[confusion["label"] == model]
            counts = part.pivot(index="true", columns="pred", values="count")
            counts = counts.loc[classes, classes].to_numpy(dtype=float)
            rates = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
            image = ax.imshow(rates, vmin=0, vmax=1, cmap="Blues")
            ax.grid(False)
            ax.set_xticks(range(len(classes)), classes, rotation=90 if len(classes) > 6 else 0)
            ax.set_yticks(range(len(classes)), classes)
            ax.set(xlabel="predicted", ylabel="true", title=f"{part['family'].iloc[0]}: {model}")
            ax.title.set_fontsize(9)
            if len(classes) <= 6:
                for (i, j), rate in np.ndenumerate(rates):
                    ax.text(
                        j,
                        i,
                        f"{rate:.2f}",
                        ha="center",
                        va="center",
                        color="white" if rate > 0.5 else "black",
                        fontsize=8,
                    )
        fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8, label="share of the true class")
        fig.suptitle(
            f"{params.task} task, {params.protocol} protocol: pooled out-of-fold predictions"
        )
        save_figure(fig, snakemake.output.png)


main(snakemake)  # noqa: F821 - injected by Snakemake
