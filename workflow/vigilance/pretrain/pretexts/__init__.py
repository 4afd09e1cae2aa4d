"""The pretext tasks of pre-training, a registry: name -> class (architecture doc, registries).

``row`` (thesis 000's masked rows), ``feature`` (Zerveas et al. 2021's span masking of single
features) and ``next_sequence`` (is window B the continuation of A). Config
``pretrain.pretexts`` selects which run; ``pretrain.pretext_settings.<name>`` holds a task's
settings (``row`` reads ``pretrain.masking``).
"""

from __future__ import annotations

from vigilance.core.errors import VigilanceError
from vigilance.pretrain.masking import MaskingConfig
from vigilance.pretrain.pretexts.base import Pretext
from vigilance.pretrain.pretexts.feature import FeatureMasking, FeatureMaskingConfig
from vigilance.pretrain.pretexts.next_sequence import NextSequence
from vigilance.pretrain.pretexts.row import RowMasking

PRETEXTS: dict[str, type[Pretext]] = {
    cls.name: cls for cls in (RowMasking, FeatureMasking, NextSequence)
}

__all__ = ["PRETEXTS", "FeatureMasking", "NextSequence", "Pretext", "RowMasking", "make_pretext"]


def make_pretext(name: str, masking: dict | None = None, settings: dict | None = None) -> Pretext:
    """The pretext ``name`` with its settings (``masking`` for row, ``settings[name]`` else)."""
    if name not in PRETEXTS:
        raise VigilanceError(
            "unknown pretext", field="pretrain.pretexts", value=name, expected=sorted(PRETEXTS)
        )
    if name == "row":
        return RowMasking(MaskingConfig(**(masking or {})))
    if name == "feature":
        return FeatureMasking(FeatureMaskingConfig(**(settings or {}).get("feature", {})))
    return NextSequence()
