"""The thesis' curve figures of one experiment, from its aggregated metrics: on OPPORTUNITY
Figs 3.6, 3.7, 4.1 (HPS), 4.3 (SPS) and 4.4 (CSN, with heat maps); on DEAP Figs 4.2 (HPS),
4.3 (SPS) and 4.5 (CSN, with heat maps). Panels: (a) every epoch with LOESS, (b) the last K
epochs with a line fit, (c) the cross-stitch weights."""

from dataclasses import dataclass

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.mtl.figures import plot_curves, plot_last_epochs, plot_stitches
from vigilance.plots import save_figure, use_style


@dataclass(frozen=True)
class FigureSettings:
    dataset: str
    main_metric: str
    main_tasks: tuple[str, ...]
    last_epochs: int
    dpi: int


def family(plt, curves, stitch, methods, s: FigureSettings, title: str, heat: bool):
    """(a) curves and (b) last epochs of ``methods``, and (c) heat maps when ``heat``."""
    rows = 3 if heat else 2
    fig = plt.figure(figsize=(5 * len(s.main_tasks), 3.6 * rows), layout="constrained")
    parts = fig.subfigures(rows, 1)
    tasks = list(s.main_tasks)
    axes = parts[0].subplots(1, len(tasks), squeeze=False)[0]
    plot_curves(plt, curves, methods, s.main_metric, tasks, "", axes=axes)
    parts[0].suptitle("(a) every epoch, LOESS")
    axes = parts[1].subplots(1, len(tasks), squeeze=False)[0]
    plot_last_epochs(plt, curves, s.main_metric, tasks, s.last_epochs, "", methods, axes=axes)
    parts[1].suptitle(f"(b) the last {s.last_epochs} epochs, line fits")
    if heat:
        plot_stitches(plt, stitch[stitch["method"].isin(methods)], "(c) cross-stitch", parts[2])
    fig.suptitle(f"{s.dataset} - {title}")
    return fig


def main(snakemake) -> None:
    out, p = snakemake.output, snakemake.params
    with script_context(snakemake):
        s = FigureSettings(
            dataset=snakemake.wildcards.get("dataset", "opportunity"),
            main_metric=p.main_metric,
            main_tasks=tuple(p.main_tasks),
            last_epochs=int(p.last_epochs),
            dpi=int(p.dpi),
        )
        plt = use_style(s.dpi)
        curves = pd.read_csv(snakemake.input.curves)
        runs = pd.read_csv(snakemake.input.runs).drop_duplicates("method")
        stitch = pd.read_csv(snakemake.input.stitch)

        def of(*models):
            return ["STL", *runs[runs["model"].isin(models)]["method"]]

        opp = s.dataset == "opportunity"
        families = {
            "hps": (of("HPS"), "Fig 4.1: HPS vs STL" if opp else "Fig 4.2: HPS vs STL", False),
            "sps": (of("SPS"), "Fig 4.3: SPS (trace norm) vs STL", False),
            "csn": (of("CSN"), "Fig 4.4: CSN vs STL" if opp else "Fig 4.5: CSN vs STL", True),
        }
        for key, (methods, title, heat) in families.items():
            save_figure(family(plt, curves, stitch, methods, s, title, heat), out[key])
        if not opp:
            return
        tasks = list(s.main_tasks)
        candidates = runs[
            runs["model"].isin(["STL", "LSTM", "CNNLSTM"]) & (runs["clip"] == "dataset")
        ]
        fig = plot_curves(
            plt,
            curves,
            list(candidates["method"]),
            s.main_metric,
            tasks,
            f"{s.dataset} - Fig 3.6: baseline candidates",
        )
        save_figure(fig, out.baselines)
        # Fig 3.7: the CNN with and without dropout, each on clipped and unclipped data.
        stl = list(runs[runs["model"] == "STL"]["method"])
        fig = plot_curves(
            plt,
            curves,
            stl,
            s.main_metric,
            tasks,
            f"{s.dataset} - Fig 3.7: clipped vs unclipped, with and without dropout",
        )
        save_figure(fig, out.clipping)


main(snakemake)  # noqa: F821 - injected by Snakemake
