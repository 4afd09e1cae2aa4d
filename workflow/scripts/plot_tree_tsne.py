"""t-SNE of the fatigue branch's features, without and with LASE-Net (document 003, Fig. 5)."""

import numpy as np
from sklearn.manifold import TSNE

from vigilance.core.logs import script_context
from vigilance.plots import save_figure, use_style


def main(snakemake) -> None:
    p = snakemake.params
    with script_context(snakemake):
        plt = use_style(p.dpi)
        fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
        panels = (("without", "backbone only"), ("lase", "backbone + LASE-Net"))
        for ax, (key, title) in zip(axes, panels, strict=True):
            with np.load(snakemake.input[key]) as data:
                features, labels = data["features"], data["labels"]
            perplexity = min(p.perplexity, (len(features) - 1) / 3)
            points = TSNE(2, perplexity=perplexity, init="pca", random_state=p.seed).fit_transform(
                features.astype(np.float64)
            )
            for value, name in ((0, "alert"), (1, "drowsy")):
                keep = labels == value
                ax.scatter(points[keep, 0], points[keep, 1], s=12, label=name, color=f"C{value}")
            ax.set(title=title, xticks=[], yticks=[])
            ax.legend()
        save_figure(fig, snakemake.output[0])


main(snakemake)  # noqa: F821 - injected by Snakemake
