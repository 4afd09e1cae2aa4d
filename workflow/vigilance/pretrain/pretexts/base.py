"""What every pretext task declares and supplies to the pre-training trainer.

A pretext turns a batch of window indices into the model's inputs and targets, runs the model
and returns per-item errors (``loss`` and the trivial baselines, on exactly the items the loss
covers); it sums them for the epoch's metrics and describes an epoch in one line. The trainer
(:class:`vigilance.pretrain.train.Trainer`) optimises the mean of ``loss`` and selects the
epoch with the lowest validation ``loss``; everything else is reported.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import nn

from vigilance.models.backbone import BackboneConfig
from vigilance.pretrain.model import HeadConfig


class Pretext:
    """One pretext task (subclasses are registered in :data:`vigilance.pretrain.pretexts.PRETEXTS`).

    Class attributes document the task: ``inputs``, ``targets``, ``loss``, ``measures`` (the
    validation metrics' names) and ``baselines`` (the trivial predictors scored on the same
    items). ``model_class`` is built as ``model_class(backbone, head)`` and has a
    ``backbone`` attribute (what fine-tuning copies).
    """

    name: ClassVar[str]
    inputs: ClassVar[str]
    targets: ClassVar[str]
    loss: ClassVar[str]
    measures: ClassVar[tuple[str, ...]]
    baselines: ClassVar[tuple[str, ...]]
    model_class: ClassVar[type[nn.Module]]

    def build_model(self, backbone: BackboneConfig, head: HeadConfig) -> nn.Module:
        """The backbone and this task's head."""
        return self.model_class(backbone, head)

    def errors(
        self,
        model: nn.Module,
        windows,
        idx: torch.Tensor,
        generator: torch.Generator,
        device: torch.device,
        precision: str,
        original: int,
    ) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        """Per-item errors of one batch and the items' groups (for :meth:`sums`).

        Args:
            model: The pre-training model (:meth:`build_model`).
            windows: :class:`vigilance.blink.windows.BlinkWindows` of one split.
            idx: (B,) window indices drawn by the trainer.
            generator: The masks' random generator (on ``device``).
            device, precision: Where and in what precision (autocast) the model runs.
            original: How many leading features are the original ones (``loss_original``).

        Returns:
            ``errors``: name -> per-item values, ``loss`` (differentiable) among them; and the
            items' groups (a tensor the same length as the errors, or None).
        """
        raise NotImplementedError

    def sums(self, errors: dict[str, torch.Tensor], groups) -> dict[str, tuple[float, int]]:
        """metric -> (sum, count) of one batch, to be summed over batches and divided."""
        return {k: (float(v.detach().sum()), int(v.numel())) for k, v in errors.items()}

    def describe(self, train: dict[str, float], val: dict[str, float]) -> str:
        """One line per epoch for the log."""
        return f"train {train['loss']:.4f}, val {val['loss']:.4f}"
