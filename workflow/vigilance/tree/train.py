"""Training T-SCAF from two single-task data sets, and its evaluation.

Document 003, section 4: every step draws one fatigue batch and one face batch (batches drawn
alternately from the two sets) and either

- **alternating updates** (section 4.1): the fatigue batch updates the root and the fatigue
  branch while the face branch is frozen, then the face batch updates the root and the face
  branch while the fatigue branch is frozen (two optimiser steps); or
- **gradient accumulation** (section 4.2): both batches go forward and backward, their
  gradients add up as w * grad L_fatigue + (1 - w) * grad L_face (Eq. 7), and one step is taken.

Adam (beta1 0.9) with cosine annealing of the learning rate over all steps. Training runs a
fixed number of epochs (no early stopping), so the test data never steer it.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from vigilance.evaluation.measures import roc_auc
from vigilance.tree.lfw import verification_accuracy
from vigilance.tree.model import TSCAF


def to_tensor(images: np.ndarray, device="cpu") -> torch.Tensor:
    """uint8 (N, H, W, 3) -> float (N, 3, H, W) in [-1, 1]."""
    x = torch.from_numpy(np.ascontiguousarray(images)).to(device)
    return x.permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


@contextlib.contextmanager
def frozen(params):
    """Freeze ``params`` for the block: no gradient, hence no update (Adam skips them)."""
    params = list(params)
    flags = [p.requires_grad for p in params]
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, flag in zip(params, flags, strict=True):
            p.requires_grad_(flag)


def task_losses(model: TSCAF, fatigue_batch, face_batch):
    """(L_fatigue, L_face) of one batch of each task."""
    images, labels = fatigue_batch
    lf = model.fatigue.head.loss(model.fatigue_logits(images), labels)
    faces, people = face_batch
    return lf, model.arcface(model.embed(faces), people)


def _only(model: TSCAF, task: str):
    keep = {id(p) for p in getattr(model, f"{task}_parameters")()}
    return [p for p in model.parameters() if id(p) not in keep]


def task_step(model: TSCAF, optimizer, task: str, batch) -> float:
    """One update on one task's batch; the other task's branch is frozen (section 4.1)."""
    x, y = batch
    optimizer.zero_grad(set_to_none=True)
    with frozen(_only(model, task)):
        if task == "fatigue":
            loss = model.fatigue.head.loss(model.fatigue_logits(x), y)
        else:
            loss = model.arcface(model.embed(x), y)
        loss.backward()
    optimizer.step()
    return float(loss.detach())


def alternating_step(model: TSCAF, optimizer, fatigue_batch, face_batch) -> tuple[float, float]:
    """A fatigue update (face branch frozen), then a face update (fatigue branch frozen)."""
    return (
        task_step(model, optimizer, "fatigue", fatigue_batch),
        task_step(model, optimizer, "face", face_batch),
    )


def accumulation_step(
    model: TSCAF, optimizer, fatigue_batch, face_batch, w: float
) -> tuple[float, float]:
    """Both backward passes accumulate w * grad L_f + (1 - w) * grad L_face; one step (Eq. 7)."""
    optimizer.zero_grad(set_to_none=True)
    images, labels = fatigue_batch
    lf = model.fatigue.head.loss(model.fatigue_logits(images), labels)
    (w * lf).backward()
    faces, people = face_batch
    lface = model.arcface(model.embed(faces), people)
    ((1 - w) * lface).backward()
    optimizer.step()
    return float(lf.detach()), float(lface.detach())


class Batches:
    """Endless shuffled batches of (images, labels) tensors, reshuffled each pass."""

    def __init__(self, images, labels, batch_size: int, rng: np.random.Generator, device):
        self.images, self.labels = images, labels
        self.batch_size = min(batch_size, len(labels))
        self.rng, self.device = rng, device
        self.order, self.pos = rng.permutation(len(labels)), 0

    def __len__(self) -> int:
        return math.ceil(len(self.labels) / self.batch_size)

    def next(self):
        if self.pos + self.batch_size > len(self.order):
            self.order, self.pos = self.rng.permutation(len(self.labels)), 0
        idx = np.sort(self.order[self.pos : self.pos + self.batch_size])
        self.pos += self.batch_size
        x = to_tensor(self.images[idx], self.device)
        return x, torch.from_numpy(self.labels[idx]).to(self.device)


@dataclass
class TrainConfig:
    """``tree.training``: the optimiser and the schedule."""

    epochs: int
    batch_size: int
    learning_rate: float
    steps_per_epoch: int  # 0: one pass over the larger data set


def fit(model: TSCAF, fatigue, identity, cfg: TrainConfig, training: str, rng, device) -> list:
    """Train ``model`` in place; return long-form metric rows of the training losses.

    Args:
        fatigue: {"images", "labels", "split"} of the fatigue set (its train split is used).
        identity: {"images", "labels"} of the identity set.
        training: ``alternating`` or ``accum<w>`` (gradient accumulation with weight w).
    """
    train = fatigue["split"] == "train"
    fat = Batches(fatigue["images"][train], fatigue["labels"][train], cfg.batch_size, rng, device)
    face = Batches(identity["images"], identity["labels"], cfg.batch_size, rng, device)
    steps = cfg.steps_per_epoch or max(len(fat), len(face))
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.learning_rate, betas=(0.9, 0.999))
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=cfg.epochs * steps)
    rows = []
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        losses = []
        for _ in range(steps):
            if training == "alternating":
                losses.append(alternating_step(model, optimizer, fat.next(), face.next()))
            else:
                w = float(training.removeprefix("accum"))
                losses.append(accumulation_step(model, optimizer, fat.next(), face.next(), w))
            schedule.step()
        mean = np.mean(losses, axis=0)
        rows += [
            {"epoch": epoch, "split": "train", "metric": "fatigue_loss", "value": mean[0]},
            {"epoch": epoch, "split": "train", "metric": "face_loss", "value": mean[1]},
        ]
    return rows


@torch.no_grad()
def _batched(fn, images, device, size: int = 256) -> torch.Tensor:
    return torch.cat(
        [fn(to_tensor(images[i : i + size], device)) for i in range(0, len(images), size)]
    )


@torch.no_grad()
def evaluate(model: TSCAF, fatigue, pairs, device):
    """Test metrics, per-item predictions and fatigue features.

    Returns:
        (metrics dict, predictions DataFrame [task, item, label, score, fold],
        features (N_test, C), labels (N_test,)).
    """
    model.eval()
    test = fatigue["split"] == "test"
    images, labels = fatigue["images"][test], fatigue["labels"][test]
    probs = torch.sigmoid(_batched(model.fatigue_logits, images, device)).cpu().numpy()
    features = _batched(model.fatigue_features, images, device).cpu().numpy()
    emb = F.normalize(_batched(model.embed, pairs["images"], device)).cpu().numpy()
    scores = np.sum(emb[pairs["a"]] * emb[pairs["b"]], axis=1)
    lfw = verification_accuracy(scores, pairs["same"], pairs["fold"])
    fatigue_acc = float(np.mean((probs > 0.5) == (labels == 1)))
    metrics = {
        "fatigue_accuracy": fatigue_acc,
        "verification_accuracy": lfw["accuracy"],
        "mean_accuracy": (fatigue_acc + lfw["accuracy"]) / 2,
        "fatigue_auc": roc_auc(labels, probs),
        "verification_auc": roc_auc(pairs["same"], scores),
    }
    predictions = pd.concat(
        [
            pd.DataFrame(
                {"task": "fatigue", "item": np.flatnonzero(test), "label": labels, "score": probs}
            ),
            pd.DataFrame(
                {
                    "task": "verification",
                    "item": np.arange(len(scores)),
                    "label": pairs["same"].astype(int),
                    "score": scores,
                    "fold": pairs["fold"],
                }
            ),
        ],
        ignore_index=True,
    )
    return metrics, predictions, features, labels
