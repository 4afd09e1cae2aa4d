"""Cross-validated training of a sequence classifier: one fresh model per fold.

Per fold: inputs standardised per channel with the training part's mean and standard deviation,
Adam (Kingma & Ba, 2015) on the cross-entropy for a fixed number of epochs (no early stopping,
so the test part never steers training), the last epoch's model predicts the test part. The
test loss and accuracy are logged each epoch for learning curves only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from vigilance.core.device import autocast
from vigilance.core.io import atomic_path
from vigilance.eyetracking.models import build


@dataclass(frozen=True)
class TrainSettings:
    """Size and optimisation of a model (from the ``eyetracking.deep`` config section)."""

    width: int = 32
    dropout: float = 0.2
    epochs: int = 20
    batch_size: int = 64
    learning_rate: float = 1e-3
    weight_decay: float = 0.0


def standardise(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale (N, L, C) arrays per channel by the training part's mean and SD."""
    mean = train.mean(axis=(0, 1), keepdims=True)
    sd = train.std(axis=(0, 1), keepdims=True)
    sd[sd == 0] = 1.0
    return (train - mean) / sd, (test - mean) / sd


def _evaluate(model, x, y, device, precision, batch_size):
    """Loss and predictions of ``model`` on (x, y) in eval mode."""
    model.eval()
    logits = []
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            with autocast(device, precision):
                logits.append(model(x[start : start + batch_size]).float())
    logits = torch.cat(logits)
    loss = nn.functional.cross_entropy(logits, y).item()
    return loss, logits.argmax(dim=1)


def fit_predict(
    name, x_train, y_train, x_test, y_test, n_classes, settings, device, precision, seed
):
    """Train a fresh model on one fold and predict its test part.

    Args:
        name: Registry name of the model.
        x_train: (N, L, C) training sequences; y_train: (N,) labels 0..K-1.
        x_test: (M, L, C) test sequences; y_test: (M,) labels (for the learning curve only).
        n_classes: K.
        settings: A :class:`TrainSettings`.
        device: A ``torch.device``; precision: ``auto``, ``fp32`` or ``bf16``.
        seed: Seeds the initial weights and the batch order.

    Returns:
        (M,) predicted labels, the per-epoch history (rows: epoch, split, metric, value) and
        the trained model's state dict (on the CPU).
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x_train, x_test = standardise(x_train, x_test)
    as_tensor = lambda a, dtype: torch.as_tensor(a, dtype=dtype, device=device)  # noqa: E731
    xt, yt = as_tensor(x_train, torch.float32), as_tensor(y_train, torch.long)
    xv, yv = as_tensor(x_test, torch.float32), as_tensor(y_test, torch.long)
    model = build(
        name,
        length=xt.shape[1],
        channels=xt.shape[2],
        classes=n_classes,
        width=settings.width,
        dropout=settings.dropout,
    ).to(device)
    optimiser = torch.optim.Adam(
        model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    history = []
    for epoch in range(1, settings.epochs + 1):
        model.train()
        order = torch.as_tensor(rng.permutation(len(xt)), device=device)
        total, correct = 0.0, 0
        for start in range(0, len(order), settings.batch_size):
            batch = order[start : start + settings.batch_size]
            with autocast(device, precision):
                logits = model(xt[batch]).float()
            loss = nn.functional.cross_entropy(logits, yt[batch])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
            correct += (logits.argmax(dim=1) == yt[batch]).sum().item()
        test_loss, pred = _evaluate(model, xv, yv, device, precision, 4 * settings.batch_size)
        history += [
            (epoch, "train", "loss", total / len(xt)),
            (epoch, "train", "accuracy", correct / len(xt)),
            (epoch, "test", "loss", test_loss),
            (epoch, "test", "accuracy", (pred == yv).float().mean().item()),
        ]
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    return pred.cpu().numpy(), history, state


def cross_validate(name, x, y, folds, n_classes, settings, device, precision, seed, log=None):
    """Train and test ``name`` on every fold.

    Args:
        name: Registry name.
        x: (N, L, C) sequences; y: (N,) labels 0..K-1.
        folds: (train, test) index pairs.
        n_classes: K.
        settings, device, precision: As for :func:`fit_predict`.
        seed: The run's seed; fold k trains with seed ``seed * 1000 + k``.
        log: Optional logger.

    Returns:
        Predictions (fold, index, true, pred), per-epoch metrics (fold, epoch, split, metric,
        value) and ``{fold: state dict}``.
    """
    x, y = np.asarray(x, dtype=np.float32), np.asarray(y, dtype=np.int64)
    predictions, metrics, states = [], [], {}
    for number, (train, test) in enumerate(folds):
        start = time.perf_counter()
        pred, history, states[number] = fit_predict(
            name,
            x[train],
            y[train],
            x[test],
            y[test],
            n_classes,
            settings,
            device,
            precision,
            seed * 1000 + number,
        )
        predictions.append(
            pd.DataFrame({"fold": number, "index": test, "true": y[test], "pred": pred})
        )
        frame = pd.DataFrame(history, columns=["epoch", "split", "metric", "value"])
        metrics.append(frame.assign(fold=number))
        if log is not None:
            log.info(
                "%s fold %d: test accuracy %.3f in %.1f s",
                name,
                number,
                (pred == y[test]).mean(),
                time.perf_counter() - start,
            )
    metrics = pd.concat(metrics, ignore_index=True)[["fold", "epoch", "split", "metric", "value"]]
    return pd.concat(predictions, ignore_index=True), metrics, states


def save_checkpoint(path, record: dict, classes: list[str], states: dict) -> None:
    """Save every fold's trained weights with the resolved settings that made them (atomic).

    Args:
        path: The ``.pt`` file.
        record: The job's resolved parameters.
        classes: The class names the outputs index.
        states: ``{fold: state dict}`` from :func:`cross_validate`.
    """
    with atomic_path(path) as tmp:
        torch.save({"params": record, "classes": classes, "states": states}, tmp)
