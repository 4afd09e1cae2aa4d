"""The one epoch loop of the pre-training and fine-tuning trainers.

It owns what every trainer repeats: epochs until ``cfg.epochs`` or until ``cfg.patience``
epochs without a better validation result, the learning-rate schedule stepped once per epoch,
the best epoch's weights kept in memory, the metrics in long form (epoch, split, metric,
value), a checkpoint after every epoch and exact resume from it (:mod:`vigilance.core.checkpoint`),
and a hook after each epoch (a sweep's pruner). A part supplies its step and its measures:

- ``train_epoch(train) -> {metric: value}``: one epoch of optimisation at ``self.epoch``,
  usually ``self.optimise(cfg.steps_per_epoch, loss_of)``;
- ``evaluate(val) -> {metric: value}``: the validation measures;
- ``selection_key(val_metrics) -> tuple``: higher is better (``WORST`` before any epoch);
- ``monitored(val_metrics) -> float``: what the ``on_epoch`` hook receives;
- ``describe(train_metrics, val_metrics) -> str``: the epoch's log line.

Accumulation has the thesis' meaning ("accumulate gradient batches"): an epoch draws
``steps_per_epoch`` batches whatever ``accumulate`` is, and ``accumulate = k`` takes one
optimiser step per k of them, so ``ceil(steps_per_epoch / k)`` steps per epoch; when k does not
divide ``steps_per_epoch`` the last step accumulates the remaining batches (each group's loss
is the mean over its batches). Trials with different k see the same windows per epoch.

It lives in ``core`` beside the checkpoint it drives: it knows no model, data or measure.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from pathlib import Path

import torch

from vigilance.core.checkpoint import Resumable
from vigilance.core.io import remove_leftovers

log = logging.getLogger("vigilance.core.loop")


class EpochLoop(Resumable):
    """Base of a trainer with ``model``, ``optimizer``, ``scheduler``, ``cfg`` (with
    ``epochs`` and ``patience``), ``device`` and ``fingerprint``; its ``__init__`` calls
    :meth:`reset_progress`."""

    STATE_KEYS = ("epoch", "rows", "best_key", "best_epoch", "best_state", "bad_epochs")
    WORST: tuple[float, ...] = (-math.inf,)
    logger = log

    def reset_progress(self) -> None:
        """Progress before the first epoch."""
        self.epoch, self.rows, self.best_epoch, self.bad_epochs = 0, [], -1, 0
        self.best_key, self.best_state = self.WORST, None

    # -- what a part supplies -------------------------------------------------------------
    def train_epoch(self, train) -> dict[str, float]:
        raise NotImplementedError

    def evaluate(self, val) -> dict[str, float]:
        raise NotImplementedError

    def selection_key(self, metrics: dict[str, float]) -> tuple[float, ...]:
        raise NotImplementedError

    def monitored(self, metrics: dict[str, float]) -> float:
        raise NotImplementedError

    def describe(self, train_metrics: dict, val_metrics: dict) -> str:
        raise NotImplementedError

    # -- accumulation -------------------------------------------------------------------
    def optimise(self, batches: int, loss_of: Callable[[int], torch.Tensor]) -> int:
        """Draw ``batches`` batches (``loss_of(i)`` is batch i's mean loss, its metrics the
        part's to keep) and take one clipped optimiser step per ``cfg.accumulate`` of them;
        return the number of optimiser steps."""
        groups = accumulation_groups(batches, self.cfg.accumulate)
        for group in groups:
            self.optimizer.zero_grad(set_to_none=True)
            for i in group:
                (loss_of(i) / len(group)).backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.gradient_clip)
            self.optimizer.step()
        return len(groups)

    # -- the loop -------------------------------------------------------------------------
    def resume(self, state_path: str | Path | None) -> None:
        """Continue from the checkpoint at ``state_path`` when it exists and fits; say where."""
        if state_path is None:
            return
        remove_leftovers(state_path)  # a write the last run was killed in
        if not Path(state_path).exists():
            self.logger.info("no checkpoint at %s: starting at epoch 0", state_path)
        elif self.load_state(state_path):
            self.logger.info(
                "resumed from %s at epoch %d (%d of %d epochs done, best epoch %d)",
                state_path,
                self.epoch,
                self.epoch,
                self.cfg.epochs,
                self.best_epoch,
            )
        else:
            self.logger.warning(
                "%s was made with other settings or by another version of the trainer: "
                "starting afresh at epoch 0",
                state_path,
            )

    def fit(
        self,
        train,
        val,
        state_path: Path | None = None,
        on_epoch: Callable[[int, float], None] | None = None,
        stop_after: int | None = None,
    ) -> list[dict]:
        """Train until ``epochs`` or early stopping; checkpoint after every epoch.

        Args:
            train, val: The training and validation data, as the part's step takes them.
            state_path: Where the per-epoch checkpoint lives; an existing one is resumed.
            on_epoch: Called with (epoch, monitored validation value) after each epoch (the
                sweep's pruner hook; it may raise to stop the run).
            stop_after: Stop after this many epochs in this call (to test resuming).

        Returns:
            The metrics in long form: dicts of epoch, split, metric, value.
        """
        self.resume(state_path)
        done_here = 0
        while self.epoch < self.cfg.epochs and self.bad_epochs < self.cfg.patience:
            started = time.perf_counter()
            train_metrics = self.train_epoch(train)
            lr = self.optimizer.param_groups[0]["lr"]
            self.scheduler.step()
            val_metrics = self.evaluate(val)
            seconds = time.perf_counter() - started
            for split, values in (("train", train_metrics), ("val", val_metrics)):
                for name, value in values.items():
                    self._row(split, name, value)
            self._row("train", "lr", lr)
            self._row("train", "seconds", seconds)
            self.logger.info("epoch %d: %s", self.epoch, self.describe(train_metrics, val_metrics))
            key = self.selection_key(val_metrics)
            if key > self.best_key:
                self.best_key, self.best_epoch, self.bad_epochs = key, self.epoch, 0
                self.best_state = {
                    k: v.detach().clone() for k, v in self.model.state_dict().items()
                }
            else:
                self.bad_epochs += 1
            self.epoch += 1
            if state_path is not None:
                self.save_state(state_path)
            if on_epoch is not None:
                on_epoch(self.epoch - 1, self.monitored(val_metrics))
            done_here += 1
            if stop_after is not None and done_here >= stop_after:
                break
        return self.rows

    def _row(self, split: str, metric: str, value: float) -> None:
        self.rows.append({"epoch": self.epoch, "split": split, "metric": metric, "value": value})


def accumulation_groups(batches: int, accumulate: int) -> list[range]:
    """The batch indices ``0 .. batches - 1`` in groups of ``accumulate``, one optimiser step
    each; a last partial group (``accumulate`` not dividing ``batches``) is stepped too."""
    if batches < 1 or accumulate < 1:
        raise ValueError(f"batches ({batches}) and accumulate ({accumulate}) must be >= 1")
    return [range(s, min(s + accumulate, batches)) for s in range(0, batches, accumulate)]
