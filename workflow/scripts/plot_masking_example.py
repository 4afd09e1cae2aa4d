"""Fig 3.3 of thesis 000: one blink sequence before and after masking."""

import torch

from vigilance.blink.format import FEATURE_SETS
from vigilance.core.logs import script_context
from vigilance.plots import save_figure, use_style
from vigilance.pretrain.data import load_pretrain_data
from vigilance.pretrain.masking import MaskingConfig, mask_rows
from vigilance.pretrain.report import plot_masking_example


def main(snakemake) -> None:
    p = snakemake.params
    with script_context(snakemake):
        train, _, _ = load_pretrain_data(*snakemake.input, "original", 1.0, p.window)
        generator = torch.Generator().manual_seed(p.seed)
        idx = torch.randint(0, len(train), (1,), generator=generator)
        x, real, _ = train.gather(idx)
        masking = MaskingConfig(**p.masking)
        masked, _, treatment = mask_rows(x, real, masking, generator)
        plt = use_style(p.dpi)
        fig = plot_masking_example(
            plt,
            x[0].numpy(),
            masked[0].numpy(),
            treatment[0].numpy(),
            FEATURE_SETS["original"],
            masking.mask_value,
        )
        save_figure(fig, snakemake.output[0])


main(snakemake)  # noqa: F821 - injected by Snakemake
