"""The tree (one shared root, two branches) and the parallel pair (a root per task).

:class:`TSCAF` is document 003's tree: root -> fatigue branch (LASE-Net + BCE head) and root ->
face branch (LASE-Net + 512-d embedding + sub-centre ArcFace). :class:`ParallelPair` is the same
two branches each on its own copy of the root: the 'separate models' of Table 5 and the
parallel-style pair of Table 1. Both expose the same interface, so one trainer serves both.
"""

from __future__ import annotations

import torch
from torch import nn

from vigilance.tree.blocks import FaceBranch, FatigueBranch, SubCenterArcFace
from vigilance.tree.roots import build_root


def _shape(root: nn.Module, image_size: int) -> tuple[int, int, int]:
    was = root.training
    root.eval()
    with torch.no_grad():
        _, c, h, w = root(torch.zeros(1, 3, image_size, image_size)).shape
    root.train(was)
    return c, h, w


class TSCAF(nn.Module):
    """Tree-style space-channel attention fusion network (document 003, Fig. 1).

    Args:
        cfg: the ``tree.model`` config (root, attention, la_reduction, embedding, arcface).
        identities: number of training identities of the face task.
        image_size: side of the square input images.
    """

    shared = True

    def __init__(self, cfg: dict, identities: int, image_size: int = 112):
        super().__init__()
        self.root = build_root(cfg["root"])
        c, h, w = _shape(self.root, image_size)
        self.fatigue = FatigueBranch(c, cfg["attention"], cfg["la_reduction"])
        self.face = FaceBranch(c, h, w, cfg["embedding"], cfg["attention"], cfg["la_reduction"])
        arc = cfg["arcface"]
        self.arcface = SubCenterArcFace(
            cfg["embedding"], identities, arc["subcenters"], arc["margin"], arc["scale"]
        )

    def fatigue_root(self) -> nn.Module:
        return self.root

    def face_root(self) -> nn.Module:
        return self.root

    def fatigue_logits(self, images: torch.Tensor) -> torch.Tensor:
        """images: (B, 3, H, W) -> (B,) logits of 'drowsy'."""
        return self.fatigue(self.fatigue_root()(images))

    def fatigue_features(self, images: torch.Tensor) -> torch.Tensor:
        """images -> (B, C): the fatigue branch's vector before its last FC layer."""
        return self.fatigue.head.features(self.fatigue.lase(self.fatigue_root()(images)))

    def embed(self, images: torch.Tensor) -> torch.Tensor:
        """images: (B, 3, H, W) -> (B, embedding) face embeddings."""
        return self.face(self.face_root()(images))

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Serve both tasks: (fatigue logits (B,), embeddings (B, D)); the root runs once."""
        shared = self.root(images)
        return self.fatigue(shared), self.face(shared)

    def fatigue_parameters(self) -> list[nn.Parameter]:
        """What a fatigue batch updates: root + fatigue branch."""
        return [*self.fatigue_root().parameters(), *self.fatigue.parameters()]

    def face_parameters(self) -> list[nn.Parameter]:
        """What a face batch updates: root + face branch + ArcFace centres."""
        return [*self.face_root().parameters(), *self.face.parameters(), *self.arcface.parameters()]


class ParallelPair(TSCAF):
    """Two separate models, root + fatigue branch and root + face branch (Table 5's 'parallel')."""

    shared = False

    def __init__(self, cfg: dict, identities: int, image_size: int = 112):
        super().__init__(cfg, identities, image_size)
        self.face_root_module = build_root(cfg["root"])

    def face_root(self) -> nn.Module:
        return self.face_root_module

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Serve both tasks: each model runs its own root."""
        return self.fatigue_logits(images), self.embed(images)


MODELS = {"tree": TSCAF, "separate": ParallelPair}


def build_model(style: str, cfg: dict, identities: int, image_size: int = 112) -> TSCAF:
    """The tree (``style`` tree) or the pair (``separate``)."""
    return MODELS[style](cfg, identities, image_size)
