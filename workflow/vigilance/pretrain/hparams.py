"""Hyper-parameters of the pre-training: from config, from a sweep, or the thesis' best.

A flat dict of named hyper-parameters (the sweep's vocabulary) is turned into the backbone,
head and training configurations. ``THESIS_BEST`` (in :mod:`vigilance.pretrain.thesis`) holds
thesis 000's published best values (Table 3.1; seed-facts part A).

Coupled choices (one head count must divide the width it attends over, ...) are drawn
conditionally by :func:`vigilance.pretrain.coupling.suggest_valid`, re-exported here.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from vigilance.models.backbone import BackboneConfig
from vigilance.pretrain.coupling import check_space, resolve_coupled, suggest_valid
from vigilance.pretrain.masking import MaskingConfig
from vigilance.pretrain.model import HeadConfig
from vigilance.pretrain.thesis import THESIS_BEST
from vigilance.pretrain.train import TrainConfig

MODEL_KEYS = ("upscaling", "d_model", "n_blocks", "n_heads", "upscaling_heads", "dropout")
HEAD_KEYS = {"head_hidden": "hidden", "head_batch_norm": "batch_norm", "head_dropout": "dropout"}
__all__ = [
    "build_configs",
    "check_space",
    "flat_defaults",
    "resolve_coupled",
    "resolve_params",
    "suggest_valid",
]


def flat_defaults(pretrain: dict) -> dict:
    """The config's model and training sections as one flat dict."""
    return {**pretrain["model"], **pretrain["training"]}


def build_configs(params: dict, n_features: int, window: int, masking: dict, precision: str):
    """(BackboneConfig, HeadConfig, TrainConfig, MaskingConfig) from flat hyper-parameters.

    With upscaling ``none`` the embedding keeps the features' width (thesis 000: embedding
    size = number of features), whatever ``d_model`` says.
    """
    params = resolve_coupled(params)
    model = {k: params[k] for k in MODEL_KEYS}
    if model["upscaling"] == "none":
        model["d_model"] = n_features
    backbone = BackboneConfig(n_features=n_features, max_len=window, **model)
    head = HeadConfig(**{new: params[old] for old, new in HEAD_KEYS.items()})
    train_keys = TrainConfig.__dataclass_fields__.keys() - {"precision"}
    train = TrainConfig(**{k: params[k] for k in train_keys}, precision=precision)
    return backbone, head, train, MaskingConfig(**masking)


def resolve_params(pretrain: dict, best_file=None) -> dict:
    """The flat hyper-parameters of the grid runs: config, the thesis' best or the sweep's best.

    Args:
        pretrain: The ``pretrain`` config section.
        best_file: The sweep's best_params.yaml (needed when ``hyperparameters`` is sweep).
    """
    params = flat_defaults(pretrain)
    if pretrain["hyperparameters"] == "thesis":
        params.update(THESIS_BEST)
    elif pretrain["hyperparameters"] == "sweep":
        params.update(yaml.safe_load(Path(best_file).read_text())["params"])
    return resolve_coupled(params)
