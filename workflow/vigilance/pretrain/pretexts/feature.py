"""``feature``: single features masked in spans (Zerveas et al. 2021, section 3.2).

Zerveas, Jayaraman, Patel, Bhamidipaty and Eickhoff (2021), "A Transformer-based Framework
for Multivariate Time Series Representation Learning", KDD: for every sequence and every
variable independently, a binary mask alternates masked and unmasked segments whose lengths
are geometric, mean ``mean_span`` (3) for masked ones and ``mean_span * (1 - share) / share``
for unmasked ones, so that a share ``share`` (15 %) of the elements is masked. Masked elements
are set to ``mask_value`` (0, as in their implementation: the input times the mask). The
model reconstructs every row; the loss is the mean squared error on the masked elements only.
PAD rows are never masked. Baselines on exactly the masked elements, from what the model
sees: the variable's mean over the sequence's visible elements, and its previous visible value
(the next one when none precedes).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from vigilance.core.device import autocast
from vigilance.pretrain.model import PretrainModel
from vigilance.pretrain.pretexts.base import Pretext


@dataclass(frozen=True)
class FeatureMaskingConfig:
    """``pretrain.pretext_settings.feature`` in config."""

    share: float = 0.15
    mean_span: float = 3.0
    mask_value: float = 0.0


def span_masks(
    batch: int, length: int, n: int, cfg: FeatureMaskingConfig, generator: torch.Generator, device
) -> torch.Tensor:
    """(B, L, N) True where an element is masked: a two-state Markov chain per variable.

    A masked element is followed by a masked one with probability ``1 - 1/mean_span`` and an
    unmasked by an unmasked one with ``1 - p_u``, ``p_u = share / ((1 - share) mean_span)``; the
    first element is masked with the stationary probability ``share``. Masked spans are then
    geometric with mean ``mean_span`` and the expected share of masked elements is ``share``.
    """
    p_m = 1.0 / cfg.mean_span
    p_u = p_m * cfg.share / (1.0 - cfg.share)
    draws = torch.rand(length, batch, n, generator=generator, device=device)
    state = draws[0] < cfg.share
    states = [state]
    for t in range(1, length):
        flip = torch.where(state, draws[t] < p_m, draws[t] < p_u)
        state = state ^ flip
        states.append(state)
    return torch.stack(states, dim=1)


def mask_features(x, real, cfg: FeatureMaskingConfig, generator):
    """(x_masked, masked): span masks on the real rows, masked elements set to ``mask_value``."""
    masked = span_masks(*x.shape, cfg, generator, x.device) & real[..., None]
    return torch.where(masked, torch.full_like(x, cfg.mask_value), x), masked


def element_baselines(x: torch.Tensor, real: torch.Tensor, masked: torch.Tensor) -> dict:
    """The mean and previous-value guesses (B, L, N) of every element from the visible ones.

    ``mean``: the variable's mean over the sequence's visible (real, unmasked) elements;
    ``previous``: the closest visible value of the variable before the element, else the closest
    after it, else the mean.
    """
    visible = real[..., None] & ~masked
    weights = visible.to(x.dtype)
    mean = (x * weights).sum(1, keepdim=True) / weights.sum(1, keepdim=True).clamp(min=1)
    length = x.shape[1]
    rows = torch.arange(length, device=x.device)[None, :, None].expand_as(x)
    before = torch.where(visible, rows, -1)
    before = torch.cat([torch.full_like(before[:, :1], -1), before[:, :-1]], 1)
    preceding = torch.cummax(before, 1).values
    after = torch.where(visible, rows, length)
    after = torch.cat([after[:, 1:], torch.full_like(after[:, :1], length)], 1)
    following = torch.flip(torch.cummin(torch.flip(after, [1]), 1).values, [1])
    source = torch.where(preceding >= 0, preceding, following)
    found = source < length
    value = torch.gather(x, 1, source.clamp(0, length - 1))
    previous = torch.where(found, value, mean.expand_as(x))
    return {"mean": mean.expand_as(x), "previous": previous}


class FeatureMasking(Pretext):
    """Span masking of single features; the per-row head reconstructs every feature."""

    name = "feature"
    inputs = "window with single features masked in geometric spans (per variable)"
    targets = "the masked elements' values"
    loss = "MSE over the masked elements"
    measures = ("loss", "loss_original")
    baselines = ("mean", "previous")
    model_class = PretrainModel

    def __init__(self, settings: FeatureMaskingConfig | None = None):
        self.settings = settings or FeatureMaskingConfig()

    def errors(self, model, windows, idx, generator, device, precision, original):
        x, real, _ = windows.gather(idx)
        x_masked, masked = mask_features(x, real, self.settings, generator)
        rows = masked.any(-1)  # the head sees rows with a masked element only (no PAD rows)
        with autocast(device, precision):
            h = model.backbone(x_masked, ~real)
            prediction = model.head(h[rows])
        on = masked[rows]
        target = x[rows][on]
        errors = {"loss": (prediction.float()[on] - target.float()) ** 2}
        column = torch.nonzero(on)[:, 1]
        with torch.no_grad():
            for name, guess in element_baselines(x, real, masked).items():
                errors[f"baseline_{name}"] = (guess[rows][on].float() - target.float()) ** 2
        return errors, column < original

    def sums(self, errors, groups):
        out = {}
        for name, err in errors.items():
            err = err.detach()
            out[name] = (float(err.sum()), int(err.numel()))
            part = err[groups]
            out[f"{name}_original"] = (float(part.sum()), int(part.numel()))
        return out

    def describe(self, train, val):
        return (
            f"train {train['loss']:.4f}, val {val['loss']:.4f} (mean "
            f"{val['baseline_mean']:.4f}, previous {val['baseline_previous']:.4f})"
        )
