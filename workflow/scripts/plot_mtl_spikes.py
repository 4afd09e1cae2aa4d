"""Fig 3.5: two OPPORTUNITY channels, the second the one with the largest spike, each with its
mean (black) and the mean +- k sigma lines (red); the second channel clipped to them; and the
ML_Both_Arms label bars (coloured where not NULL), from the first file of the data set."""

from dataclasses import dataclass

import numpy as np

from vigilance.core.logs import script_context
from vigilance.mtl.opportunity import CHANNELS, find_files, preprocess, read_dat
from vigilance.mtl.windows import clip_spikes
from vigilance.plots import save_figure, use_style


@dataclass(frozen=True)
class SpikeSettings:
    folder: str
    clip_sigmas: float
    dpi: int


def _band(ax, values, mean, bounds, label, color="C0"):
    ax.plot(values, lw=0.7, color=color, label=label)
    ax.axhline(mean, color="k", lw=0.8, label="mean")
    for b in bounds:
        ax.axhline(b, color="C3", ls="--", lw=0.8)
    ax.legend(fontsize="small", loc="upper right")


def main(snakemake) -> None:
    p = snakemake.params
    with script_context(snakemake) as log:
        s = SpikeSettings(folder=str(p.folder), clip_sigmas=float(p.clip_sigmas), dpi=int(p.dpi))
        plt = use_style(s.dpi)
        path = next(iter(find_files(s.folder).values()))
        raw, labels = preprocess(read_dat(path), clip=False, sigmas=s.clip_sigmas)
        clipped, bounds = clip_spikes(raw, s.clip_sigmas)
        mean = raw.mean(axis=0)
        z = np.abs(raw - mean).max(axis=0) / (raw.std(axis=0) + 1e-12)
        spiked, calm = int(z.argmax()), int(z.argmin())
        log.info(
            "%s: spiked column %d (max |z| %.1f), calm column %d",
            path.name,
            CHANNELS[spiked],
            z[spiked],
            CHANNELS[calm],
        )
        fig, axes = plt.subplots(
            4, 1, figsize=(8, 7.5), sharex=True, gridspec_kw={"height_ratios": [3, 3, 3, 1]}
        )
        sigma = f"mean +- {s.clip_sigmas:g} sigma"
        _band(axes[0], raw[:, calm], mean[calm], bounds[:, calm], f"column {CHANNELS[calm]}")
        _band(
            axes[1], raw[:, spiked], mean[spiked], bounds[:, spiked], f"column {CHANNELS[spiked]}"
        )
        _band(
            axes[2],
            clipped[:, spiked],
            mean[spiked],
            bounds[:, spiked],
            f"column {CHANNELS[spiked]}, clipped",
            color="C2",
        )
        axes[0].set_title(f"{path.name}: two channels, {sigma} (red)")
        ml = np.ma.masked_equal(labels[None, :, -1], 0)  # NULL left blank
        axes[3].imshow(ml, aspect="auto", cmap="tab20", interpolation="nearest")
        axes[3].set(yticks=[], xlabel="sample", ylabel="ML_Both_Arms")
        save_figure(fig, snakemake.output[0])


main(snakemake)  # noqa: F821 - injected by Snakemake
