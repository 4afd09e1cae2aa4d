"""Figs 4.4 and 4.5 of thesis 000 (validation KPI per epoch) and the label-efficiency figure."""

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.finetune.report import KPI, band, label_efficiency, select
from vigilance.plots import save_figure, use_style
from vigilance.pretrain.report import plot_bands

YLABEL = "validation KPI (quadratic-weighted kappa, 4 levels)"


def main(snakemake) -> None:
    p, out = snakemake.params, snakemake.output
    with script_context(snakemake):
        plt = use_style(p.dpi)
        curves = pd.read_csv(snakemake.input.curves)
        test = pd.read_csv(snakemake.input.test)
        bands = band(curves, KPI)
        lines = [(name, select(bands, "pretrained_all", name)) for name in p.strategies]
        title = "Unfreezing strategies (encoder pre-trained on all drivers)"
        save_figure(plot_bands(plt, lines, title, YLABEL), out.strategies)
        lines = [
            (
                f"pretrained_all ({p.best_strategy})",
                select(bands, "pretrained_all", p.best_strategy),
            ),
            (
                f"pretrained_half ({p.best_strategy})",
                select(bands, "pretrained_half", p.best_strategy),
            ),
            ("scratch (everything trains)", select(bands, "scratch")),
        ]
        title = "Pre-trained on all or half of the drivers vs from scratch"
        save_figure(plot_bands(plt, lines, title, YLABEL), out.inits)
        fig, ax = plt.subplots()
        for init, frame in label_efficiency(test, p.best_strategy).items():
            label = f"pretrained_all ({p.pretext})" if init == "pretrained_all" else init
            ax.plot(frame["share"], frame["mean"], marker="o", label=label)
            if frame["low"].notna().any():
                ax.fill_between(frame["share"], frame["low"], frame["high"], alpha=0.2)
        ax.set_xscale("log")
        ax.set_xticks(
            sorted(test["share"].unique()), [f"{s:g}" for s in sorted(test["share"].unique())]
        )
        ax.set_xlabel("share of the fine-tuning training drivers with labels")
        ax.set_ylabel("test KPI (quadratic-weighted kappa, 4 levels)")
        ax.set_title("Label efficiency: each pretext's encoder vs from scratch")
        ax.legend()
        save_figure(fig, out.efficiency)


main(snakemake)  # noqa: F821 - injected by Snakemake
