"""A small 1-D convolutional network over the gaze sequence, after the tutorial's Conv1D model.

Kasprowski's ETRA 2021 tutorial (``paths.ipynb``) stacks three Conv1D layers (32, 64, 128
filters, kernel 10, "same" padding, ReLU, batch norm, dropout 0.2) and dense layers on the
flattened maps (1.75 M parameters). Here the filters scale with ``width`` (w/2, w, 2w), the
kernel is 9 (odd, so "same" padding is symmetric), the first two blocks halve the length by
max pooling (as the tutorial's image CNNs do) and a global average pool replaces the
flattening: the model stays small and fast on a CPU and, like the tutorial's point about
repeating patterns, does not care where in the chunk a pattern occurs (LeCun et al.,
"Gradient-based learning applied to document recognition", Proc. IEEE 86(11), 1998).
"""

from __future__ import annotations

from torch import nn

from vigilance.eyetracking.models.base import SequenceClassifier

KERNEL = 9


class CNN(SequenceClassifier):
    """3 x [Conv1d(kernel 9, same) -> ReLU -> BatchNorm (-> MaxPool 2) -> Dropout], mean over
    time, Linear(2w, w) -> ReLU -> Linear(w, K)."""

    def __init__(self, length: int, channels: int, classes: int, width: int, dropout: float):
        super().__init__(length, channels, classes, width, dropout)
        layers, inputs = [], channels
        for block, filters in enumerate((max(width // 2, 1), width, 2 * width)):
            layers += [
                nn.Conv1d(inputs, filters, KERNEL, padding="same"),
                nn.ReLU(),
                nn.BatchNorm1d(filters),
            ]
            if block < 2:
                layers.append(nn.MaxPool1d(2, ceil_mode=True))
            layers.append(nn.Dropout(dropout))
            inputs = filters
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Linear(inputs, width), nn.ReLU(), nn.Linear(width, classes))

    def forward(self, x):
        """Args: x: (B, L, C). Returns: (B, K) logits."""
        maps = self.features(x.transpose(1, 2))  # (B, 2w, ceil(L / 4))
        return self.head(maps.mean(dim=2))
