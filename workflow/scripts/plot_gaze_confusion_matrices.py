"""Plot the confusion matrices of the best trivial, classical and deep model of one task."""

from dataclasses import dataclass

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.eyetracking.figures import plot_confusion_matrices
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
        fig = plot_confusion_matrices(plt, confusion, params.task, params.protocol)
        save_figure(fig, snakemake.output.png)


main(snakemake)  # noqa: F821 - injected by Snakemake
