"""One run of the grid: resolve a method's tasks and options, build, train, collect outputs."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch

from vigilance.core.errors import VigilanceError
from vigilance.mtl.models import Arch, count_parameters
from vigilance.mtl.registry import build_model
from vigilance.mtl.train import TrainSettings, fit

# A method's architecture overrides of its data set's model (null = the data set's).
OVERRIDES = ("dense", "head", "dense_dropout", "head_dropout")


def method_arch(model: dict, method: dict) -> Arch:
    """The data set's model with a method's overrides (``dense``, ``head`` and their dropout)."""
    arch = dict(model)
    arch.update({k: method[k] for k in OVERRIDES if method.get(k) is not None})
    try:
        out = Arch.of(arch)
        out.rates("dense"), out.rates("head")
    except (TypeError, ValueError) as err:
        raise VigilanceError(
            f"not an architecture ({err})",
            field="methods.<method>.dense/head/dense_dropout/head_dropout",
            value=arch,
            expected="dense and head lists, and one dropout rate or one per layer",
        ) from None
    return out


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


@dataclass(frozen=True)
class RunSettings:
    """What one training job reads (the rule's params)."""

    dataset: str
    method_name: str
    seed: int
    method: dict  # the method's config entry
    model: dict  # the data set's model
    training: dict  # the data set's training settings
    main_tasks: tuple[str, ...]
    split: dict  # the keys vigilance.mtl.data.split reads
    device: str = "auto"
    precision: str = "auto"
    deterministic: bool = True


def run_method(data: dict, sides: np.ndarray, settings: RunSettings, device):
    """Train one method on prepared windows.

    Args:
        data: From :func:`vigilance.mtl.data.load`.
        sides: (N,) split ids.
        settings: The job's settings.
        device: A ``torch.device``.

    Returns:
        ``rows`` (metric rows), ``predictions`` and ``stitch`` (DataFrames), ``tasks``,
        ``parameters``, ``profile`` (seconds of a step and of the regulariser) and ``save`` (a
        function writing the checkpoint to a path).
    """
    method, seed = settings.method, settings.seed
    available = data["tasks"].tolist()
    tasks = method_tasks(method, {"main_tasks": settings.main_tasks}, available)
    columns = [available.index(t) for t in tasks]
    n_classes = [int(data["classes"][c]) for c in columns]
    arch = method_arch(settings.model, method)
    options = {"trace_norm_weight": method["trace_norm_weight"]}
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
    train = TrainSettings(**settings.training, precision=settings.precision)
    rows, pred, profile = fit(model, x, y, sides, tasks, n_classes, train, seed, device)
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
        state = {"state_dict": model.state_dict(), "method": method, "tasks": tasks}
        state["arch"] = asdict(arch)
        torch.save(state, path)

    return {
        "rows": rows,
        "predictions": predictions,
        "stitch": pd.DataFrame(stitch, columns=["depth", "to", "from", "value"]),
        "tasks": tasks,
        "parameters": count_parameters(model),
        "profile": profile,
        "save": save,
    }
