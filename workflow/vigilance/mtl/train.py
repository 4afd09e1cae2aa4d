"""Training one multi-task model with per-epoch, per-task evaluation on validation and test.

As in the thesis (Wiedekopf 2020): an "epoch" is a fixed number of steps on random batches of
the training windows; after each epoch every task is scored on the whole validation and test
sets (accuracy, F1 micro / macro / weighted and per class, :mod:`vigilance.mtl.metrics`). The
thesis' optimiser is Adadelta with learning rate 1.0; Adam is the modern option.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import torch

from vigilance.core.device import autocast
from vigilance.mtl.metrics import scores
from vigilance.mtl.windows import SPLITS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainSettings:
    """Training settings (config ``mtl.training``)."""

    epochs: int
    steps_per_epoch: int
    batch_size: int
    optimizer: str = "adadelta"
    learning_rate: float = 1.0
    eval_batch_size: int = 1024
    precision: str = "auto"


def make_optimizer(model: torch.nn.Module, settings: TrainSettings) -> torch.optim.Optimizer:
    """Adadelta (the thesis) or Adam."""
    if settings.optimizer == "adadelta":
        return torch.optim.Adadelta(model.parameters(), lr=settings.learning_rate)
    return torch.optim.Adam(model.parameters(), lr=settings.learning_rate)


@torch.inference_mode()
def predict(model, x: torch.Tensor, batch: int, device, precision="auto") -> np.ndarray:
    """(N, T) predicted class ids, in evaluation mode."""
    model.eval()
    preds = []
    for start in range(0, len(x), batch):
        with autocast(device, precision):
            logits = model(x[start : start + batch].to(device))
        preds.append(torch.stack([out.argmax(dim=1) for out in logits], dim=1).cpu())
    model.train()
    return torch.cat(preds).numpy()


def evaluate(pred: np.ndarray, y: np.ndarray, tasks, n_classes) -> list[dict]:
    """Long-form score rows (task, metric, value) of predictions against labels."""
    rows = []
    for t, task in enumerate(tasks):
        got = scores(y[:, t], pred[:, t], n_classes[t])
        rows += [{"task": task, "metric": m, "value": v} for m, v in got.items()]
    return rows


def fit(model, x, y, split, tasks, n_classes, settings: TrainSettings, seed: int, device):
    """Train ``model`` and score it after every epoch.

    Args:
        model: A registry model for the T ``tasks``.
        x: (N, L, C) float32 windows (NumPy).
        y: (N, T) int64 labels of the model's tasks.
        split: (N,) 0 train, 1 validation, 2 test.
        tasks: T task names; n_classes: T class counts.
        settings: The training settings.
        seed: Seeds the batch sampler.
        device: A ``torch.device``.

    Returns:
        The metric rows (epoch, split, task, metric, value) and the (N_test, T) predictions of
        the last epoch.
    """
    model.to(device).train()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    parts = {name: np.flatnonzero(split == k) for k, name in enumerate(SPLITS)}
    train_x, train_y = xt[parts["train"]].to(device), yt[parts["train"]].to(device)
    optimizer = make_optimizer(model, settings)
    sampler = torch.Generator().manual_seed(seed)
    rows: list[dict] = []
    pred = np.zeros((0, len(tasks)), dtype=np.int64)
    for epoch in range(1, settings.epochs + 1):
        started = time.perf_counter()
        losses = []
        for _ in range(settings.steps_per_epoch):
            index = torch.randint(len(train_x), (settings.batch_size,), generator=sampler)
            with autocast(device, settings.precision):
                logits = model(train_x[index.to(device)])
            loss = model.loss(logits, train_y[index.to(device)])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(loss.detach())
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - started
        loss_value = float(torch.stack(losses).mean())
        if not np.isfinite(loss_value):
            raise FloatingPointError(f"the training loss diverged at epoch {epoch}")
        rows += [
            {
                "epoch": epoch,
                "split": "train",
                "task": "all",
                "metric": "loss",
                "value": loss_value,
            },
            {
                "epoch": epoch,
                "split": "train",
                "task": "all",
                "metric": "seconds",
                "value": seconds,
            },
        ]
        for name in ("val", "test"):
            idx = parts[name]
            pred = predict(model, xt[idx], settings.eval_batch_size, device, settings.precision)
            rows += [
                {"epoch": epoch, "split": name, **row}
                for row in evaluate(pred, y[idx], tasks, n_classes)
            ]
        log.info("epoch %d: loss %.4f, %.2f s", epoch, loss_value, seconds)
    return rows, pred
