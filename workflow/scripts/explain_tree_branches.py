"""Grad-CAM maps of the fatigue and face branches on sample test images (document 003, Fig. 4)."""

from dataclasses import dataclass

import numpy as np
import torch

from vigilance.core.logs import script_context
from vigilance.plots import save_figure, use_style
from vigilance.tree.data import load_npz
from vigilance.tree.gradcam import grad_cam, identity_centres
from vigilance.tree.model import build_model
from vigilance.tree.splits import held_out
from vigilance.tree.train import to_tensor


@dataclass(frozen=True)
class Settings:
    """Figure resolution and how many test images are shown."""

    dpi: int
    images: int


def main(snakemake) -> None:
    s = Settings(int(snakemake.params.dpi), int(snakemake.params.images))
    with script_context(snakemake):
        torch.set_num_threads(1)
        saved = torch.load(snakemake.input.model, map_location="cpu", weights_only=False)
        model = build_model(saved["style"], saved["config"], saved["identities"])
        model.load_state_dict(saved["state"])
        fatigue = load_npz(snakemake.input.fatigue)
        test = np.flatnonzero(held_out(fatigue, saved["split"], saved["replicate"]))
        labels = fatigue["labels"][test]
        drowsy = test[labels == 1][: (s.images + 1) // 2]  # both states are shown
        pick = np.concatenate([drowsy, test[labels == 0][: s.images - len(drowsy)]])
        images = to_tensor(fatigue["images"][pick])
        # Identity centres from all test images of each shown driver (or the image itself
        # when drivers are unknown).
        who = fatigue["driver"][test]
        who = np.where(who >= 0, who, -1 - np.arange(len(who)))
        centres = identity_centres(model, to_tensor(fatigue["images"][test]), who)
        centres = centres[[int(np.flatnonzero(test == i)[0]) for i in pick]]
        maps = {
            "fatigue": grad_cam(model, images, "fatigue").numpy(),
            "face": grad_cam(model, images, "face", centres).numpy(),
        }
        plt = use_style(s.dpi)
        fig, axes = plt.subplots(3, len(pick), figsize=(1.8 * len(pick), 5.6), squeeze=False)
        for j, index in enumerate(pick):
            state = "drowsy" if fatigue["labels"][index] else "alert"
            axes[0, j].imshow(fatigue["images"][index])
            axes[0, j].set_title(state)
            for i, branch in enumerate(("fatigue", "face"), start=1):
                axes[i, j].imshow(fatigue["images"][index])
                axes[i, j].imshow(maps[branch][j], cmap="jet", alpha=0.45, vmin=0, vmax=1)
                axes[i, 0].set_ylabel(f"{branch} branch")
        for ax in axes.flat:
            ax.set_xticks([])
            ax.set_yticks([])
        save_figure(fig, snakemake.output[0])


main(snakemake)  # noqa: F821 - injected by Snakemake
