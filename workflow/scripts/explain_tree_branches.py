"""Grad-CAM maps of the fatigue and face branches on sample test images (document 003, Fig. 4)."""

import numpy as np
import torch

from vigilance.core.logs import script_context
from vigilance.plots import save_figure, use_style
from vigilance.tree.data import load_npz
from vigilance.tree.gradcam import grad_cam
from vigilance.tree.model import build_model
from vigilance.tree.train import to_tensor


def main(snakemake) -> None:
    p = snakemake.params
    with script_context(snakemake):
        torch.set_num_threads(1)
        saved = torch.load(snakemake.input.model, map_location="cpu", weights_only=False)
        model = build_model(saved["style"], saved["config"], saved["identities"])
        model.load_state_dict(saved["state"])
        fatigue = load_npz(snakemake.input.fatigue)
        test = np.flatnonzero(fatigue["split"] == "test")
        labels = fatigue["labels"][test]
        drowsy = test[labels == 1][: (p.images + 1) // 2]  # both states are shown
        pick = np.concatenate([drowsy, test[labels == 0][: p.images - len(drowsy)]])
        images = fatigue["images"][pick]
        maps = {b: grad_cam(model, to_tensor(images), b).numpy() for b in ("fatigue", "face")}
        plt = use_style(p.dpi)
        fig, axes = plt.subplots(3, len(pick), figsize=(1.8 * len(pick), 5.6), squeeze=False)
        for j, image in enumerate(images):
            state = "drowsy" if fatigue["labels"][pick[j]] else "alert"
            axes[0, j].imshow(image)
            axes[0, j].set_title(state)
            for i, branch in enumerate(("fatigue", "face"), start=1):
                axes[i, j].imshow(image)
                axes[i, j].imshow(maps[branch][j], cmap="jet", alpha=0.45, vmin=0, vmax=1)
                axes[i, 0].set_ylabel(f"{branch} branch")
        for ax in axes.flat:
            ax.set_xticks([])
            ax.set_yticks([])
        save_figure(fig, snakemake.output[0])


main(snakemake)  # noqa: F821 - injected by Snakemake
