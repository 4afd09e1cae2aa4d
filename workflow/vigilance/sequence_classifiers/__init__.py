"""Small PyTorch classifiers of fixed-length sequences, in a registry (name -> class).

Every model takes (B, L, C) sequences and returns (B, K) logits, and is built from the same
arguments (see :class:`~vigilance.sequence_classifiers.base.SequenceClassifier`); tests are
parametrised over :data:`REGISTRY`, so a new entry is tested automatically.
"""

from __future__ import annotations

from vigilance.errors import VigilanceError
from vigilance.sequence_classifiers.base import SequenceClassifier
from vigilance.sequence_classifiers.cnn import CNN
from vigilance.sequence_classifiers.lstm import LSTM
from vigilance.sequence_classifiers.mlp import MLP

REGISTRY: dict[str, type[SequenceClassifier]] = {cls.__name__: cls for cls in (MLP, CNN, LSTM)}


def build(name: str, **kwargs) -> SequenceClassifier:
    """Construct a registered model by name (``MLP``, ``CNN``, ``LSTM``)."""
    if name not in REGISTRY:
        raise VigilanceError(
            "unknown sequence classifier",
            field="model",
            value=name,
            expected=f"one of {list(REGISTRY)}",
        )
    return REGISTRY[name](**kwargs)
