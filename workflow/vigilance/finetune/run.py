"""Building one fine-tuning run: the model for an init, and the trainer for a strategy.

Inits: ``pretrained_all`` and ``pretrained_half`` copy the backbone of the encoder pre-trained
on all or half of the pre-training drivers (same seed); ``scratch`` builds the same
architecture (from the pre-training's hyper-parameters) with fresh weights.
"""

from __future__ import annotations

import torch

from vigilance.finetune.model import FinetuneModel, RegressionHeadConfig
from vigilance.finetune.train import FinetuneConfig, FinetuneTrainer
from vigilance.finetune.unfreeze import effective_schedule
from vigilance.models.backbone import BackboneConfig
from vigilance.pretrain.hparams import build_configs as pretrain_configs

INITS = {"pretrained_all": 1.0, "pretrained_half": 0.5, "scratch": None}


def build_model(
    init: str,
    head: RegressionHeadConfig,
    seed: int,
    encoder=None,
    pretrain_params: dict | None = None,
    n_features: int = 9,
    window: int = 30,
    masking: dict | None = None,
) -> FinetuneModel:
    """The model of one run, its backbone loaded (pre-trained) or fresh (scratch)."""
    torch.manual_seed(seed)
    if init == "scratch":
        backbone = pretrain_configs(pretrain_params, n_features, window, masking, "auto")[0]
        return FinetuneModel(backbone, head)
    saved = torch.load(encoder, map_location="cpu", weights_only=False)
    model = FinetuneModel(BackboneConfig(**saved["arch"]["backbone"]), head)
    model.load_backbone(encoder)
    return model


def make_trainer(
    model: FinetuneModel,
    cfg: FinetuneConfig,
    init: str,
    schedule,
    seed: int,
    device,
    bins,
    warning_threshold: float,
    fingerprint: str = "",
    label_mean: float | None = None,
    **options,
) -> tuple[FinetuneTrainer, list]:
    """The trainer and the schedule as it acts on this encoder's depth.

    ``label_mean`` (the training windows' mean KSS) starts the head's output there; ``options``
    go to :class:`FinetuneTrainer` (other measures and KPI).
    """
    if label_mean is not None:
        model.set_output_bias(label_mean)
    scratch = init == "scratch"
    n_blocks = len(model.backbone.blocks)
    effective = [[0, n_blocks]] if scratch else effective_schedule(schedule, n_blocks)
    trainer = FinetuneTrainer(
        model, cfg, schedule, scratch, seed, device, bins, warning_threshold, fingerprint, **options
    )
    return trainer, effective


def label_mean(data) -> float:
    """Mean KSS of the used training windows."""
    return float(data.windows.labels[data.index].mean())
