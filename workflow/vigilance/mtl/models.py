"""The model registry of the multi-task part, generic over T classification tasks.

Every model maps a batch of windows ``x: (B, L, C)`` (samples x channels) to a list of T logit
tensors ``(B, K_t)``. Convolutions run along time only (kernels ``(k, 1)``) over the window
seen as a one-channel image, as the thesis' Keras models (Wiedekopf 2020, after Ordonez &
Roggen, "Deep convolutional and LSTM recurrent neural networks for multimodal wearable
activity recognition", Sensors 2016). Methods:

- ``STL``: one independent CNN per task (the single-task baseline); the T columns run as one
  grouped convolution, which is the same as T separate networks but one kernel launch.
- ``HPS``: hard parameter sharing (Caruana 1997): a shared trunk (the convolutions and the
  ``dense`` layers, none in the thesis' variant "without shared dense") and one head of
  ``head`` layers per task.
- ``SPS``: soft parameter sharing (Yang & Hospedales, "Trace norm regularised deep multi-task
  learning", ICLR workshop 2017): the STL columns, with the tensor trace norm of each depth's
  stacked kernels added to the loss.
- ``CSN``: cross-stitch networks (Misra et al., CVPR 2016): the STL columns mixed by a T x T
  unit, initialised to the identity, after every conv block.

Architectures (``arch``, see :class:`Arch`): ``dense`` layers with ``dense_dropout`` after each,
then ``head`` layers with ``head_dropout`` after each (a rate, or one rate per layer), as the
thesis' Tables C.1-C.8 place them (dropout after the 1000-unit layers only; DEAP's HPS with
dropout after its first two head layers). The recurrent baselines of thesis Fig 3.6 are in
:mod:`vigilance.mtl.recurrent`; the registry (name -> class) in :mod:`vigilance.mtl.registry`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F


@dataclass(frozen=True)
class Arch:
    """The CNN every method is built from (config ``mtl.<data set>.model`` with a method's
    overrides).

    Args:
        filters, kernels, pools: Per conv block (kernels and pools along time).
        dense: Dense layers after the convolutions (per column; shared in HPS).
        head: Dense layers of each task after ``dense``.
        dense_dropout, head_dropout: Dropout after each dense / head layer: one rate for all,
            or one per layer.
        lstm_hidden: Hidden units of the recurrent baselines.
    """

    filters: Sequence[int]
    kernels: Sequence[int]
    pools: Sequence[int]
    dense: Sequence[int] = ()
    head: Sequence[int] = ()
    dense_dropout: float | Sequence[float] = 0.0
    head_dropout: float | Sequence[float] = 0.0
    lstm_hidden: int = 32

    @classmethod
    def of(cls, arch: Arch | dict) -> Arch:
        """An :class:`Arch` from itself or a config dict (unknown keys are an error)."""
        return arch if isinstance(arch, cls) else cls(**arch)

    def rates(self, part: str) -> list[float]:
        """One dropout rate per layer of ``dense`` or ``head``."""
        sizes, rate = getattr(self, part), getattr(self, f"{part}_dropout")
        if isinstance(rate, int | float):
            return [float(rate)] * len(sizes)
        if len(rate) != len(sizes):
            raise ValueError(f"{part}_dropout has {len(rate)} rates for {len(sizes)} layers")
        return [float(r) for r in rate]


def tensor_trace_norm(tensor: torch.Tensor) -> torch.Tensor:
    """Sum over all modes of the nuclear norms of the tensor's mode unfoldings.

    The unfolding along mode i is the (d_i, prod of the other sizes) matrix; its nuclear norm
    is the sum of its singular values. Only the singular values are computed
    (``torch.linalg.svdvals``): their gradient is ``U V^T`` of the thin SVD, so the backward
    costs no more than the forward, and every unfolding here is a small matrix (one side at
    most a kernel's channel count).

    Args:
        tensor: Any order >= 1.

    Returns:
        A scalar.
    """
    total = tensor.new_zeros(())
    for mode in range(tensor.dim()):
        unfolded = tensor.movedim(mode, 0).reshape(tensor.shape[mode], -1)
        total = total + torch.linalg.svdvals(unfolded).sum()
    return total


class TimePool(nn.Module):
    """Max-pool along time only (kernel and stride ``(p, 1)``, remainder dropped).

    Without gradients it reshapes and takes the maximum, several times faster on the CPU than
    ``max_pool2d`` and equal to it; with gradients it is ``max_pool2d``, whose backward is fast.
    """

    def __init__(self, p: int) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.p == 1:
            return x
        if torch.is_grad_enabled():
            return F.max_pool2d(x, (self.p, 1))
        b, c, h, w = x.shape
        steps = h // self.p
        return x[:, :, : steps * self.p].reshape(b, c, steps, self.p, w).amax(3)


class GroupedDense(nn.Module):
    """G independent dense layers applied at once: ``(B, G, d_in) -> (B, G, d_out)``."""

    def __init__(self, groups: int, d_in: int, d_out: int) -> None:
        super().__init__()
        bound = 1 / math.sqrt(d_in)
        self.weight = nn.Parameter(torch.empty(groups, d_in, d_out).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(groups, d_out).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.einsum("bgi,gio->bgo", x, self.weight) + self.bias


class CrossStitch(nn.Module):
    """A T x T cross-stitch unit (Misra et al. 2016): ``out_i = sum_j a_ij x_j``, a = identity."""

    def __init__(self, tasks: int) -> None:
        super().__init__()
        self.alpha = nn.Parameter(torch.eye(tasks))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        t = self.alpha.shape[0]
        mixed = torch.einsum("ij,bjfhw->bifhw", self.alpha, x.view(b, t, c // t, h, w))
        return mixed.reshape(b, c, h, w)


class ConvTrunk(nn.Module):
    """Input batch norm and conv blocks (conv, ReLU, max-pool), ``columns`` copies side by side.

    Args:
        columns: Independent copies (1 for a shared trunk).
        length: Samples per window (L).
        channels: Channels per sample (C).
        filters, kernels, pools: Per conv block.
        cross_stitch: Mix the columns after every block (needs columns > 1).
    """

    def __init__(self, columns, length, channels, filters, kernels, pools, cross_stitch=False):
        super().__init__()
        self.columns = columns
        self.norm = nn.BatchNorm2d(columns)
        self.convs = nn.ModuleList()
        self.pools = nn.ModuleList()
        self.stitches = nn.ModuleList()
        f_in, h = 1, length
        for f_out, k, p in zip(filters, kernels, pools, strict=True):
            self.convs.append(nn.Conv2d(columns * f_in, columns * f_out, (k, 1), groups=columns))
            self.pools.append(TimePool(p))
            if cross_stitch:
                self.stitches.append(CrossStitch(columns))
            h = (h - k + 1) // p
            f_in = f_out
        if h < 1:
            raise ValueError(f"the conv blocks need windows longer than {length} samples")
        self.out_features = f_in * h * channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, L, C) -> (B, columns, features)."""
        b = x.shape[0]
        h = self.norm(x.unsqueeze(1).expand(-1, self.columns, -1, -1))
        for i, (conv, pool) in enumerate(zip(self.convs, self.pools, strict=True)):
            h = pool(F.relu(conv(h)))
            if len(self.stitches):
                h = self.stitches[i](h)
        return h.reshape(b, self.columns, -1)

    def stacked_kernels(self) -> list[torch.Tensor]:
        """Each depth's kernels of all columns, stacked on a last axis: (F_out, F_in, k, 1, T)."""
        out = []
        for conv in self.convs:
            w = conv.weight  # (T * F_out, F_in, k, 1)
            out.append(w.view(self.columns, -1, *w.shape[1:]).movedim(0, -1))
        return out


def _dense_stack(columns: int, d_in: int, sizes, rates) -> tuple[nn.Module, int]:
    """Dense layers (ReLU), each followed by dropout where its rate is above 0."""
    layers: list[nn.Module] = []
    for size, rate in zip(sizes, rates, strict=True):
        layers += [GroupedDense(columns, d_in, size), nn.ReLU()]
        if rate > 0:
            layers.append(nn.Dropout(rate))
        d_in = size
    return nn.Sequential(*layers), d_in


class MultiTaskModel(nn.Module):
    """Base class: T tasks, a loss weighted per task, an optional regulariser."""

    def __init__(self, n_classes, loss_weights=None) -> None:
        super().__init__()
        self.n_classes = list(n_classes)
        weights = loss_weights or [1.0] * len(self.n_classes)
        if len(weights) != len(self.n_classes):
            raise ValueError(f"{len(weights)} loss weights for {len(self.n_classes)} tasks")
        self.register_buffer("loss_weights", torch.tensor(weights, dtype=torch.float32))

    def regulariser(self) -> torch.Tensor:
        """Added to every output's loss (0 unless a method says otherwise)."""
        return torch.zeros((), device=self.loss_weights.device)

    def loss(self, logits: list[torch.Tensor], y: torch.Tensor) -> torch.Tensor:
        """Sum over tasks of weight x (cross-entropy + regulariser). y: (B, T) class ids.

        As the thesis' Keras code, which adds the regulariser to each output's loss, so its
        effective weight is the regulariser's weight times the sum of the task weights.
        """
        total = self.loss_weights.sum() * self.regulariser()
        for t, out in enumerate(logits):
            total = total + self.loss_weights[t] * F.cross_entropy(out.float(), y[:, t])
        return total

    def stitch_weights(self) -> list[torch.Tensor]:
        """The learnt cross-stitch matrices (empty unless CSN)."""
        return []


class STL(MultiTaskModel):
    """One independent CNN per task (thesis: the single-task baselines)."""

    cross_stitch = False

    def __init__(self, length, channels, n_classes, arch, loss_weights=None, **_):
        super().__init__(n_classes, loss_weights)
        t, arch = len(self.n_classes), Arch.of(arch)
        self.trunk = ConvTrunk(
            t, length, channels, arch.filters, arch.kernels, arch.pools, self.cross_stitch
        )
        sizes = [*arch.dense, *arch.head]
        rates = arch.rates("dense") + arch.rates("head")
        self.dense, d = _dense_stack(t, self.trunk.out_features, sizes, rates)
        self.out = nn.ModuleList(nn.Linear(d, k) for k in self.n_classes)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        h = self.dense(self.trunk(x))
        return [head(h[:, t]) for t, head in enumerate(self.out)]


class SPS(STL):
    """STL columns under a tensor trace norm of each depth's stacked kernels (Yang 2017)."""

    def __init__(self, length, channels, n_classes, arch, loss_weights=None, **options):
        super().__init__(length, channels, n_classes, arch, loss_weights)
        self.trace_norm_weight = float(options.get("trace_norm_weight", 0.001))

    def regulariser(self) -> torch.Tensor:
        kernels = self.trunk.stacked_kernels()
        return self.trace_norm_weight * sum(tensor_trace_norm(w) for w in kernels)


class CSN(STL):
    """STL columns mixed by identity-initialised cross-stitch units (Misra et al. 2016)."""

    cross_stitch = True

    def stitch_weights(self) -> list[torch.Tensor]:
        return [s.alpha.detach().cpu() for s in self.trunk.stitches]


class HPS(MultiTaskModel):
    """A shared trunk and one head per task (hard parameter sharing, Caruana 1997).

    The trunk is the convolutions and the ``dense`` layers; each task's head is the ``head``
    layers and its output. The thesis' variant "without shared dense" has ``dense`` empty.
    """

    def __init__(self, length, channels, n_classes, arch, loss_weights=None, **options):
        super().__init__(n_classes, loss_weights)
        arch = Arch.of(arch)
        self.trunk = ConvTrunk(1, length, channels, arch.filters, arch.kernels, arch.pools)
        self.shared, d = _dense_stack(1, self.trunk.out_features, arch.dense, arch.rates("dense"))
        heads, outs = [], []
        for k in self.n_classes:
            stack, d_head = _dense_stack(1, d, arch.head, arch.rates("head"))
            heads.append(stack)
            outs.append(nn.Linear(d_head, k))
        self.heads = nn.ModuleList(heads)
        self.out = nn.ModuleList(outs)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        h = self.shared(self.trunk(x))
        return [out(head(h)[:, 0]) for head, out in zip(self.heads, self.out, strict=True)]


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
