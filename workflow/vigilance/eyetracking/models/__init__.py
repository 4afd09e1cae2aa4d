"""Small PyTorch classifiers of fixed-length sequences, in a registry (name -> class).

Every model takes (B, L, C) sequences and returns (B, K) logits, and is built from the same
arguments (see :class:`~vigilance.eyetracking.models.base.SequenceClassifier`); tests are
parametrised over :data:`REGISTRY`, so a new entry is tested automatically.
"""

from __future__ import annotations

from vigilance.core.errors import VigilanceError
from vigilance.eyetracking.models.base import SequenceClassifier
from vigilance.eyetracking.models.cnn import CNN
from vigilance.eyetracking.models.lstm import LSTM
from vigilance.eyetracking.models.mlp import MLP
from vigilance.eyetracking.models.scanpath_lstm import ScanpathLSTM

REGISTRY: dict[str, type[SequenceClassifier]] = {
    cls.__name__: cls for cls in (MLP, CNN, LSTM, ScanpathLSTM)
}


def build(name: str, **kwargs) -> SequenceClassifier:
    """Construct a registered model by name (``MLP``, ``CNN``, ``LSTM``, ``ScanpathLSTM``)."""
    if name not in REGISTRY:
        raise VigilanceError(
            "unknown sequence classifier",
            field="model",
            value=name,
            expected=f"one of {list(REGISTRY)}",
        )
    return REGISTRY[name](**kwargs)
