"""The BERT-like backbone of thesis 000: upscaling block, learned positions, encoder blocks.

Vaswani et al. (2017), "Attention Is All You Need", NeurIPS, for the encoder block; Devlin et
al. (2019, BERT) for the learned positional embedding; Zerveas et al. (2021), "A
Transformer-based Framework for Multivariate Time Series Representation Learning", KDD, for
transformers on rows of continuous features.

Upscaling blocks (thesis 000, section 3.4), from N input features to the embedding size d:

- ``none``: no block, d = N, the positional embedding is added to the input itself;
- ``linear``: a linear layer N -> d;
- ``attention_linear``: a self-attention encoder block on the raw features (width N), then a
  linear layer N -> d;
- ``attention_concat``: the encoder block's output (N) concatenated with a linear skip of the
  input to d - N.

Normalisation order: **pre-norm** (LayerNorm before attention and feed-forward, as in GPT-2
and Xiong et al. 2020, "On Layer Normalization in the Transformer Architecture"), with a final
LayerNorm. BERT used post-norm, which needs a careful warm-up to train stably; pre-norm keeps
gradients well-scaled for every depth and learning rate of the sweep, and the thesis' warm-up
epochs remain available.

Attention ignores padded rows and rows replaced by the mask index: both are given as keys to
be ignored (``key_padding_mask``). Every row still gets an output vector: a masked row's
output is built from the rows it may attend to, which is what the pre-training head needs.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class BackboneConfig:
    """Architecture of the backbone; saved with every checkpoint."""

    n_features: int
    max_len: int
    upscaling: str = "linear"
    d_model: int = 32
    n_blocks: int = 2
    n_heads: int = 2
    dropout: float = 0.1
    upscaling_heads: int = 1

    def to_dict(self) -> dict:
        return asdict(self)


def check_backbone(cfg: BackboneConfig) -> str | None:
    """Why an architecture is invalid (for the sweep to prune), or None when it is valid."""
    if cfg.upscaling not in UPSCALING:
        return f"unknown upscaling {cfg.upscaling!r} (expected one of {sorted(UPSCALING)})"
    width = cfg.n_features if cfg.upscaling == "none" else cfg.d_model
    if cfg.upscaling == "none" and cfg.d_model != cfg.n_features:
        return f"upscaling 'none' needs d_model == n_features ({cfg.n_features}), got {cfg.d_model}"
    if width % cfg.n_heads:
        return f"{cfg.n_heads} heads do not divide the embedding size {width}"
    if cfg.upscaling.startswith("attention") and cfg.n_features % cfg.upscaling_heads:
        return f"{cfg.upscaling_heads} upscaling heads do not divide {cfg.n_features} features"
    if cfg.upscaling == "attention_concat" and cfg.d_model <= cfg.n_features:
        return f"attention_concat needs d_model > n_features ({cfg.n_features})"
    return None


def _block(width: int, heads: int, dropout: float) -> nn.TransformerEncoderLayer:
    return nn.TransformerEncoderLayer(
        width, heads, 4 * width, dropout, activation="relu", batch_first=True, norm_first=True
    )


class NoUpscaling(nn.Module):
    """``none``: the features themselves are the embedding (d = N)."""

    def __init__(self, cfg: BackboneConfig):
        super().__init__()

    def forward(self, x, ignore):
        return x


class LinearUpscaling(nn.Module):
    """``linear``: N -> d."""

    def __init__(self, cfg: BackboneConfig):
        super().__init__()
        self.linear = nn.Linear(cfg.n_features, cfg.d_model)

    def forward(self, x, ignore):
        return self.linear(x)


class AttentionLinearUpscaling(nn.Module):
    """``attention_linear``: an encoder block on the raw features, then N -> d."""

    def __init__(self, cfg: BackboneConfig):
        super().__init__()
        self.block = _block(cfg.n_features, cfg.upscaling_heads, cfg.dropout)
        self.linear = nn.Linear(cfg.n_features, cfg.d_model)

    def forward(self, x, ignore):
        return self.linear(self.block(x, src_key_padding_mask=ignore))


class AttentionConcatUpscaling(nn.Module):
    """``attention_concat``: [encoder block(x) (N), linear skip(x) (d - N)]."""

    def __init__(self, cfg: BackboneConfig):
        super().__init__()
        self.block = _block(cfg.n_features, cfg.upscaling_heads, cfg.dropout)
        self.skip = nn.Linear(cfg.n_features, cfg.d_model - cfg.n_features)

    def forward(self, x, ignore):
        return torch.cat([self.block(x, src_key_padding_mask=ignore), self.skip(x)], dim=-1)


UPSCALING = {
    "none": NoUpscaling,
    "linear": LinearUpscaling,
    "attention_linear": AttentionLinearUpscaling,
    "attention_concat": AttentionConcatUpscaling,
}


class Backbone(nn.Module):
    """Upscaling, learned positional embedding and ``n_blocks`` pre-norm encoder blocks.

    Args:
        cfg: The architecture (validated with :func:`check_backbone`).
    """

    def __init__(self, cfg: BackboneConfig):
        super().__init__()
        problem = check_backbone(cfg)
        if problem:
            raise ValueError(problem)
        self.cfg = cfg
        width = cfg.n_features if cfg.upscaling == "none" else cfg.d_model
        self.width = width
        self.upscaling = UPSCALING[cfg.upscaling](cfg)
        self.position = nn.Embedding(cfg.max_len, width)
        self.blocks = nn.ModuleList(
            [_block(width, cfg.n_heads, cfg.dropout) for _ in range(cfg.n_blocks)]
        )
        self.norm = nn.LayerNorm(width)

    def forward(self, x: torch.Tensor, ignore: torch.Tensor) -> torch.Tensor:
        """Encode a batch.

        Args:
            x: (B, L, N) rows of features (masked rows hold the mask index).
            ignore: (B, L) True for rows attention must not look at (padded or masked).

        Returns:
            (B, L, d): one vector per row.
        """
        positions = torch.arange(x.shape[1], device=x.device)
        # No mask when no row is ignored: the same result, and PyTorch's attention then takes
        # its fused kernel (on the CPU the masked path costs 1.4-1.9x per window). CPU only:
        # on a GPU the check would synchronise every step.
        if ignore.device.type == "cpu" and not bool(ignore.any()):
            ignore = None
        h = self.upscaling(x, ignore) + self.position(positions)[None]
        for block in self.blocks:
            h = block(h, src_key_padding_mask=ignore)
        return self.norm(h)


def mlp(sizes: list[int], batch_norm: bool, dropout: float) -> nn.Sequential:
    """Linear layers of ``sizes`` with ReLU (and batch norm, dropout) between them."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            if batch_norm:
                layers.append(nn.BatchNorm1d(b))
            layers += [nn.ReLU(), nn.Dropout(dropout)]
    return nn.Sequential(*layers)
