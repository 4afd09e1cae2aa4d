"""The step and measures of the pre-training: AdamW, warm-up then decay, clipping,
accumulation, bf16 autocast on CUDA; the epoch loop (early stopping on the validation loss, a
checkpoint every epoch with exact resume) is :class:`vigilance.core.loop.EpochLoop`.

Every epoch draws its training windows and masks from generators seeded by (seed, epoch), and
the validation batches and masks are the same every epoch, so a run is reproducible and a run
resumed from its last checkpoint (which also stores the global RNG state used by dropout)
ends with the same numbers as an uninterrupted one. Per epoch and split the metrics are the
loss (MSE over chosen rows), the loss on the original 9 features only, and the mean and
next-row baselines on the same chosen rows (the thesis' from the unmasked sequence, and
``*_visible`` from the rows the model sees), each also by row kind (``*_masked``,
``*_noised``, ``*_kept``: :func:`vigilance.pretrain.masking.row_kind_sums`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import torch

from vigilance.core.checkpoint import save_torch
from vigilance.core.loop import EpochLoop
from vigilance.models.backbone import BackboneConfig
from vigilance.pretrain.masking import MaskingConfig
from vigilance.pretrain.model import HeadConfig
from vigilance.pretrain.pretexts import PRETEXTS, Pretext, RowMasking

log = logging.getLogger("vigilance.pretrain")


class DivergedError(RuntimeError):
    """The loss became NaN or infinite."""


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings (``pretrain.training`` in config)."""

    epochs: int = 10
    steps_per_epoch: int = 50
    batch_size: int = 128
    val_batches: int = 10
    learning_rate: float = 6.2e-4
    weight_decay: float = 0.0095
    warmup_epochs: int = 2
    decay: float = 0.9
    gradient_clip: float = 1.0
    accumulate: int = 1
    patience: int = 5
    precision: str = "auto"


def lr_factor(epoch: int, warmup: int, decay: float) -> float:
    """Linear warm-up over ``warmup`` epochs, then multiply by ``decay`` each epoch."""
    if epoch < warmup:
        return (epoch + 1) / (warmup + 1)
    return decay ** (epoch - warmup)


def _generator(device, *seeds: int) -> torch.Generator:
    generator = torch.Generator(device=device)
    generator.manual_seed(hash(seeds) % (2**63))
    return generator


class Trainer(EpochLoop):
    """Pre-train one model on windows of one data set, feature set, fraction and seed.

    Args:
        backbone, head: The architecture.
        train: The optimisation settings.
        masking: The masking settings.
        seed: The run's seed.
        device: Where to train.
        original_features: How many leading features are the original ones (for the metric
            ``loss_original``, comparable between feature sets).
        pretext: The pretext task (:mod:`vigilance.pretrain.pretexts`); None: ``row`` with
            ``masking``.
    """

    STATE_KEYS = (*EpochLoop.STATE_KEYS, "arch")
    logger = log

    def __init__(
        self,
        backbone: BackboneConfig,
        head: HeadConfig,
        train: TrainConfig,
        masking: MaskingConfig,
        seed: int,
        device: torch.device,
        original_features: int = 9,
        fingerprint: str = "",
        pretext: Pretext | None = None,
    ):
        torch.manual_seed(seed)
        self.pretext = pretext or RowMasking(masking)
        self.model = self.pretext.build_model(backbone, head).to(device)
        self.arch = {"backbone": backbone.to_dict(), "head": head.to_dict()}
        if self.pretext.name != "row":
            self.arch["pretext"] = self.pretext.name
        self.cfg, self.masking, self.seed, self.device = train, masking, seed, device
        self.original, self.fingerprint = original_features, fingerprint
        self.optimizer = torch.optim.AdamW(
            self.model.parameters(), lr=train.learning_rate, weight_decay=train.weight_decay
        )
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda e: lr_factor(e, train.warmup_epochs, train.decay)
        )
        self.reset_progress()

    @property
    def best(self) -> float:
        """The best validation loss so far (inf before the first epoch)."""
        return -self.best_key[0]

    # -- one pass -------------------------------------------------------------------------
    def _errors(self, windows, idx, generator):
        return self.pretext.errors(
            self.model, windows, idx, generator, self.device, self.cfg.precision, self.original
        )

    def train_epoch(self, windows) -> dict[str, float]:
        """One epoch of optimisation; the training metrics on the rows it trained on."""
        cfg = self.cfg
        self.model.train()
        sample = _generator("cpu", self.seed, self.epoch, 0)
        masks = _generator(self.device, self.seed, self.epoch, 1)
        n = cfg.steps_per_epoch * cfg.batch_size  # the same windows whatever accumulate is
        picks = torch.randint(0, len(windows), (n,), generator=sample).to(self.device)
        sums: dict[str, list] = {}

        def loss_of(batch: int) -> torch.Tensor:
            start = batch * cfg.batch_size
            errors, treatment = self._errors(windows, picks[start : start + cfg.batch_size], masks)
            loss = errors["loss"].mean()
            if not torch.isfinite(loss):
                raise DivergedError(f"loss {loss.item()} at epoch {self.epoch}, batch {batch}")
            _add(sums, self.pretext.sums(errors, treatment))
            return loss

        self.optimise(cfg.steps_per_epoch, loss_of)
        return _mean(sums)

    @torch.no_grad()
    def evaluate(self, windows) -> dict[str, float]:
        """Metrics on the fixed validation batches (same windows and masks every epoch)."""
        self.model.eval()
        cfg = self.cfg
        order = torch.randperm(len(windows), generator=_generator("cpu", self.seed, -1))
        picks = order[: cfg.val_batches * cfg.batch_size].to(self.device)
        masks = _generator(self.device, self.seed, -2)
        sums: dict[str, list] = {}
        for idx in torch.split(picks, cfg.batch_size):
            errors, treatment = self._errors(windows, idx, masks)
            _add(sums, self.pretext.sums(errors, treatment))
        return _mean(sums)

    # -- what the epoch loop asks of a part -----------------------------------------------
    def selection_key(self, metrics: dict[str, float]) -> tuple[float]:
        """Lower validation loss is better (NaN never is)."""
        return (-metrics["loss"],)

    def monitored(self, metrics: dict[str, float]) -> float:
        return metrics["loss"]

    def describe(self, train_metrics: dict, val_metrics: dict) -> str:
        return self.pretext.describe(train_metrics, val_metrics)

    # -- checkpoints (save_state / load_state: vigilance.core.checkpoint.Resumable) --------

    def save_encoder(self, path: Path, extra: dict | None = None) -> None:
        """The best weights with their architecture: loads without the config that made it."""
        state = self.best_state or self.model.state_dict()
        save_torch(
            path, {"arch": self.arch, "state": state, "best_val_loss": self.best, **(extra or {})}
        )


def load_encoder(path: str | Path, device="cpu") -> torch.nn.Module:
    """Rebuild a pre-trained model (of its pretext) from an encoder checkpoint alone."""
    saved = torch.load(path, map_location=device, weights_only=False)
    model_class = PRETEXTS[saved["arch"].get("pretext", "row")].model_class
    model = model_class(
        BackboneConfig(**saved["arch"]["backbone"]), HeadConfig(**saved["arch"]["head"])
    )
    model.load_state_dict(saved["state"])
    return model.to(device)


def _add(sums: dict, metrics: dict) -> None:
    for name, (total, count) in metrics.items():
        acc = sums.setdefault(name, [0.0, 0])
        acc[0] += total
        acc[1] += count


def _mean(sums: dict) -> dict[str, float]:
    return {k: (s / c if c else float("nan")) for k, (s, c) in sums.items()}
