"""A one-layer LSTM over the gaze sequence; its last hidden state is classified.

Hochreiter & Schmidhuber, "Long short-term memory", Neural Computation 9(8), 1997; the
tutorial's sequence models (Keras ``LSTM(128)`` followed by ``Dense``), here with ``width``
hidden units.
"""

from __future__ import annotations

from torch import nn

from vigilance.eyetracking.models.base import SequenceClassifier


class LSTM(SequenceClassifier):
    """LSTM(C -> w) over the L samples -> Dropout -> Linear(w, K) on the last hidden state."""

    def __init__(self, length: int, channels: int, classes: int, width: int, dropout: float):
        super().__init__(length, channels, classes, width, dropout)
        self.lstm = nn.LSTM(channels, width, batch_first=True)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(width, classes))

    def forward(self, x):
        """Args: x: (B, L, C). Returns: (B, K) logits."""
        _, (hidden, _) = self.lstm(x)  # hidden: (1, B, w)
        return self.head(hidden[-1])
