"""``next_sequence``: is window B the continuation of window A? (thesis 000, section 6.1).

After BERT's next-sentence prediction (Devlin et al. 2019, section 3.1, task 2): half the pairs
are (A, the window that follows A directly in the same recording), half (A, a window from
another recording), so a negative is never A's continuation. Negatives are drawn from the
same set of windows as the positives' B (windows that follow a full window), so B's padding
and position within its recording tell nothing. Each window is encoded separately by the
backbone, pooled by the mean over its real rows, and a small classifier reads
``[u, v, |u - v|, u * v]`` (Conneau et al. 2017, "Supervised Learning of Universal Sentence
Representations from Natural Language Inference Data", EMNLP, section 3.2; Sentence-BERT,
Reimers and Gurevych 2019, uses the same pair features). Loss: binary cross-entropy; measures:
accuracy; baselines: the constant prediction 1/2 (cross-entropy ln 2) and the majority class.

The windows need ``recording``, ``continuation`` and ``anchors``
(:func:`vigilance.pretrain.data.with_continuations`).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from vigilance.core.device import autocast
from vigilance.core.errors import VigilanceError
from vigilance.models.backbone import Backbone, BackboneConfig, mlp
from vigilance.pretrain.model import HeadConfig
from vigilance.pretrain.pretexts.base import Pretext


def mean_pool(h: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """(B, d) the mean of each sequence's real rows' vectors (PAD rows ignored)."""
    weights = real[..., None].to(h.dtype)
    return (h * weights).sum(1) / weights.sum(1).clamp(min=1)


class NextSequenceModel(nn.Module):
    """Backbone and a pair classifier on the two windows' pooled vectors."""

    def __init__(self, backbone: BackboneConfig, head: HeadConfig):
        super().__init__()
        self.backbone = Backbone(backbone)
        width = self.backbone.width
        self.head = mlp([4 * width, *head.hidden, 1], head.batch_norm, head.dropout)
        self.head_cfg = head

    def forward(self, a, a_real, b, b_real) -> torch.Tensor:
        """(B,) the logit that B continues A; both (B, L, N) with (B, L) real rows."""
        h = self.backbone(torch.cat([a, b]), ~torch.cat([a_real, b_real]))
        pooled = mean_pool(h, torch.cat([a_real, b_real]))
        u, v = pooled[: len(a)], pooled[len(a) :]
        return self.head(torch.cat([u, v, (u - v).abs(), u * v], -1)).squeeze(-1)


def draw_pairs(windows, idx: torch.Tensor, generator: torch.Generator, tries: int = 100):
    """(A, B, label) window indices: half positives (B follows A), half from other recordings.

    ``idx`` (uniform over all windows) is mapped onto the anchors (windows with a continuation)
    in proportion, so a batch of indices gives a batch of anchors.
    """
    anchors, continuation, recording = _pair_index(windows)
    device = idx.device
    a = anchors[(idx * len(anchors)) // len(windows)]
    batch = len(a)
    label = torch.rand(batch, generator=generator, device=device).argsort() < batch // 2
    b = continuation[a].clone()
    pool = continuation[anchors]
    negative = ~label
    for _ in range(tries):
        todo = negative & ((b == continuation[a]) | (recording[b] == recording[a]))
        if not todo.any():
            return a, b, label
        pick = torch.randint(0, len(pool), (batch,), generator=generator, device=device)
        b = torch.where(todo, pool[pick], b)
    raise VigilanceError(
        "next_sequence cannot draw negatives from another recording",
        field="recording",
        value=int(recording.unique().numel()),
        expected="windows of at least two recordings",
    )


def _pair_index(windows):
    missing = [k for k in ("anchors", "continuation", "recording") if not hasattr(windows, k)]
    if missing or not len(windows.anchors):
        raise VigilanceError(
            "next_sequence needs windows with continuations",
            field="windows",
            value=missing or "no full window is followed by another",
            expected="vigilance.pretrain.data.with_continuations on recordings of >= 2 windows",
        )
    return windows.anchors, windows.continuation, windows.recording


class NextSequence(Pretext):
    """Next-sequence prediction on pairs of consecutive windows."""

    name = "next_sequence"
    inputs = "two windows A and B, each encoded separately"
    targets = "1 when B directly follows A in the same recording, 0 for a window of another"
    loss = "binary cross-entropy"
    measures = ("loss", "accuracy")
    baselines = ("chance", "majority")
    model_class = NextSequenceModel

    def errors(self, model, windows, idx, generator, device, precision, original):
        a, b, label = draw_pairs(windows, idx, generator)
        xa, ra, _ = windows.gather(a)
        xb, rb, _ = windows.gather(b)
        with autocast(device, precision):
            logit = model(xa, ra, xb, rb)
        target = label.float()
        loss = nn.functional.binary_cross_entropy_with_logits(
            logit.float(), target, reduction="none"
        )
        majority = float(target.mean() >= 0.5)
        errors = {
            "loss": loss,
            "accuracy": ((logit.detach() > 0) == label).float(),
            "baseline_chance": torch.full_like(loss, math.log(2.0)),
            "accuracy_majority": (target == majority).float(),
        }
        return errors, None

    def describe(self, train, val):
        return (
            f"train {train['loss']:.4f}, val {val['loss']:.4f} (chance {math.log(2):.4f}), "
            f"val accuracy {val['accuracy']:.3f} (majority {val['accuracy_majority']:.3f})"
        )
