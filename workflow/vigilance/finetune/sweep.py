"""The Optuna sweep of the fine-tuning (thesis 000, section 3.6 and Table 3.2).

Only the head and general settings are searched, as in the thesis (hidden sizes, dropout,
batch norm, accumulated batches, gradient clipping), on the encoder pre-trained on all
pre-training drivers, with the configured best unfreezing strategy, maximising the validation
KPI (quadratic-weighted kappa on 4 KSS levels). TPE after ``startup_trials`` random trials, a
median pruner on the KPI per epoch, run by ``workers`` worker jobs on one shared study
(:mod:`vigilance.evaluation.sweeps`: exact totals, interrupted trials run again), as the
pre-training sweep (:mod:`vigilance.pretrain.sweep`, whose sampling and tables it reuses).
The study is named by a digest of its input files (the data and the pre-trained encoder) and
of its parameters, so a retrained encoder or changed data starts a new study.

Both arms are tuned alike (issue 14): ``init="scratch"`` runs the same space, trials and epochs
on the scratch model (the pre-training's architecture, fresh weights, everything trainable),
as its own study (``finetune-{dataset}-scratch``, no encoder among its inputs).
"""

from __future__ import annotations

import logging
import math

import optuna

from vigilance.evaluation.sweeps import (
    RUN_ONLY,
    StudyIdentity,
    counted,
    lock_path,
    open_storage,
    run_worker,
)
from vigilance.evaluation.sweeps import study_identity as sweep_identity
from vigilance.finetune.hparams import build_configs, flat_defaults
from vigilance.finetune.run import build_model, label_mean, make_trainer
from vigilance.pretrain.sweep import suggest

log = logging.getLogger("vigilance.sweep")


def study_identity(
    finetune: dict,
    dataset: str,
    files,
    window: int,
    bins,
    device: str,
    precision: str,
    deterministic: bool,
    init: str = "pretrained_all",
    scratch_pretrain: dict | None = None,
) -> StudyIdentity:
    """The study's identity: the digests of the data files and the pre-trained encoder (the
    scratch arm: the pre-training sweep's best), and every parameter a trial uses
    (``vigilance.evaluation.sweeps.study_identity``)."""
    params = {
        "sweep": {k: v for k, v in finetune["sweep"].items() if k not in RUN_ONLY},
        "fixed": flat_defaults(finetune),
        "schedule": finetune["strategies"][finetune["best_strategy"]],
        "features": finetune["features"],
        "evaluation": finetune["evaluation"],
        "window": window,
        "bins": bins,
        "device": device,
        "precision": precision,
        "deterministic": deterministic,
        # Trials of the former meaning (an epoch of steps_per_epoch x accumulate batches) are
        # not this study's.
        "epoch": "steps_per_epoch batches whatever accumulate",
    }
    if init == "scratch":  # no schedule: everything trains from epoch 0
        params.update(schedule=None, init=init, scratch_pretrain=scratch_pretrain)
        return sweep_identity(f"finetune-{dataset}-scratch", files, params)
    return sweep_identity(f"finetune-{dataset}", files, params)


def run_sweep(
    finetune: dict,
    data: dict,
    encoder,
    device,
    precision,
    storage: str,
    name: str,
    bins,
    worker: int = 0,
    lock_file: str | None = None,
    stale_after_s: float | None = None,
    init: str = "pretrained_all",
    model_args: dict | None = None,
):
    """Run (or resume) the sweep as worker ``worker`` (0: the lead) until the study is full.

    Args:
        encoder: The pre-trained encoder (None for the scratch arm).
        init: ``pretrained_all`` (the best strategy's schedule) or ``scratch``.
        model_args: Further :func:`vigilance.finetune.run.build_model` arguments (the scratch
            arm's architecture: ``pretrain_params``, ``n_features``, ``window``, ``masking``).
        storage: An Optuna RDB URL or a journal file path (:func:`vigilance.sweeps.open_storage`).
        lock_file, stale_after_s: As :func:`vigilance.pretrain.sweep.run_sweep`.
    """
    sweep = finetune["sweep"]
    study = optuna.create_study(
        study_name=name,
        storage=open_storage(storage),
        sampler=optuna.samplers.TPESampler(
            n_startup_trials=sweep["startup_trials"],
            seed=sweep["seed"] + worker,
            # One worker: no other trial runs while it asks, so the liar changes nothing
            # (same points as without it); several: they do not all propose the same point.
            constant_liar=True,
        ),
        pruner=optuna.pruners.MedianPruner(
            n_startup_trials=max(1, sweep["startup_trials"] // 2),
            n_warmup_steps=sweep["pruner_warmup_epochs"],
        ),
        direction="maximize",
        load_if_exists=True,
    )
    fixed = flat_defaults(finetune)
    fixed.update(epochs=sweep["epochs"], steps_per_epoch=sweep["steps_per_epoch"])
    schedule = finetune["strategies"][finetune["best_strategy"]]
    threshold = finetune["evaluation"]["warning_threshold"]

    def objective(trial: optuna.Trial) -> float:
        params = {**fixed, **suggest(trial, sweep["space"])}
        head, cfg = build_configs(params, precision)
        seed = sweep["seed"] + trial.number
        model = build_model(init, head, seed, encoder=encoder, **(model_args or {}))
        trainer, _ = make_trainer(
            model, cfg, init, schedule, seed, device, bins, threshold,
            label_mean=label_mean(data["train"]),
        )  # fmt: skip

        def report(epoch: int, kpi: float) -> None:
            trial.report(kpi if math.isfinite(kpi) else -1.0, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned(f"pruned at epoch {epoch}")

        try:
            trainer.fit(data["train"], data["val"], on_epoch=report)
        except FloatingPointError as err:
            trial.set_user_attr("diverged", str(err))
            return math.nan
        return trainer.best if math.isfinite(trainer.best) else math.nan

    if stale_after_s is None:
        stale_after_s = math.inf  # lost workers are still found by process and by index
    lock_file = lock_file or lock_path(storage, ".")
    ran = run_worker(
        study, objective, sweep["trials"], lock_file, worker, stale_after_s, lead=worker == 0
    )
    log.info("worker %d ran trials %s; the study holds %d", worker, ran, counted(study))
    return study


def best_params(study: optuna.Study, finetune: dict) -> dict:
    """The complete flat hyper-parameters of the best trial (highest validation KPI)."""
    complete = study.get_trials(states=(optuna.trial.TrialState.COMPLETE,), deepcopy=False)
    complete = [t for t in complete if t.value is not None and math.isfinite(t.value)]
    params = flat_defaults(finetune)
    if not complete:
        return {"params": params, "best_trial": None, "best_value": None}
    best = max(complete, key=lambda t: t.value)
    for name, value in best.params.items():
        params[name] = [int(v) for v in value.split("-")] if name == "head_hidden" else value
    return {"params": params, "best_trial": best.number, "best_value": best.value}
