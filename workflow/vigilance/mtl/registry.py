"""The model registry of the multi-task part: name -> class, and building a model by name.

Its own module so that :mod:`vigilance.mtl.models` and :mod:`vigilance.mtl.recurrent` (which
builds on the former) never import each other in a circle; names equal class names.
"""

from __future__ import annotations

from vigilance.core.errors import VigilanceError
from vigilance.mtl.models import CSN, HPS, SPS, STL, MultiTaskModel
from vigilance.mtl.recurrent import CNNLSTM, LSTM

REGISTRY: dict[str, type[MultiTaskModel]] = {
    m.__name__: m for m in (STL, HPS, SPS, CSN, LSTM, CNNLSTM)
}


def registry() -> dict[str, type[MultiTaskModel]]:
    """Model name -> class (a copy)."""
    return dict(REGISTRY)


def build_model(name: str, length: int, channels: int, n_classes, arch, **options):
    """A registry model for windows of ``length`` x ``channels`` and tasks with ``n_classes``.

    Args:
        name: A registry name.
        length, channels: Window size (L samples x C channels).
        n_classes: Classes per task.
        arch: A :class:`vigilance.mtl.models.Arch` or its dict.
        **options: ``loss_weights`` and, for SPS, ``trace_norm_weight``.
    """
    if name not in REGISTRY:
        raise VigilanceError(
            "unknown model", field="model", value=name, expected=f"one of {sorted(REGISTRY)}"
        )
    return REGISTRY[name](length, channels, n_classes, arch, **options)
