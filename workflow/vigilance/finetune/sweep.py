"""The Optuna sweep of the fine-tuning (thesis 000, section 3.6 and Table 3.2).

Only the head and general settings are searched, as in the thesis (hidden sizes, dropout,
batch norm, accumulated batches, gradient clipping), on the encoder pre-trained on all
pre-training drivers, with the configured best unfreezing strategy, maximising the validation
KPI (quadratic-weighted kappa on 4 KSS levels). TPE after ``startup_trials`` random trials, a
median pruner on the KPI per epoch, SQLite storage that resumes, as in the pre-training sweep
(:mod:`vigilance.pretrain.sweep`, whose sampling and tables it reuses).
"""

from __future__ import annotations

import logging
import math

import optuna

from vigilance.config import config_hash
from vigilance.finetune.hparams import build_configs, flat_defaults
from vigilance.finetune.run import build_model, label_mean, make_trainer
from vigilance.pretrain.sweep import suggest

log = logging.getLogger("vigilance.sweep")


def study_name(finetune: dict, dataset: str) -> str:
    """A name that changes whenever the sweep's settings do."""
    settings = {"sweep": finetune["sweep"], "fixed": flat_defaults(finetune)}
    return f"finetune-{dataset}-{config_hash(settings)[:12]}"


def run_sweep(finetune: dict, data: dict, encoder, device, precision, storage, name, bins):
    """Run (or resume) the sweep until it holds ``trials`` finished trials."""
    sweep = finetune["sweep"]
    study = optuna.create_study(
        study_name=name,
        storage=storage,
        sampler=optuna.samplers.TPESampler(
            n_startup_trials=sweep["startup_trials"], seed=sweep["seed"]
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
        model = build_model("pretrained_all", head, seed, encoder=encoder)
        trainer, _ = make_trainer(
            model, cfg, "pretrained_all", schedule, seed, device, bins, threshold,
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

    finished = (
        optuna.trial.TrialState.COMPLETE,
        optuna.trial.TrialState.PRUNED,
        optuna.trial.TrialState.FAIL,
    )
    done = len(study.get_trials(states=finished, deepcopy=False))
    remaining = max(0, sweep["trials"] - done)
    log.info("study %s: %d trials done, %d to run", name, done, remaining)
    study.optimize(objective, n_trials=remaining, catch=())
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
