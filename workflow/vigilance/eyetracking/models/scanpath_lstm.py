"""The ETRA 2021 tutorial's scanpath LSTM: two stacked LSTM layers and two dense layers.

Kasprowski's tutorial (document 002, ``animals.ipynb``) predicts the next gaze point from the
previous 20 with ``LSTM(128, return_sequences=True)``, ``LSTM(128)``, ``Dense(64)``,
``Dense(2)`` (no activation between the dense layers, as there) and a mean-absolute-error
loss; here the LSTMs have ``width`` units and the first dense layer ``width / 2``. With
``classes`` = 2 it regresses a point; any other ``classes`` gives logits, so the registry's
classifier tests cover it too. Hochreiter & Schmidhuber, "Long short-term memory", Neural
Computation 9(8), 1997.
"""

from __future__ import annotations

from torch import nn

from vigilance.eyetracking.models.base import SequenceClassifier


class ScanpathLSTM(SequenceClassifier):
    """LSTM(C -> w, all steps) -> LSTM(w -> w) -> Dropout -> Linear(w, w/2) -> Linear(w/2, K)."""

    def __init__(self, length: int, channels: int, classes: int, width: int, dropout: float):
        super().__init__(length, channels, classes, width, dropout)
        self.lstm = nn.LSTM(channels, width, num_layers=2, batch_first=True)
        hidden = max(width // 2, 1)
        self.head = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(width, hidden), nn.Linear(hidden, classes)
        )

    def forward(self, x):
        """Args: x: (B, L, C). Returns: (B, K) outputs of the last step."""
        _, (hidden, _) = self.lstm(x)  # hidden: (2, B, w)
        return self.head(hidden[-1])
