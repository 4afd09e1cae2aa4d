"""Bar chart: accuracy and kappa of every gaze classifier, grouped folds vs the leaky split."""

from dataclasses import dataclass

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.eyetracking.figures import plot_fair_vs_leaky
from vigilance.plots import save_figure, use_style


@dataclass(frozen=True)
class Params:
    tasks: list
    dpi: int


def main(snakemake) -> None:
    params = Params(list(snakemake.params.tasks), snakemake.params.dpi)
    with script_context(snakemake):
        plt = use_style(params.dpi)
        tables = [pd.read_csv(path) for path in snakemake.input.tables]
        fig = plot_fair_vs_leaky(plt, tables, params.tasks)
        save_figure(fig, snakemake.output.png)


main(snakemake)  # noqa: F821 - injected by Snakemake
