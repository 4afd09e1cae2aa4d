"""The sequence variant of T-SCAF: the same tree on blink-feature windows (beyond document 003).

Root: the pre-training part's transformer encoder (:class:`vigilance.models.backbone.Backbone`),
shared by two branches, each a 1-D LASE-Net (x + attention over time steps * x + squeeze-
excitation over channels * x, the sequence analogue of Eq. 4) and a head on the masked mean over
time: drowsiness (KSS >= ``drowsy_kss``, binary cross-entropy) and driver identity (embedding
with sub-centre ArcFace). Trained by alternating updates (:func:`vigilance.tree.train.task_step`);
the single-task model takes only the drowsiness updates, the same number of them.

Data, leak-free by driver (the blink part's split manifest): drowsiness trains on the fine-tuning
pool's training drivers and is tested on its test drivers; identity trains on the pre-training
pool's training drivers and is verified on pairs of windows of drivers it never saw (the
pre-training validation and fine-tuning test drivers), by the LFW protocol.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from vigilance.blink.format import FEATURE_SETS
from vigilance.blink.normalise import load_stats
from vigilance.blink.splits import drivers_of, read_manifest
from vigilance.blink.windows import build_windows
from vigilance.core.errors import VigilanceError
from vigilance.evaluation.measures import roc_auc
from vigilance.models.backbone import Backbone, BackboneConfig
from vigilance.tree.blocks import SubCenterArcFace
from vigilance.tree.lfw import verification_accuracy


def _masked_mean(h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask[..., None].to(h.dtype)
    return (h * m).sum(1) / m.sum(1).clamp_min(1.0)


class TimeAttention(nn.Module):
    """LANet over time (Wang and Guo 2020, in 1-D): per step, d -> d/r -> 1, sigmoid; times x."""

    def __init__(self, width: int, reduction: int = 4):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(width, max(1, width // reduction)),
            nn.ReLU(),
            nn.Linear(max(1, width // reduction), 1),
        )

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """h: (B, L, d), mask: (B, L) -> (B, L, d)."""
        return torch.sigmoid(self.net(h)) * h


class ChannelSE(nn.Module):
    """Squeeze-excitation over channels (Hu et al. 2018): masked time mean, d/16, d; times x."""

    def __init__(self, width: int, reduction: int = 16):
        super().__init__()
        hidden = max(1, width // reduction)
        self.net = nn.Sequential(nn.Linear(width, hidden), nn.ReLU(), nn.Linear(hidden, width))

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(_masked_mean(h, mask)))[:, None, :] * h


class SequenceBranch(nn.Module):
    """1-D LASE-Net, then a head on the masked mean over time."""

    def __init__(self, width: int, head: nn.Module, attention: bool = True):
        super().__init__()
        self.time = TimeAttention(width) if attention else None
        self.channel = ChannelSE(width) if attention else None
        self.head = head

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        out = h
        if self.time is not None:
            out = out + self.time(h, mask) + self.channel(h, mask)
        return self.head(_masked_mean(out, mask))


class DrowsinessHead(nn.Linear):
    """FC to one logit of 'drowsy'; binary cross-entropy."""

    def __init__(self, width: int):
        super().__init__(width, 1)

    def forward(self, pooled: torch.Tensor) -> torch.Tensor:
        return super().forward(pooled).squeeze(1)

    @staticmethod
    def loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(logits, labels.float())


class IdentityHead(nn.Module):
    """FC to the embedding, batch norm (as the image face head)."""

    def __init__(self, width: int, embedding: int):
        super().__init__()
        self.fc, self.bn = nn.Linear(width, embedding), nn.BatchNorm1d(embedding)

    def forward(self, pooled: torch.Tensor) -> torch.Tensor:
        return self.bn(self.fc(pooled))


class SequenceTree(nn.Module):
    """Backbone root + drowsiness branch + identity branch; the interface of :class:`TSCAF`.

    Inputs ``x`` are pairs (features (B, L, N), mask (B, L) True for real blinks).
    """

    def __init__(self, backbone: BackboneConfig, embedding: int, identities: int, arcface: dict):
        super().__init__()
        self.root = Backbone(backbone)
        width = self.root.width
        self.fatigue = SequenceBranch(width, DrowsinessHead(width))
        self.face = SequenceBranch(width, IdentityHead(width, embedding))
        self.arcface = SubCenterArcFace(
            embedding, identities, arcface["subcenters"], arcface["margin"], arcface["scale"]
        )

    def _encode(self, x):
        features, mask = x
        return self.root(features, ~mask), mask

    def fatigue_logits(self, x) -> torch.Tensor:
        return self.fatigue(*self._encode(x))

    def embed(self, x) -> torch.Tensor:
        return self.face(*self._encode(x))

    def fatigue_parameters(self):
        return [*self.root.parameters(), *self.fatigue.parameters()]

    def face_parameters(self):
        return [*self.root.parameters(), *self.face.parameters(), *self.arcface.parameters()]


def _windows_with_drivers(blinks, drivers, columns, stats, window):
    """Windows of ``drivers`` and the driver index (into ``drivers``) of each window."""
    windows = build_windows(blinks, drivers, columns, stats, window)
    part = blinks.loc[blinks["driver_id"].isin(list(drivers)), "driver_id"].astype(str)
    codes = pd.Categorical(part, categories=list(drivers)).codes
    return windows, torch.as_tensor(codes[windows.starts.numpy()].astype(np.int64))


def load_sequence_data(blinks_path, manifest_path, stats_path, features: str, window: int) -> dict:
    """Windows of the four driver sets of the sequence variant."""
    columns = FEATURE_SETS[features]
    blinks = pd.read_parquet(blinks_path, columns=["driver_id", "recording_id", "kss", *columns])
    blinks["driver_id"] = blinks["driver_id"].astype(str)
    manifest = read_manifest(manifest_path)
    stats = load_stats(stats_path)
    sets = {
        "drowsy_train": drivers_of(manifest, "finetune", "train"),
        "drowsy_test": drivers_of(manifest, "finetune", "test"),
        "identity_train": drivers_of(manifest, "pretrain", "train"),
    }
    sets["unseen"] = sorted(set(drivers_of(manifest, "pretrain", "val")) | set(sets["drowsy_test"]))
    for name, drivers in sets.items():
        if len(drivers) < (2 if name in ("identity_train", "unseen") else 1):
            raise VigilanceError(
                f"too few drivers for the sequence variant's {name} set",
                file=manifest_path,
                value=len(drivers),
                expected="more drivers in the blink data set",
            )
    return {
        name: _windows_with_drivers(blinks, d, columns, stats, window) for name, d in sets.items()
    }


def _pairs(who: np.ndarray, rng, folds: int, per_fold: int):
    """Random matched and mismatched pairs of windows, folds assigned in turn."""
    a, b, same = [], [], []
    for k in range(folds * per_fold):
        i = rng.integers(len(who))
        pool = np.flatnonzero((who == who[i]) if k % 2 == 0 else (who != who[i]))
        pool = pool[pool != i]
        a.append(i)
        b.append(rng.choice(pool))
        same.append(k % 2 == 0)
    return np.array(a), np.array(b), np.array(same), np.arange(folds * per_fold) % folds


def _sample(windows, idx, drowsy_kss):
    x, mask, kss = windows.gather(idx)
    return (x, mask), (kss >= drowsy_kss).long()


def run_sequence(data: dict, cfg: dict, tasks: str, seed: int) -> tuple[list, dict]:
    """Train the tree (``drowsiness+identity``) or the single-task model (``drowsiness``).

    Returns:
        (long-form metric rows, test metrics).
    """
    from vigilance.tree.train import alternating_step, task_step

    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    train_w, _ = data["drowsy_train"]
    test_w, _ = data["drowsy_test"]
    id_w, id_who = data["identity_train"]
    un_w, un_who = data["unseen"]
    n = train_w.features.shape[1]
    backbone = BackboneConfig(
        n, train_w.window, "linear", cfg["d_model"], cfg["n_blocks"], cfg["n_heads"], 0.1
    )
    model = SequenceTree(backbone, cfg["embedding"], int(id_who.max()) + 1, cfg["arcface"])
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg["learning_rate"])
    labelled = train_w.labelled().numpy()
    every = max(1, cfg["steps"] // 5)
    rows, losses = [], []
    for step in range(1, cfg["steps"] + 1):
        model.train()
        idx = torch.as_tensor(rng.choice(labelled, cfg["batch_size"]))
        fat = _sample(train_w, idx, cfg["drowsy_kss"])
        if tasks == "drowsiness":
            losses.append((task_step(model, optimizer, "fatigue", fat), math.nan))
        else:
            idx = torch.as_tensor(rng.choice(len(id_w), cfg["batch_size"]))
            x, mask, _ = id_w.gather(idx)
            losses.append(alternating_step(model, optimizer, fat, ((x, mask), id_who[idx])))
        if step % every == 0 or step == cfg["steps"]:
            mean = np.asarray(losses, dtype=float).mean(axis=0)
            rows += [
                {"epoch": step, "split": "train", "metric": "drowsiness_loss", "value": mean[0]},
                {"epoch": step, "split": "train", "metric": "identity_loss", "value": mean[1]},
            ]
            losses = []
    model.eval()
    with torch.no_grad():
        idx = test_w.labelled()[:: cfg["test_stride"]]
        x, y = _sample(test_w, idx, cfg["drowsy_kss"])
        probs = torch.sigmoid(model.fatigue_logits(x)).numpy()
        count = min(len(un_w), cfg["pair_windows"])
        pick = torch.as_tensor(np.sort(rng.choice(len(un_w), count, replace=False)))
        emb = F.normalize(model.embed(un_w.gather(pick)[:2])).numpy()
    a, b, same, folds = _pairs(un_who[pick].numpy(), rng, 10, cfg["pairs_per_fold"])
    y = y.numpy()
    metrics = {
        "drowsiness_accuracy": float(np.mean((probs > 0.5) == (y == 1))),
        "drowsiness_auc": roc_auc(y, probs),
        "verification_accuracy": verification_accuracy(np.sum(emb[a] * emb[b], 1), same, folds)[
            "accuracy"
        ],
    }
    rows += [
        {"epoch": cfg["steps"], "split": "test", "metric": k, "value": v}
        for k, v in metrics.items()
    ]
    return rows, metrics
