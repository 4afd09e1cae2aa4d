"""Bar chart: accuracy and kappa of every gaze classifier under each protocol of each task."""

from dataclasses import dataclass

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.eyetracking.figures import plot_protocols
from vigilance.plots import save_figure, use_style


@dataclass(frozen=True)
class Params:
    protocols: dict  # task -> its protocols (the first ranks the models)
    dpi: int


def main(snakemake) -> None:
    params = Params(dict(snakemake.params.protocols), snakemake.params.dpi)
    with script_context(snakemake):
        plt = use_style(params.dpi)
        tables = [pd.read_csv(path) for path in snakemake.input.tables]
        fig = plot_protocols(plt, tables, params.protocols)
        save_figure(fig, snakemake.output.png)


main(snakemake)  # noqa: F821 - injected by Snakemake
