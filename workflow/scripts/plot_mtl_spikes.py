"""Fig 3.5: the OPPORTUNITY channel with the largest spike, its mean +- k sigma band, the
clipped signal and the ML_Both_Arms label bars (from the first file of the data set)."""

import numpy as np

from vigilance.core.logs import script_context
from vigilance.mtl.opportunity import CHANNELS, find_files, preprocess, read_dat
from vigilance.mtl.windows import clip_spikes
from vigilance.plots import save_figure, use_style


def main(snakemake) -> None:
    p = snakemake.params
    with script_context(snakemake) as log:
        plt = use_style(p.dpi)
        sigmas = p.settings["clip_sigmas"]
        path = next(iter(find_files(p.folder).values()))
        raw, labels = preprocess(read_dat(path), clip=False, sigmas=p.settings["clip_sigmas"])
        clipped, bounds = clip_spikes(raw, p.settings["clip_sigmas"])
        z = np.abs(raw - raw.mean(axis=0)) / (raw.std(axis=0) + 1e-12)
        ch = int(z.max(axis=0).argmax())
        log.info(
            "%s: channel %d (column %d), max |z| %.1f", path.name, ch, CHANNELS[ch], z[:, ch].max()
        )
        fig, (top, mid, bars) = plt.subplots(
            3, 1, figsize=(8, 5.5), sharex=True, gridspec_kw={"height_ratios": [3, 3, 1]}
        )
        top.plot(raw[:, ch], lw=0.7, label="raw (NaNs filled)")
        for b in bounds[:, ch]:
            top.axhline(b, color="C3", ls="--", lw=0.8)
        top.set(
            title=f"{path.name}, column {CHANNELS[ch]}: mean +- {sigmas:g} sigma",
            ylabel="value",
        )
        top.legend(fontsize="small")
        mid.plot(clipped[:, ch], lw=0.7, color="C2", label="clipped")
        mid.legend(fontsize="small")
        bars.imshow(labels[None, :, -1], aspect="auto", cmap="tab20", interpolation="nearest")
        bars.set(yticks=[], xlabel="sample", ylabel="ML")
        save_figure(fig, snakemake.output[0])


main(snakemake)  # noqa: F821 - injected by Snakemake
