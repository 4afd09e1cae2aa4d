"""One run of the grid: resolve a method's tasks and options, build, train, collect outputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from vigilance.core.errors import VigilanceError
from vigilance.mtl.models import build_model, count_parameters
from vigilance.mtl.train import TrainSettings, fit


def method_tasks(method: dict, settings: dict, available) -> list[str]:
    """The tasks a method trains (its own list, else the data set's main tasks), checked."""
    tasks = list(method["tasks"]) or list(settings["main_tasks"])
    unknown = [t for t in tasks if t not in list(available)]
    if unknown:
        raise VigilanceError(
            "unknown task",
            field="methods.tasks",
            value=unknown[0],
            expected=f"one of {list(available)}",
        )
    if method["loss_weights"] and len(method["loss_weights"]) != len(tasks):
        raise VigilanceError(
            "one loss weight per task needed",
            field="methods.loss_weights",
            value=method["loss_weights"],
            expected=f"{len(tasks)} numbers for tasks {tasks}",
        )
    return tasks


def run_method(
    data: dict, sides: np.ndarray, settings: dict, method: dict, seed, device, precision
):
    """Train one method on prepared windows.

    Args:
        data: From :func:`vigilance.mtl.data.load`.
        sides: (N,) split ids.
        settings: The data set's config section.
        method: The method's config entry.
        seed: The run's seed.
        device: A ``torch.device``.
        precision: The config's precision.

    Returns:
        ``rows`` (metric rows), ``predictions`` and ``stitch`` (DataFrames), ``tasks``,
        ``parameters`` and ``save`` (a function writing the checkpoint to a path).
    """
    available = data["tasks"].tolist()
    tasks = method_tasks(method, settings, available)
    columns = [available.index(t) for t in tasks]
    n_classes = [int(data["classes"][c]) for c in columns]
    arch = dict(settings["model"])
    if method["dropout"] >= 0:
        arch["dropout"] = method["dropout"]
    options = {
        "shared_dense": method["shared_dense"],
        "trace_norm_weight": method["trace_norm_weight"],
    }
    x, y = data["x"], data["y"][:, columns]
    model = build_model(
        method["model"],
        x.shape[1],
        x.shape[2],
        n_classes,
        arch,
        loss_weights=list(method["loss_weights"]) or None,
        **options,
    )
    train = TrainSettings(**settings["training"], precision=precision)
    rows, pred = fit(model, x, y, sides, tasks, n_classes, train, seed, device)
    test = np.flatnonzero(sides == 2)
    predictions = pd.concat(
        pd.DataFrame({"window": test, "task": task, "true": y[test, t], "pred": pred[:, t]})
        for t, task in enumerate(tasks)
    )
    stitch = [
        {"depth": d, "to": tasks[i], "from": tasks[j], "value": float(alpha[i, j])}
        for d, alpha in enumerate(model.stitch_weights(), start=1)
        for i in range(len(tasks))
        for j in range(len(tasks))
    ]

    def save(path) -> None:
        state = {"state_dict": model.state_dict(), "method": method, "arch": arch, "tasks": tasks}
        torch.save(state, path)

    return {
        "rows": rows,
        "predictions": predictions,
        "stitch": pd.DataFrame(stitch, columns=["depth", "to", "from", "value"]),
        "tasks": tasks,
        "parameters": count_parameters(model),
        "save": save,
    }
