"""The recurrent baseline candidates of thesis Fig 3.6: an LSTM and a CNN-LSTM, one per task.

After Ordonez & Roggen ("Deep convolutional and LSTM recurrent neural networks for multimodal
wearable activity recognition", Sensors 2016), whose DeepConvLSTM the thesis tried before
settling on the CNN. Each task gets its own network (single-task), looped over.
"""

from __future__ import annotations

import torch
from torch import nn

from vigilance.mtl.models import Arch, ConvTrunk, MultiTaskModel


def _rate(arch: Arch) -> float:
    """The CNN's dense dropout, before the LSTM's output layer."""
    return max(arch.rates("dense"), default=0.0)


class _LSTMColumn(nn.Module):
    def __init__(self, channels, hidden, k, conv=None, dropout=0.0):
        super().__init__()
        self.conv = conv
        self.norm = nn.BatchNorm1d(channels) if conv is None else None
        width = channels if conv is None else conv.out_channels_per_step
        self.lstm = nn.LSTM(width, hidden, num_layers=2, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, k)

    def forward(self, x):  # (B, L, C)
        if self.conv is None:
            h = self.norm(x.transpose(1, 2)).transpose(1, 2)
        else:
            h = self.conv.sequence(x)
        seq, _ = self.lstm(h)
        return self.out(self.drop(seq[:, -1]))


class _ConvSequence(ConvTrunk):
    """A one-column conv trunk that returns a sequence (B, L', F * C) for an LSTM."""

    def __init__(self, length, channels, arch):
        super().__init__(1, length, channels, arch.filters, arch.kernels, arch.pools)
        self.out_channels_per_step = arch.filters[-1] * channels

    def sequence(self, x: torch.Tensor) -> torch.Tensor:
        h = self.norm(x.unsqueeze(1))
        for conv, pool in zip(self.convs, self.pools, strict=True):
            h = pool(torch.relu(conv(h)))
        b, f, steps, c = h.shape
        return h.permute(0, 2, 1, 3).reshape(b, steps, f * c)


class LSTM(MultiTaskModel):
    """A two-layer LSTM per task on the normalised samples; the last step classifies."""

    def __init__(self, length, channels, n_classes, arch, loss_weights=None, **_):
        super().__init__(n_classes, loss_weights)
        arch = Arch.of(arch)
        self.columns = nn.ModuleList(
            _LSTMColumn(channels, arch.lstm_hidden, k, dropout=_rate(arch)) for k in self.n_classes
        )

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        return [column(x) for column in self.columns]


class CNNLSTM(MultiTaskModel):
    """The CNN's conv blocks followed by a two-layer LSTM over time, per task."""

    def __init__(self, length, channels, n_classes, arch, loss_weights=None, **_):
        super().__init__(n_classes, loss_weights)
        arch = Arch.of(arch)
        self.columns = nn.ModuleList(
            _LSTMColumn(
                channels,
                arch.lstm_hidden,
                k,
                conv=_ConvSequence(length, channels, arch),
                dropout=_rate(arch),
            )
            for k in self.n_classes
        )

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        return [column(x) for column in self.columns]
