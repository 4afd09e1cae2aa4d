"""Describe a blink data set: size and KSS tables, features by KSS level, KSS trajectories."""

import pandas as pd

from vigilance.blink import describe
from vigilance.blink.splits import read_manifest
from vigilance.core.logs import script_context
from vigilance.plots import save_figure, use_style
from vigilance.tables import write_table


def main(snakemake) -> None:
    out, name = snakemake.output, snakemake.wildcards.dataset
    with script_context(snakemake):
        blinks = pd.read_parquet(snakemake.input.blinks)
        manifest = read_manifest(snakemake.input.manifest)
        write_table(
            describe.size_table(blinks, manifest),
            out.size_csv,
            out.size_html,
            title=f"Size of {name}",
        )
        write_table(
            describe.kss_histogram(blinks, manifest),
            out.kss_csv,
            out.kss_html,
            title=f"KSS reports of {name} (labelled blinks)",
        )
        plt = use_style(snakemake.params.dpi)
        fig = describe.plot_features_by_kss(plt, blinks, snakemake.params.bins, 20000, seed=0)
        save_figure(fig, out.features)
        save_figure(describe.plot_kss_trajectories(plt, blinks, 6, seed=0), out.trajectories)


main(snakemake)  # noqa: F821 - injected by Snakemake
