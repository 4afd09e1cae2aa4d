"""Masked modelling on blink vectors, after BERT's masked language modelling.

Devlin et al. (2019), "BERT: Pre-training of Deep Bidirectional Transformers for Language
Understanding", NAACL, section 3.1; adapted to rows of continuous features as in thesis 000
(section 3.3): in every sequence a share (15 %) of the real (non-padded) rows is chosen; of
the chosen rows 80 % get every feature replaced by the mask index (-1), 10 % get every element
multiplied by its own noise factor drawn uniformly from an interval, and 10 % stay unchanged.
The model must reconstruct the chosen rows' original values.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

KEPT, MASKED, NOISED = 1, 2, 3
TREATMENTS = {"masked": MASKED, "noised": NOISED, "kept": KEPT}


@dataclass(frozen=True)
class MaskingConfig:
    """Shares, the mask index and the noise interval (``pretrain.masking`` in config)."""

    select_share: float = 0.15
    mask_share: float = 0.8
    noise_share: float = 0.1
    mask_value: float = -1.0
    noise_low: float = 0.5
    noise_high: float = 1.5


def mask_rows(
    x: torch.Tensor, real: torch.Tensor, cfg: MaskingConfig, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Choose and treat rows for masked modelling (a pure function of its inputs).

    In each sequence ``k`` of its ``n`` real rows are chosen uniformly without replacement,
    ``k`` being ``select_share * n`` rounded stochastically (down or up with the probabilities
    that make its mean exact), at least 1 when ``n >= 2``, never all of them (so attention
    always has an unmasked row to look at), none when ``n == 1``. Each chosen row independently
    gets a treatment: masked with probability ``mask_share``, noised with ``noise_share``, else
    kept.

    Args:
        x: (B, L, N) the unmasked batch.
        real: (B, L) True for real rows, False for PAD rows (never chosen).
        cfg: Shares, mask index and noise interval.
        generator: The random generator (on ``x``'s device), for reproducible draws.

    Returns:
        ``x_masked`` (B, L, N); ``chosen`` (B, L) bool; ``treatment`` (B, L) int8: 0 for rows
        not chosen, else :data:`MASKED`, :data:`NOISED` or :data:`KEPT`.
    """
    batch, length, _ = x.shape
    device = x.device
    n_real = real.sum(dim=1)
    # Stochastic rounding: k is floor(p n) or floor(p n) + 1 so that its mean is exactly p n
    # (round(0.15 * 30) would always give 4 rows, 13.3 %).
    target = cfg.select_share * n_real.float()
    extra = torch.rand(batch, generator=generator, device=device) < (target - target.floor())
    k = torch.clamp(target.floor().long() + extra.long(), min=1)
    k = torch.minimum(k, torch.clamp(n_real - 1, min=0))
    scores = torch.rand(batch, length, generator=generator, device=device)
    scores = scores.masked_fill(~real, 2.0)  # PAD rows sort last and are never within k
    rank = scores.argsort(dim=1).argsort(dim=1)
    chosen = rank < k[:, None]
    draw = torch.rand(batch, length, generator=generator, device=device)
    treatment = torch.where(
        draw < cfg.mask_share,
        MASKED,
        torch.where(draw < cfg.mask_share + cfg.noise_share, NOISED, KEPT),
    ).to(torch.int8)
    treatment = torch.where(chosen, treatment, torch.zeros_like(treatment))
    factors = torch.empty_like(x).uniform_(cfg.noise_low, cfg.noise_high, generator=generator)
    x_masked = torch.where((treatment == NOISED)[..., None], x * factors, x)
    x_masked = torch.where(
        (treatment == MASKED)[..., None], torch.full_like(x, cfg.mask_value), x_masked
    )
    return x_masked, chosen, treatment


def row_kind_sums(errors: dict[str, torch.Tensor], treatment: torch.Tensor) -> dict[str, tuple]:
    """Sums and counts of every per-row error, over all chosen rows and by row kind.

    Only the mask-index rows carry the pre-training question: a noised row shows the model a
    scaled copy of its target and a kept row the target itself, while the baselines see
    neither. So every error (the model's ``loss``, ``loss_original``, the baselines') is also
    summed on each kind alone, as ``<name>_masked``, ``<name>_noised`` and ``<name>_kept``;
    the claims and Fig 4.3 compare model and baselines on ``*_masked``.

    Args:
        errors: name -> (C,) per-row squared errors of the C chosen rows.
        treatment: (C,) the chosen rows' treatments (:data:`MASKED`, :data:`NOISED`,
            :data:`KEPT`).

    Returns:
        metric -> (sum, count), to be summed over batches and divided.
    """
    out = {}
    for name, err in errors.items():
        err = err.detach()
        out[name] = (float(err.sum()), int(err.numel()))
        for label, code in TREATMENTS.items():
            part = err[treatment == code]
            out[f"{name}_{label}"] = (float(part.sum()), int(part.numel()))
    return out


def visible_baselines(
    x: torch.Tensor, real: torch.Tensor, treatment: torch.Tensor
) -> dict[str, torch.Tensor]:
    """The mean and next-row predictions of the chosen rows (C, N) from what the model sees.

    The thesis' baselines (:func:`vigilance.pretrain.model.baselines`) read the unmasked
    sequence, so they know values hidden from the model (a masked row's own value enters the
    mean; the next row may itself be masked). These read only the rows the model can look at,
    real and not masked (thesis 000, section 4.1: "the mean blink feature vector within each
    sample, excluding the masked rows"): ``mean_visible`` is their mean, ``next_visible`` the
    first of them after the chosen row, else the last before it.

    Args:
        x: (B, L, N) the unmasked batch; ``real``: (B, L); ``treatment``: (B, L) from
            :func:`mask_rows`.
    """
    visible = real & (treatment != MASKED)
    weights = visible[..., None].to(x.dtype)
    mean = (x * weights).sum(1, keepdim=True) / weights.sum(1, keepdim=True).clamp(min=1)
    length = x.shape[1]
    rows = torch.arange(length, device=x.device)[None].expand_as(real)
    after = torch.where(visible, rows, length)
    # For each position, the first visible row strictly after it (suffix minimum).
    following = torch.flip(torch.cummin(torch.flip(after, [1]), 1).values, [1])
    following = torch.cat([following[:, 1:], torch.full_like(following[:, :1], length)], 1)
    before = torch.where(visible, rows, -1)
    preceding = torch.cat([torch.full_like(before[:, :1], -1), before[:, :-1]], 1)
    preceding = torch.cummax(preceding, 1).values
    source = torch.where(following < length, following, preceding.clamp(min=0))
    nxt = torch.gather(x, 1, source[..., None].expand_as(x))
    chosen = treatment > 0
    return {"mean_visible": mean.expand_as(x)[chosen], "next_visible": nxt[chosen]}
