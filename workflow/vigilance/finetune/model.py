"""The fine-tuning model: the backbone, a pooling of its rows and a KSS regression head.

Thesis 000, section 3.5: the backbone output of each sequence's last non-padded row goes
through an MLP (hidden sizes, batch norm, dropout) to one value, the KSS; the loss is the mean
squared error. The backbone comes from a pre-training checkpoint (``pretrained_*``) or is
freshly initialised with the same architecture (``scratch``).

What the head reads is a registry (:data:`POOLING`; thesis 6.1 proposes passing more than the
last row): ``last`` (the thesis), ``mean`` (the mean of the real rows' vectors) and
``attention`` (attention pooling: a learned score per row, softmax over the real rows, the
weighted mean; Ilse, Tomczak and Welling 2018, "Attention-based Deep Multiple Instance
Learning", ICML, eq. 8 without the gate). Padded rows never count, wherever the padding is
(the end for the blink windows, the front for RLDD's sequences).
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
    pooling: str = "last"

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


class LastPooling(nn.Module):
    """``last``: the vector of the last real row (thesis 000)."""

    def __init__(self, width: int):
        super().__init__()

    def forward(self, h: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        return last_real(h, real)


class MeanPooling(nn.Module):
    """``mean``: the mean of the real rows' vectors."""

    def __init__(self, width: int):
        super().__init__()

    def forward(self, h: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        weights = real[..., None].to(h.dtype)
        return (h * weights).sum(1) / weights.sum(1).clamp(min=1)


class AttentionPooling(nn.Module):
    """``attention``: softmax of a learned score (a small tanh MLP) over the real rows."""

    def __init__(self, width: int):
        super().__init__()
        self.score = nn.Sequential(nn.Linear(width, width), nn.Tanh(), nn.Linear(width, 1))

    def forward(self, h: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        score = self.score(h).squeeze(-1).float().masked_fill(~real, float("-inf"))
        # A sequence without real rows (never in practice) would give NaN: weigh its rows evenly.
        score = torch.where(real.any(1, keepdim=True), score, torch.zeros_like(score))
        weights = torch.softmax(score, dim=1).to(h.dtype)
        return (h * weights[..., None]).sum(1)


POOLING = {"last": LastPooling, "mean": MeanPooling, "attention": AttentionPooling}


class FinetuneModel(nn.Module):
    """Backbone and KSS head.

    Args:
        backbone: The backbone's architecture.
        head: The head's MLP.
    """

    def __init__(self, backbone: BackboneConfig, head: RegressionHeadConfig):
        super().__init__()
        if head.pooling not in POOLING:
            raise ValueError(
                f"unknown pooling {head.pooling!r} (expected one of {sorted(POOLING)})"
            )
        self.backbone = Backbone(backbone)
        self.head = mlp([self.backbone.width, *head.hidden, 1], head.batch_norm, head.dropout)
        # Built after the head: `last` and `mean` have no weights, so the initial weights of
        # the thesis' model (`last`) are drawn exactly as before pooling was a choice.
        self.pool = POOLING[head.pooling](self.backbone.width)
        self.arch = {"backbone": backbone.to_dict(), "head": head.to_dict()}

    def forward(self, x: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        """Predict the KSS of each window.

        Args:
            x: (B, L, N) windows, PAD rows after (or before) the real ones.
            real: (B, L) True for real rows.

        Returns:
            (B,) continuous KSS predictions.
        """
        h = self.backbone(x, ~real)
        return self.head(self.pool(h, real)).squeeze(-1)

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
