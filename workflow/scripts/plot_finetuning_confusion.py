"""Figs 4.6-4.8 of thesis 000: 4-level test confusion matrices of the three inits."""

import pandas as pd

from vigilance.blink.describe import level_names
from vigilance.core.logs import script_context
from vigilance.finetune.report import confusion, plot_confusion
from vigilance.plots import save_figure, use_style

TITLES = {
    "pretrained_all": "Pre-trained on all drivers",
    "pretrained_half": "Pre-trained on half of the drivers",
    "scratch": "From scratch",
}


def main(snakemake) -> None:
    p = snakemake.params
    with script_context(snakemake) as log:
        plt = use_style(p.dpi)
        for init, title in TITLES.items():
            files = [path for key, path in snakemake.input.items() if key.startswith(init + "_")]
            counts = sum(
                confusion(frame["kss"], frame["predicted"], p.bins)
                for frame in (pd.read_csv(path) for path in files)
            )
            log.info("%s: %d test windows over %d runs", init, counts.sum(), len(files))
            title = f"{title}: test set, {len(files)} runs (folds x seeds) pooled"
            save_figure(
                plot_confusion(plt, counts, level_names(p.bins), title), snakemake.output[init]
            )


main(snakemake)  # noqa: F821 - injected by Snakemake
