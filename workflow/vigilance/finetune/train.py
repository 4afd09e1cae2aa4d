"""The step and measures of the fine-tuning: unfreezing schedule, AdamW, clipping,
accumulation, selection of the epoch with the best validation KPI, and one scoring of the test
set; the epoch loop (patience, per-epoch checkpoints, resume) is
:class:`vigilance.core.loop.EpochLoop`.

Per epoch the metrics are the training loss (MSE), the validation loss and every measure of
:mod:`vigilance.finetune.measures` on the validation windows, the number of trainable blocks and
parameters, and the epoch's wall time. The checkpoint with the highest validation KPI
(``kappa_4``; NaN counts as worst) is kept; the test set is predicted once, with it, after
training. Training batches are drawn from generators seeded by (seed, epoch), so a run is
reproducible on the CPU and a run resumed from its per-epoch checkpoint ends with the same
numbers as an uninterrupted one.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from vigilance.core.checkpoint import save_torch
from vigilance.core.device import autocast
from vigilance.core.loop import EpochLoop
from vigilance.finetune.measures import DEFAULT_BINS, kss_measures
from vigilance.finetune.unfreeze import set_modes, set_trainable, trainable_blocks

log = logging.getLogger("vigilance.finetune")
KPI = "kappa_4"


@dataclass(frozen=True)
class FinetuneConfig:
    """Optimisation settings (``finetune.training`` in config)."""

    epochs: int = 15
    steps_per_epoch: int = 20
    batch_size: int = 64
    learning_rate: float = 1e-3
    weight_decay: float = 0.01
    decay: float = 1.0
    accumulate: int = 1
    gradient_clip: float = 1.0
    patience: int = 15
    precision: str = "auto"


def _generator(*seeds: int) -> torch.Generator:
    generator = torch.Generator()
    generator.manual_seed(hash(seeds) % (2**63))
    return generator


def selection_key(metrics: dict[str, float], kpi_name: str = KPI) -> tuple[float, float]:
    """Higher is better: the KPI (NaN, an undefined kappa, counts as worst), then lower MSE."""
    kpi = metrics[kpi_name]
    return (-math.inf if kpi is None or math.isnan(kpi) else kpi, -metrics["loss"])


class FinetuneTrainer(EpochLoop):
    """Fine-tune one model.

    Args:
        model: A :class:`vigilance.finetune.model.FinetuneModel` (backbone already loaded).
        cfg: The optimisation settings.
        schedule: The unfreezing schedule, ``[[epoch, top blocks], ...]``.
        scratch: Train every parameter from epoch 0 (the schedule is ignored).
        seed: The run's seed.
        device: Where to train.
        bins: The 4 KSS levels; ``warning_threshold``: the warning system's threshold.
        fingerprint: Identifies the settings; a checkpoint with another one is not resumed.
        measures: ``(true, predicted) -> dict`` replacing the KSS measures (RLDD's 3 levels),
            with ``kpi`` the name of the measure that selects the checkpoint.
    """

    WORST = (-math.inf, -math.inf)
    logger = log

    def __init__(
        self,
        model,
        cfg: FinetuneConfig,
        schedule,
        scratch: bool,
        seed: int,
        device,
        bins=DEFAULT_BINS,
        warning_threshold: float = 7.0,
        fingerprint: str = "",
        measures: Callable | None = None,
        kpi: str = KPI,
    ):
        self.measures, self.kpi = measures, kpi
        self.model, self.cfg, self.schedule, self.scratch = model.to(device), cfg, schedule, scratch
        self.seed, self.device, self.fingerprint = seed, device, fingerprint
        self.measure_args = {"bins": bins, "warning_threshold": warning_threshold}
        self.optimizer = torch.optim.AdamW(
            model.parameters(), lr=cfg.learning_rate, weight_decay=cfg.weight_decay
        )
        self.scheduler = torch.optim.lr_scheduler.ExponentialLR(self.optimizer, cfg.decay)
        self.reset_progress()

    @property
    def best(self) -> float:
        """The selected epoch's validation KPI (-inf while none was defined)."""
        return self.best_key[0]

    def n_top(self, epoch: int) -> int:
        n_blocks = len(self.model.backbone.blocks)
        return n_blocks if self.scratch else trainable_blocks(self.schedule, epoch, n_blocks)

    # -- one pass -------------------------------------------------------------------------
    def train_epoch(self, train) -> dict[str, float]:
        """One epoch of optimisation: training MSE, trainable blocks and parameters."""
        cfg, n_top = self.cfg, self.n_top(self.epoch)
        set_trainable(self.model, n_top, everything=self.scratch)
        set_modes(self.model, n_top, everything=self.scratch)
        generator = _generator(self.seed, self.epoch)
        n = cfg.steps_per_epoch * cfg.batch_size  # the same windows whatever accumulate is
        picks = train.index[torch.randint(0, len(train), (n,), generator=generator)]
        total, count = 0.0, 0

        def loss_of(batch: int) -> torch.Tensor:
            nonlocal total, count
            start = batch * cfg.batch_size
            x, real, y = train.windows.gather(picks[start : start + cfg.batch_size])
            with autocast(self.device, cfg.precision):
                prediction = self.model(x, real)
            loss = ((prediction.float() - y) ** 2).mean()
            if not torch.isfinite(loss):
                raise FloatingPointError(f"loss {loss.item()} at epoch {self.epoch}")
            total, count = total + loss.item() * len(y), count + len(y)
            return loss

        self.optimise(cfg.steps_per_epoch, loss_of)
        trainable = sum(p.numel() for p in self.model.parameters() if p.requires_grad)
        return {"loss": total / count, "trainable_blocks": n_top, "trainable_params": trainable}

    @torch.no_grad()
    def predict(self, data, batch_size: int = 1024) -> tuple[np.ndarray, np.ndarray]:
        """(true KSS, predicted KSS) of every used window of ``data``."""
        self.model.eval()
        truth, guess = [], []
        for idx in torch.split(data.index, batch_size):
            x, real, y = data.windows.gather(idx)
            # Full windows and padded ones apart: the full ones need no attention mask
            # (the backbone's fast path); each window's prediction is its own either way.
            # (CPU only, as the backbone's check.)
            full = real.all(dim=1) if self.device.type == "cpu" else torch.zeros_like(y, dtype=bool)
            out = torch.empty(len(y), device=y.device)
            with autocast(self.device, self.cfg.precision):
                for part in (full, ~full):
                    if part.any():
                        out[part] = self.model(x[part], real[part]).float()
            guess.append(out.cpu())
            truth.append(y.cpu())
        return torch.cat(truth).numpy(), torch.cat(guess).numpy()

    def score(self, y: np.ndarray, p: np.ndarray) -> dict[str, float]:
        """Loss (MSE) and every measure of true ``y`` and predicted ``p``."""
        measures = self.measures(y, p) if self.measures else kss_measures(y, p, **self.measure_args)
        return {"loss": float(((p - y) ** 2).mean()), **measures}

    def evaluate(self, data) -> dict[str, float]:
        """Loss (MSE) and every measure on ``data``."""
        return self.score(*self.predict(data))

    # -- what the epoch loop asks of a part -----------------------------------------------
    def selection_key(self, metrics: dict[str, float]) -> tuple[float, float]:
        return selection_key(metrics, self.kpi)

    def monitored(self, metrics: dict[str, float]) -> float:
        return metrics[self.kpi]

    def describe(self, train_metrics: dict, val_metrics: dict) -> str:
        return (
            f"{train_metrics['trainable_blocks']} blocks trainable, train MSE "
            f"{train_metrics['loss']:.3f}, val MSE {val_metrics['loss']:.3f}, "
            f"val {self.kpi} {val_metrics[self.kpi]:.3f}"
        )

    def test(self, data) -> tuple[dict[str, float], np.ndarray, np.ndarray]:
        """Score ``data`` once with the selected checkpoint: (measures, true, predicted)."""
        if self.best_state is not None:
            self.model.load_state_dict(self.best_state)
        y, p = self.predict(data)
        return self.score(y, p), y, p

    # -- checkpoints (save_state / load_state: vigilance.core.checkpoint.Resumable) --------

    def save_model(self, path: Path, extra: dict | None = None) -> None:
        """The selected weights with their architecture."""
        state = self.best_state or self.model.state_dict()
        save_torch(path, {"arch": self.model.arch, "state": state, **(extra or {})})
