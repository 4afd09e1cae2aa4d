"""The tutorial's regression task: predict the gaze point k samples ahead from the previous N.

Document 002 (``animals.ipynb``) trains an LSTM on windows of 20 consecutive gaze points
labelled with the point directly after them, with a mean-absolute-error loss. Here every
recording gives windows of ``history`` points (starting every ``step`` samples, never crossing
recordings) and the target ``horizon`` samples after the window's last point. Predictors:

- ``LastPoint``: the window's last point (persistence; no training): the trivial predictor.
- ``TrainingMean``: the training fold's mean target point (R^2 about 0): the other trivial one.
- ``Ridge``: scikit-learn's ridge regression on the flattened window: the classical row.
- ``MLP`` and ``LSTM``: the registry's MLP and the tutorial's two-layer
  :class:`~vigilance.eyetracking.models.scanpath_lstm.ScanpathLSTM` with two outputs, trained
  with Adam on the L1 loss for a fixed number of epochs (no early stopping on test data).

In the ``relative`` frame (the default) inputs and target are taken relative to the window's
last point, so a model learns the displacement and "no movement" is its zero; ``absolute``
feeds raw positions, as the tutorial did. Either way inputs and targets are standardised with
the training fold's statistics, and every score is in screen pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from vigilance.core.device import autocast
from vigilance.core.errors import VigilanceError
from vigilance.eyetracking.models import build
from vigilance.eyetracking.reader import Recording

PREDICTORS = ("LastPoint", "TrainingMean", "Ridge", "MLP", "LSTM")
NETWORKS = {"MLP": "MLP", "LSTM": "ScanpathLSTM"}
FRAMES = ("relative", "absolute")


@dataclass(frozen=True)
class Windows:
    """Past windows and their targets.

    Attributes:
        past: (M, N, 2) float64 gaze points (pixels) of each window.
        target: (M, 2) float64 the point ``horizon`` samples after the window's last one.
        recording, image, observer: (M,) the window's recording and its labels.
        start: (M,) index of the window's first sample in its recording.
    """

    past: np.ndarray
    target: np.ndarray
    recording: np.ndarray
    image: np.ndarray
    observer: np.ndarray
    start: np.ndarray


@dataclass(frozen=True)
class ForecastSettings:
    """Training of the network predictors (the ``eyetracking.regression`` config section)."""

    frame: str = "relative"
    width: int = 32
    dropout: float = 0.0
    epochs: int = 10
    batch_size: int = 128
    learning_rate: float = 1e-3
    ridge_alpha: float = 1.0


def make_windows(recordings: list[Recording], history: int, horizon: int, step: int) -> Windows:
    """Every (window of ``history`` points, point ``horizon`` later) of every recording."""
    parts = {k: [] for k in ("past", "target", "recording", "image", "observer", "start")}
    for rec in recordings:
        starts = np.arange(0, len(rec.gaze) - history - horizon + 1, step)
        if len(starts) == 0:
            continue
        index = starts[:, None] + np.arange(history)[None, :]
        parts["past"].append(rec.gaze[index])
        parts["target"].append(rec.gaze[starts + history - 1 + horizon])
        for key in ("recording", "image", "observer"):
            value = rec.name if key == "recording" else getattr(rec, key)
            parts[key].append(np.full(len(starts), value, dtype=object))
        parts["start"].append(starts)
    if not parts["start"]:
        raise VigilanceError(
            "no recording is long enough for one window",
            field="eyetracking.regression.history",
            value=history,
            expected=f"history + horizon <= {max((len(r.gaze) for r in recordings), default=0)}",
        )
    joined = {k: np.concatenate(v) for k, v in parts.items()}
    for key in ("recording", "image", "observer"):
        joined[key] = joined[key].astype(str)
    return Windows(**joined)


def _frame(past: np.ndarray, frame: str) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, origin): windows relative to their last point (origin = that point) or raw."""
    if frame == "relative":
        origin = past[:, -1, :]
        return past - origin[:, None, :], origin
    return past, np.zeros((len(past), 2))


def _network(name, x_train, t_train, x_test, settings, device, precision, seed):
    """Train a registry network on standardised (inputs, targets); predict the test inputs."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x_mean, x_sd = x_train.mean(axis=(0, 1)), x_train.std(axis=(0, 1)) + 1e-9
    t_mean, t_sd = t_train.mean(axis=0), t_train.std(axis=0) + 1e-9
    tensor = lambda a: torch.as_tensor(a, dtype=torch.float32, device=device)  # noqa: E731
    xt, tt = tensor((x_train - x_mean) / x_sd), tensor((t_train - t_mean) / t_sd)
    model = build(
        NETWORKS[name],
        length=xt.shape[1],
        channels=2,
        classes=2,
        width=settings.width,
        dropout=settings.dropout,
    ).to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    history = []
    for epoch in range(1, settings.epochs + 1):
        model.train()
        order = torch.as_tensor(rng.permutation(len(xt)), device=device)
        total = 0.0
        for begin in range(0, len(order), settings.batch_size):
            batch = order[begin : begin + settings.batch_size]
            with autocast(device, precision):
                out = model(xt[batch]).float()
            loss = torch.nn.functional.l1_loss(out, tt[batch])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        history.append((epoch, "train", "l1_standardised", total / len(xt)))
    model.eval()
    with torch.no_grad(), autocast(device, precision):
        xv = tensor((x_test - x_mean) / x_sd)
        out = torch.cat([model(xv[b : b + 1024]).float() for b in range(0, len(xv), 1024)])
    return out.cpu().numpy() * t_sd + t_mean, history


def fit_predict(name, windows, train, test, settings, device=None, precision="fp32", seed=0):
    """Fit one predictor on the training windows and predict the test windows' targets.

    Args:
        name: One of :data:`PREDICTORS`.
        windows: From :func:`make_windows`.
        train, test: Index arrays.
        settings: A :class:`ForecastSettings`.
        device, precision: For the networks (``torch.device``; ``auto``, ``fp32``, ``bf16``).
        seed: Seeds the networks' weights and batch order.

    Returns:
        (len(test), 2) predicted points in pixels, and the per-epoch history (networks only).
    """
    if name not in PREDICTORS:
        raise VigilanceError(
            "unknown gaze predictor", field="model", value=name, expected=f"one of {PREDICTORS}"
        )
    past, target = windows.past, windows.target
    if name == "LastPoint":
        return past[test, -1, :].copy(), []
    if name == "TrainingMean":
        return np.repeat(target[train].mean(axis=0, keepdims=True), len(test), axis=0), []
    x, origin = _frame(past, settings.frame)
    offset = target - origin
    if name == "Ridge":
        from sklearn.linear_model import Ridge
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        model = make_pipeline(StandardScaler(), Ridge(alpha=settings.ridge_alpha))
        model.fit(x[train].reshape(len(train), -1), offset[train])
        return model.predict(x[test].reshape(len(test), -1)) + origin[test], []
    device = device if device is not None else torch.device("cpu")
    pred, history = _network(
        name, x[train], offset[train], x[test], settings, device, precision, seed
    )
    return pred + origin[test], history


def cross_validate(name, windows, folds, settings, device=None, precision="fp32", seed=0):
    """Every fold's test predictions (fold, index, recording, true/pred x and y) and history."""
    rows, history = [], []
    for number, (train, test) in enumerate(folds):
        pred, epochs = fit_predict(
            name, windows, train, test, settings, device, precision, seed * 1000 + number
        )
        true = windows.target[test]
        rows.append(
            pd.DataFrame(
                {
                    "fold": number,
                    "index": test,
                    "recording": windows.recording[test],
                    "true_x": true[:, 0],
                    "true_y": true[:, 1],
                    "pred_x": pred[:, 0],
                    "pred_y": pred[:, 1],
                }
            )
        )
        history += [(number, *row) for row in epochs]
    metrics = pd.DataFrame(history, columns=["fold", "epoch", "split", "metric", "value"])
    return pd.concat(rows, ignore_index=True), metrics
