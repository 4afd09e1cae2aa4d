"""Grad-CAM of each branch of the tree, on the output of its LASE-Net (document 003, Fig. 4).

Selvaraju, Cogswell, Das, Vedantam, Parikh and Batra (2017), "Grad-CAM: Visual explanations
from deep networks via gradient-based localization", ICCV: the feature map A (C, H, W) of a
layer and the gradient of a score y with respect to it give channel weights a_c = mean over
H, W of dy/dA_c, and the map ReLU(sum_c a_c A_c), upsampled to the image and scaled to [0, 1].

Scores: for the fatigue branch, the logit of the *predicted* class (the drowsy logit for an
image called drowsy, its negative for one called alert), so an alert image shows what made it
alert; for the face branch, which has no class score for unseen faces, the cosine similarity
of the embedding to the identity's centre (the mean embedding of that person's images), i.e.
what makes this face look like its owner.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _score(model, images: torch.Tensor, branch: str, centres) -> torch.Tensor:
    if branch == "fatigue":
        logits = model.fatigue_logits(images)
        return (logits * torch.where(logits.detach() >= 0, 1.0, -1.0)).sum()
    if centres is None:
        raise ValueError("the face branch's Grad-CAM needs the identities' centres")
    return (F.normalize(model.embed(images)) * F.normalize(centres.detach())).sum()


def grad_cam(model, images: torch.Tensor, branch: str, centres=None) -> torch.Tensor:
    """Maps (B, H, W) in [0, 1] of ``branch`` (fatigue or face) for images (B, 3, H, W).

    Args:
        model: a :class:`vigilance.tree.model.TSCAF` (anything with ``<branch>.lase``,
            ``fatigue_logits`` and ``embed``).
        centres: (B, D) the centre of each image's identity (face branch only).
    """
    model.eval()
    module = getattr(model, branch).lase
    saved = {}

    def keep(_module, _inputs, output):
        output.retain_grad()
        saved["a"] = output

    handle = module.register_forward_hook(keep)
    try:
        images = images.clone().requires_grad_(True)
        _score(model, images, branch, centres).backward()
    finally:
        handle.remove()
    a = saved["a"]
    weights = a.grad.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((weights * a).sum(dim=1, keepdim=True))
    cam = F.interpolate(cam, size=images.shape[-2:], mode="bilinear", align_corners=False)[:, 0]
    peak = cam.flatten(1).amax(dim=1).clamp_min(1e-12)[:, None, None]
    return (cam / peak).detach()


@torch.no_grad()
def identity_centres(model, images: torch.Tensor, people) -> torch.Tensor:
    """(B, D): for each image, the normalised mean embedding of all images of its person."""
    people = torch.as_tensor(people)
    emb = F.normalize(model.embed(images))
    centres = torch.stack([emb[people == p].mean(0) for p in people.tolist()])
    return F.normalize(centres)
