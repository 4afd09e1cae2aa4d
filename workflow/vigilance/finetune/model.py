"""The fine-tuning model: the backbone and a KSS regression head on the last real row.

Thesis 000, section 3.5: the backbone output of each sequence's last non-padded row goes
through an MLP (hidden sizes, batch norm, dropout) to one value, the KSS; the loss is the mean
squared error. The backbone comes from a pre-training checkpoint (``pretrained_*``) or is
freshly initialised with the same architecture (``scratch``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from vigilance.models.backbone import Backbone, BackboneConfig, mlp


@dataclass(frozen=True)
class RegressionHeadConfig:
    """The head's MLP (thesis 000's fine-tuning best: hidden [16], dropout 0.16, batch norm)."""

    hidden: list[int] = field(default_factory=lambda: [16])
    batch_norm: bool = True
    dropout: float = 0.16

    def to_dict(self) -> dict:
        return asdict(self)


def last_real(h: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """The vector of each sequence's last real row.

    Args:
        h: (B, L, d) one vector per row.
        real: (B, L) True for real rows (padding at the end, as in the blink windows, or at
            the front, as in RLDD's sequences).

    Returns:
        (B, d); a sequence without real rows gets its last row.
    """
    length = real.shape[1]
    last = length - 1 - torch.flip(real, dims=[1]).to(torch.int8).argmax(dim=1)
    return h[torch.arange(h.shape[0], device=h.device), last]


class FinetuneModel(nn.Module):
    """Backbone and KSS head.

    Args:
        backbone: The backbone's architecture.
        head: The head's MLP.
    """

    def __init__(self, backbone: BackboneConfig, head: RegressionHeadConfig):
        super().__init__()
        self.backbone = Backbone(backbone)
        self.head = mlp([self.backbone.width, *head.hidden, 1], head.batch_norm, head.dropout)
        self.arch = {"backbone": backbone.to_dict(), "head": head.to_dict()}

    def forward(self, x: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        """Predict the KSS of each window.

        Args:
            x: (B, L, N) windows, PAD rows after the real ones.
            real: (B, L) True for real rows.

        Returns:
            (B,) continuous KSS predictions.
        """
        h = self.backbone(x, ~real)
        return self.head(last_real(h, real)).squeeze(-1)

    @torch.no_grad()
    def set_output_bias(self, value: float) -> None:
        """Start the head at a constant prediction (the training labels' mean), not at 0."""
        self.head[-1].bias.fill_(value)

    def load_backbone(self, path, device="cpu") -> None:
        """Copy the backbone weights of a pre-training encoder checkpoint.

        Raises:
            ValueError: When the checkpoint's architecture differs from this model's.
        """
        saved = torch.load(path, map_location=device, weights_only=False)
        theirs = saved["arch"]["backbone"]
        if theirs != self.arch["backbone"]:
            raise ValueError(
                f"{path}: backbone architecture {theirs} differs from {self.arch['backbone']}"
            )
        prefix = "backbone."
        state = {k[len(prefix) :]: v for k, v in saved["state"].items() if k.startswith(prefix)}
        self.backbone.load_state_dict(state)
