"""Training one multi-task model with per-epoch, per-task evaluation on validation and test.

As in the thesis (Wiedekopf 2020): an "epoch" on OPPORTUNITY is a fixed number of steps on
random batches of the training windows (1000 in its code), on DEAP one pass over the training
windows in a new random order (``steps_per_epoch: 0``); after each epoch every task is scored
on the whole test set, and on the validation set where there is one (accuracy, F1 micro /
macro / weighted and per class, :mod:`vigilance.mtl.metrics`). The thesis' optimiser is Keras'
Adadelta (learning rate 1.0, rho 0.95, epsilon 1e-7: Keras' constants, not PyTorch's 0.9 and
1e-6); Adam is the modern option.
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
# The models whose step times the findings read (the SPS-cost claim); the others skip it.
PROFILED = ("STL", "SPS")


@dataclass(frozen=True)
class TrainSettings:
    """Training settings (config ``mtl.training``)."""

    epochs: int
    steps_per_epoch: int  # 0: one pass over the training windows
    batch_size: int
    optimizer: str = "adadelta"
    learning_rate: float = 1.0
    rho: float = 0.95
    eps: float = 1e-7
    eval_batch_size: int = 1024
    precision: str = "auto"


def make_optimizer(model: torch.nn.Module, settings: TrainSettings) -> torch.optim.Optimizer:
    """Adadelta with Keras' constants (the thesis) or Adam."""
    if settings.optimizer == "adadelta":
        return torch.optim.Adadelta(
            model.parameters(), lr=settings.learning_rate, rho=settings.rho, eps=settings.eps
        )
    return torch.optim.Adam(model.parameters(), lr=settings.learning_rate)


def epoch_batches(n: int, settings: TrainSettings, sampler: torch.Generator) -> list:
    """One epoch's batches of training indices: fixed steps of random draws, or one pass."""
    if settings.steps_per_epoch:
        return [
            torch.randint(n, (settings.batch_size,), generator=sampler)
            for _ in range(settings.steps_per_epoch)
        ]
    return list(torch.randperm(n, generator=sampler).split(settings.batch_size))


def step_profile(model, settings: TrainSettings, x, y, repeats: int = 5) -> dict:
    """Median seconds of one training step and of the regulariser with its gradient.

    Timed on a copy (the trained model stays as it is), on one batch, after a warm-up step.
    The thesis attributes SPS's cost to the trace norm's sub-gradient; the share
    ``regulariser_s / step_s`` tests that on this run's hardware.
    """
    import copy
    import statistics

    model = copy.deepcopy(model).train()
    optimizer = make_optimizer(model, settings)
    device = x.device

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    def step():
        with autocast(device, settings.precision):
            logits = model(x)
        loss = model.loss(logits, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    def regulariser():
        model.zero_grad(set_to_none=True)
        value = model.regulariser()
        if value.requires_grad:
            value.backward()

    out = {}
    for name, work in (("step_s", step), ("regulariser_s", regulariser)):
        work()
        times = []
        for _ in range(repeats):
            sync()
            start = time.perf_counter()
            work()
            sync()
            times.append(time.perf_counter() - start)
        out[name] = statistics.median(times)
    return out


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
        The metric rows (epoch, split, task, metric, value), the (N_test, T) predictions of
        the last epoch and the step profile (:func:`step_profile`).
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
        for index in epoch_batches(len(train_x), settings, sampler):
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
            if name == "val" and len(idx) == 0:
                continue  # no validation split configured
            pred = predict(model, xt[idx], settings.eval_batch_size, device, settings.precision)
            rows += [
                {"epoch": epoch, "split": name, **row}
                for row in evaluate(pred, y[idx], tasks, n_classes)
            ]
        log.info("epoch %d: loss %.4f, %.2f s", epoch, loss_value, seconds)
    profile = {"step_s": float("nan"), "regulariser_s": float("nan")}
    if type(model).__name__ in PROFILED:
        batch = torch.arange(min(settings.batch_size, len(train_x)), device=device)
        profile = step_profile(model, settings, train_x[batch], train_y[batch])
    return rows, pred, profile
