"""A multilayer perceptron on the flattened sequence, the tutorial's "flat" neural network.

Rumelhart, Hinton & Williams, "Learning representations by back-propagating errors", Nature
323, 1986; as in Kasprowski's ETRA 2021 tutorial (``stripes.ipynb``: Flatten, Dense, Dense).
"""

from __future__ import annotations

from torch import nn

from vigilance.eyetracking.models.base import SequenceClassifier


class MLP(SequenceClassifier):
    """Flatten -> Linear(L*C, 2w) -> ReLU -> Dropout -> Linear(2w, w) -> ReLU -> Linear(w, K)."""

    def __init__(self, length: int, channels: int, classes: int, width: int, dropout: float):
        super().__init__(length, channels, classes, width, dropout)
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(length * channels, 2 * width),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(2 * width, width),
            nn.ReLU(),
            nn.Linear(width, classes),
        )

    def forward(self, x):
        """Args: x: (B, L, C). Returns: (B, K) logits."""
        return self.net(x)
