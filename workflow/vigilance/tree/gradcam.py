"""Grad-CAM of each branch of the tree, on the output of its LASE-Net (document 003, Fig. 4).

Selvaraju, Cogswell, Das, Vedantam, Parikh and Batra (2017), "Grad-CAM: Visual explanations
from deep networks via gradient-based localization", ICCV: the feature map A (C, H, W) of a
layer and the gradient of a score y with respect to it give channel weights a_c = mean over
H, W of dy/dA_c, and the map ReLU(sum_c a_c A_c), upsampled to the image and scaled to [0, 1].
Scores: the fatigue logit for the fatigue branch; for the face branch, which has no class
score at test time (unseen faces), the norm of the embedding (what drives this face's
representation).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from vigilance.tree.model import TSCAF


def grad_cam(model: TSCAF, images: torch.Tensor, branch: str) -> torch.Tensor:
    """Maps (B, H, W) in [0, 1] of ``branch`` (fatigue or face) for images (B, 3, H, W)."""
    model.eval()
    module = getattr(model, branch).lase
    saved = {}

    def keep(_module, _inputs, output):
        output.retain_grad()
        saved["a"] = output

    handle = module.register_forward_hook(keep)
    try:
        images = images.clone().requires_grad_(True)
        if branch == "fatigue":
            score = model.fatigue_logits(images).sum()
        else:
            score = model.embed(images).norm(dim=1).sum()
        score.backward()
    finally:
        handle.remove()
    a = saved["a"]
    weights = a.grad.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((weights * a).sum(dim=1, keepdim=True))
    cam = F.interpolate(cam, size=images.shape[-2:], mode="bilinear", align_corners=False)[:, 0]
    peak = cam.flatten(1).amax(dim=1).clamp_min(1e-12)[:, None, None]
    return (cam / peak).detach()
