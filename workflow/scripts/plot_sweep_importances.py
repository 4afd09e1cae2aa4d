"""Figs 3.4 and 3.7 of thesis 000: hyper-parameter importances of a sweep."""

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.plots import save_figure, use_style
from vigilance.pretrain.report import plot_importances


def main(snakemake) -> None:
    with script_context(snakemake):
        plt = use_style(snakemake.params.dpi)
        table = pd.read_csv(snakemake.input[0])
        save_figure(plot_importances(plt, table, snakemake.params.part), snakemake.output[0])


main(snakemake)  # noqa: F821 - injected by Snakemake
