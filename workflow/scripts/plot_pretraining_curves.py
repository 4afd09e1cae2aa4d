"""Figs 4.1-4.3 of thesis 000: validation loss per epoch, mean and 95 % band over seeds (Fig 4.3
on the mask-index rows, with the model's noised and kept rows as their own lines)."""

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.plots import save_figure, use_style
from vigilance.pretrain.report import band, plot_bands


def main(snakemake) -> None:
    out = snakemake.output
    with script_context(snakemake):
        curves = pd.read_csv(snakemake.input.curves)
        plt = use_style(snakemake.params.dpi)
        loss = band(curves, "loss_original")
        full = loss[loss["fraction"] == 1.0]
        fig = plot_bands(
            plt,
            [(f, full[full["features"] == f]) for f in sorted(full["features"].unique())],
            "Fig 4.1: with vs without calibration features",
            "validation MSE (9 original features)",
        )
        save_figure(fig, out.calibration)
        original = loss[loss["features"] == "original"]
        lines = [
            (f"{fr:.0%} of the drivers", original[original["fraction"] == fr])
            for fr in sorted(original["fraction"].unique(), reverse=True)
        ]
        save_figure(
            plot_bands(plt, lines, "Fig 4.2: all vs half of the drivers", "validation MSE"),
            out.fraction,
        )
        lines = []
        for metric, label in (
            ("loss_masked", "model, mask-index rows"),
            ("baseline_mean_visible_masked", "mean baseline, mask-index rows"),
            ("baseline_next_visible_masked", "next-row baseline, mask-index rows"),
            ("baseline_mean_masked", "mean baseline from the unmasked sequence (thesis)"),
            ("baseline_next_masked", "next-row baseline from the unmasked sequence (thesis)"),
            ("loss_noised", "model, noised rows (sees a scaled copy)"),
            ("loss_kept", "model, kept rows (sees the target)"),
        ):
            b = band(curves, metric)
            lines.append((label, b[(b["features"] == "original") & (b["fraction"] == 1.0)]))
        dashed = list(enumerate(lines))[3:]  # dotted: the thesis' baselines; dashed: seen rows
        save_figure(
            plot_bands(
                plt,
                lines,
                "Fig 4.3: the model vs the baselines on the mask-index rows",
                "validation MSE",
                {label: {"linestyle": ":" if i < 5 else "--"} for i, (label, _) in dashed},
            ),
            out.baselines,
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
