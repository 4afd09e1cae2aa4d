"""The pre-training model (backbone + per-row MLP head), its loss and the two baselines.

The head maps each chosen row's backbone vector back to the N features; the loss is the mean
squared error over the chosen rows only, against their unmasked values (thesis 000, 3.3).
Baselines, computed on the unmasked sample and scored on exactly the same chosen rows:
``mean`` predicts each feature's mean over the sequence's real rows; ``next`` predicts the row
after the chosen one (for the last real row, the row before it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from vigilance.models.backbone import Backbone, BackboneConfig, mlp
from vigilance.pretrain.masking import MASKED, TREATMENTS


@dataclass(frozen=True)
class HeadConfig:
    """The per-row MLP head."""

    hidden: list[int] = field(default_factory=lambda: [64])
    batch_norm: bool = True
    dropout: float = 0.05

    def to_dict(self) -> dict:
        return asdict(self)


class PretrainModel(nn.Module):
    """Backbone and per-row reconstruction head."""

    def __init__(self, backbone: BackboneConfig, head: HeadConfig):
        super().__init__()
        self.backbone = Backbone(backbone)
        sizes = [self.backbone.width, *head.hidden, backbone.n_features]
        self.head = mlp(sizes, head.batch_norm, head.dropout)
        self.head_cfg = head

    def forward(self, x_masked, real, treatment) -> torch.Tensor:
        """Reconstruct the chosen rows.

        Args:
            x_masked: (B, L, N) the masked batch.
            real: (B, L) True for real rows.
            treatment: (B, L) from :func:`vigilance.pretrain.masking.mask_rows`.

        Returns:
            (C, N): predictions for the C chosen rows, in row-major order.
        """
        ignore = ~real | (treatment == MASKED)
        h = self.backbone(x_masked, ignore)
        # The head sees chosen rows only, so its batch norm never mixes in PAD rows.
        return self.head(h[treatment > 0])


def baselines(x: torch.Tensor, real: torch.Tensor, chosen: torch.Tensor) -> dict[str, torch.Tensor]:
    """The mean and next-row predictions of the chosen rows (C, N), from the unmasked batch."""
    weights = real[..., None].to(x.dtype)
    mean = (x * weights).sum(1, keepdim=True) / weights.sum(1, keepdim=True).clamp(min=1)
    n_real = real.sum(1)
    rows = torch.arange(x.shape[1], device=x.device)[None].expand_as(real)
    following = torch.where(rows + 1 < n_real[:, None], rows + 1, rows - 1).clamp(min=0)
    nxt = torch.gather(x, 1, following[..., None].expand_as(x))
    return {"mean": mean.expand_as(x)[chosen], "next": nxt[chosen]}


def squared_errors(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """(C,) the mean squared error of each chosen row over its features."""
    return ((prediction.float() - target.float()) ** 2).mean(dim=1)


def batch_metrics(errors: dict[str, torch.Tensor], treatment: torch.Tensor) -> dict[str, tuple]:
    """Sums and counts for the epoch's metrics: loss overall and by treatment, baselines.

    Args:
        errors: name -> (C,) per-row squared errors (``loss`` for the model, else baselines).
        treatment: (C,) the chosen rows' treatments.

    Returns:
        metric -> (sum, count), to be summed over batches and divided.
    """
    out = {}
    for name, err in errors.items():
        out[name] = (float(err.sum()), int(err.numel()))
        if name == "loss":
            for label, code in TREATMENTS.items():
                part = err[treatment == code]
                out[f"loss_{label}"] = (float(part.sum()), int(part.numel()))
    return out
