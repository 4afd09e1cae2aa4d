"""Figs 3.6, 3.7 and 4.1 to 4.5 of one experiment, from its aggregated metrics."""

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.mtl.figures import plot_curves, plot_last_epochs, plot_stitches
from vigilance.plots import save_figure, use_style


def main(snakemake) -> None:
    out, s, name = snakemake.output, snakemake.params.settings, snakemake.wildcards.dataset
    with script_context(snakemake):
        plt = use_style(snakemake.params.dpi)
        curves = pd.read_csv(snakemake.input.curves)
        runs = pd.read_csv(snakemake.input.runs).drop_duplicates("method")
        stitch = pd.read_csv(snakemake.input.stitch)
        metric, tasks = s["main_metric"], s["main_tasks"]
        plain = runs[(runs["clip"] == "dataset") & (runs["dropout"] < 0)]
        stl = list(plain[plain["model"] == "STL"]["method"])

        def of(*models):
            return stl + list(runs[runs["model"].isin(models)]["method"])

        figures = {
            "hps": (of("HPS"), "Fig 4.1: hard parameter sharing vs STL"),
            "sps": (of("SPS"), "Fig 4.3: trace-norm soft sharing vs STL"),
            "csn": (of("CSN"), "Fig 4.4: cross-stitch vs STL"),
            "baselines": (
                list(
                    runs[
                        runs["model"].isin(["STL", "LSTM", "CNNLSTM"]) & (runs["clip"] == "dataset")
                    ]["method"]
                ),
                "Fig 3.6: baseline candidates",
            ),
            "clipping": (
                list(runs[runs["model"] == "STL"]["method"]),
                "Fig 3.7: clipped vs unclipped",
            ),
        }
        for key, (methods, title) in figures.items():
            fig = plot_curves(plt, curves, methods, metric, tasks, f"{name} - {title}")
            save_figure(fig, out[key])
        fig = plot_last_epochs(plt, curves, metric, tasks, s["last_epochs"], f"{name} - Fig 4.2")
        save_figure(fig, out.last)
        save_figure(
            plot_stitches(plt, stitch, f"{name} - Fig 4.5: cross-stitch weights"), out.stitch
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
