"""The small base class every sequence classifier of the registry derives from."""

from __future__ import annotations

from torch import nn


class SequenceClassifier(nn.Module):
    """Maps a batch of fixed-length multichannel sequences to class logits.

    Subclasses build their layers from exactly these arguments, so the training loop and the
    tests can construct any registered model the same way.

    Args:
        length: Samples per sequence (L).
        channels: Values per sample (C).
        classes: Number of classes (K).
        width: Size knob: hidden units or filters of the first layer.
        dropout: Dropout probability.
    """

    def __init__(self, length: int, channels: int, classes: int, width: int, dropout: float):
        super().__init__()
        self.length, self.channels, self.classes = length, channels, classes
        self.width, self.dropout = width, dropout

    def forward(self, x):  # pragma: no cover - every subclass overrides it
        """Args: x: (B, L, C). Returns: (B, K) logits."""
        raise NotImplementedError
