"""Unfreezing strategies: which encoder blocks train in which epoch (thesis 000, 3.5).

A strategy is a schedule of ``(epoch, n)`` steps: from that epoch on, the top ``n`` encoder
blocks are trainable. A pre-trained backbone starts frozen (``n = 0``); its upscaling block and
positional embedding are never trained (the thesis kept embeddings and positional encodings
frozen). The final LayerNorm after the blocks belongs to the top block. A schedule asking for
more blocks than the encoder has is clipped to all of them (the effective schedule is logged
and recorded), so the thesis' strategies on four blocks stay defined for smaller encoders.
A ``scratch`` run has nothing to transfer: every parameter trains from epoch 0.

Frozen parts are also put in eval mode, so their dropout is off and a frozen block computes
the same function in every step, as a frozen feature extractor should.
"""

from __future__ import annotations

from torch import nn


def trainable_blocks(schedule: list[list[int]], epoch: int, n_blocks: int) -> int:
    """How many top blocks train in ``epoch`` (0 before the first step)."""
    n = 0
    for start, count in sorted(schedule):
        if epoch >= start:
            n = count
    return min(n, n_blocks)


def effective_schedule(schedule: list[list[int]], n_blocks: int) -> list[list[int]]:
    """The schedule as it acts on ``n_blocks`` blocks (steps that change nothing dropped)."""
    out, current = [], 0
    for start, count in sorted(schedule):
        count = min(count, n_blocks)
        if count != current:
            out.append([start, count])
            current = count
    return out


def set_trainable(model: nn.Module, n_top: int, everything: bool = False) -> None:
    """Freeze the backbone except its top ``n_top`` blocks (the head always trains).

    Args:
        model: A :class:`vigilance.finetune.model.FinetuneModel`.
        n_top: Trainable top blocks.
        everything: Train every parameter (scratch runs).
    """
    backbone = model.backbone
    n_blocks = len(backbone.blocks)
    for p in backbone.parameters():
        p.requires_grad_(everything)
    for i, block in enumerate(backbone.blocks):
        on = everything or i >= n_blocks - n_top
        block.requires_grad_(on)
    backbone.norm.requires_grad_(everything or n_top > 0)


def set_modes(model: nn.Module, n_top: int, everything: bool = False) -> None:
    """Training mode for trainable parts, eval mode (no dropout) for frozen ones."""
    model.train()
    if everything:
        return
    backbone = model.backbone
    backbone.upscaling.eval()
    n_blocks = len(backbone.blocks)
    for i, block in enumerate(backbone.blocks):
        block.train(i >= n_blocks - n_top)
