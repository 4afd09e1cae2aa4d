"""Hyper-parameters of the fine-tuning: from config, from its sweep, or the thesis' best.

The sweep's vocabulary is flat (``head_hidden``, ``head_dropout``, ``head_batch_norm``,
``head_pooling`` and the ``training`` keys); :func:`build_configs` turns it into the head and
optimisation settings (a key left out keeps the head's default: ``pooling`` ``last``).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from vigilance.finetune.model import RegressionHeadConfig
from vigilance.finetune.thesis import THESIS_FINETUNE_BEST
from vigilance.finetune.train import FinetuneConfig

HEAD_KEYS = {
    "head_hidden": "hidden",
    "head_batch_norm": "batch_norm",
    "head_dropout": "dropout",
    "head_pooling": "pooling",
}


def flat_defaults(finetune: dict) -> dict:
    """The config's head and training sections as one flat dict."""
    head = {old: finetune["head"][new] for old, new in HEAD_KEYS.items() if new in finetune["head"]}
    return {**head, **finetune["training"]}


def resolve_params(finetune: dict, best_file=None) -> dict:
    """The flat hyper-parameters of the grid runs (``finetune.hyperparameters`` decides)."""
    params = flat_defaults(finetune)
    if finetune["hyperparameters"] == "thesis":
        params.update(THESIS_FINETUNE_BEST)
    elif finetune["hyperparameters"] == "sweep":
        params.update(yaml.safe_load(Path(best_file).read_text())["params"])
    return params


def build_configs(params: dict, precision: str) -> tuple[RegressionHeadConfig, FinetuneConfig]:
    """(head, optimisation settings) from flat hyper-parameters."""
    head = RegressionHeadConfig(
        **{new: params[old] for old, new in HEAD_KEYS.items() if old in params}
    )
    keys = FinetuneConfig.__dataclass_fields__.keys() - {"precision"}
    return head, FinetuneConfig(**{k: params[k] for k in keys}, precision=precision)
