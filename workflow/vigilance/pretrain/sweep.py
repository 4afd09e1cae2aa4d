"""The Optuna sweep of the pre-training (thesis 000, section 3.6 and Table 3.1).

Akiba et al. (2019), "Optuna: A Next-generation Hyperparameter Optimization Framework", KDD.
A TPE sampler (Bergstra et al. 2011) after ``startup_trials`` random trials, seeded; a median
pruner on the validation loss per epoch; a shared storage (a journal file in results/, or an
RDB) that W worker jobs run trials of together (``vigilance.evaluation.sweeps``), so an
interrupted sweep resumes where it stopped. The study is named by a digest of its input files
and parameters, so a changed input or setting starts a new study. Invalid architectures (heads
not dividing the embedding size, ...) are pruned with the reason recorded as the trial's
``invalid`` attribute; a diverging trial (NaN loss) is recorded as failed, with the reason in
``diverged``, and the sweep goes on.
"""

from __future__ import annotations

import logging
import math

import optuna
import pandas as pd

from vigilance.evaluation.sweeps import (
    RUN_ONLY,
    StudyIdentity,
    counted,
    lock_path,
    open_storage,
    run_worker,
)
from vigilance.evaluation.sweeps import study_identity as sweep_identity
from vigilance.models.backbone import check_backbone
from vigilance.pretrain.hparams import build_configs, flat_defaults, suggest_valid
from vigilance.pretrain.thesis import RANGES
from vigilance.pretrain.train import DivergedError, Trainer

log = logging.getLogger("vigilance.sweep")


def suggest(trial: optuna.Trial, space: dict) -> dict:
    """Sample one point of the space (lists: choices; [low, high, step]: ranges)."""
    params = {}
    for name, spec in space.items():
        if name in RANGES:
            low, high, step = spec
            if isinstance(low, int) and isinstance(high, int) and isinstance(step, int):
                params[name] = trial.suggest_int(name, low, high, step=step)
            else:
                params[name] = trial.suggest_float(name, low, high, step=step)
        elif name == "head_hidden":
            labels = ["-".join(map(str, h)) for h in spec]
            params[name] = [int(v) for v in trial.suggest_categorical(name, labels).split("-")]
        else:
            params[name] = trial.suggest_categorical(name, list(spec))
    return params


def study_identity(
    pretrain: dict,
    dataset: str,
    files,
    features: str,
    window: int,
    widths: list[int] | None,
    device: str,
    precision: str,
    deterministic: bool,
) -> StudyIdentity:
    """The study's identity: the digests of the data files (blinks, split manifest,
    normalisation) and every parameter a trial uses; how the sweep is run (workers, storage)
    does not change it (``vigilance.evaluation.sweeps.study_identity``)."""
    params = {
        "sweep": {k: v for k, v in pretrain["sweep"].items() if k not in RUN_ONLY},
        "fixed": flat_defaults(pretrain),
        "masking": pretrain["masking"],
        "features": features,
        "window": window,
        "widths": list(widths or []),
        "device": device,
        "precision": precision,
        "deterministic": deterministic,
    }
    return sweep_identity(f"pretrain-{dataset}", files, params)


def make_study(pretrain: dict, storage, name: str, worker: int = 0, workers: int = 1):
    """Open (or create) the sweep's study as one of ``workers`` workers.

    Each worker samples with its own seed (``seed + worker``; one worker: the configured seed)
    and, with several, TPE's constant liar, so that concurrent workers do not all propose the
    same point while the others' trials are running.
    """
    sweep = pretrain["sweep"]
    sampler = optuna.samplers.TPESampler(
        n_startup_trials=sweep["startup_trials"],
        seed=sweep["seed"] + worker,
        constant_liar=workers > 1,
    )
    pruner = optuna.pruners.MedianPruner(
        n_startup_trials=max(1, sweep["startup_trials"] // 2),
        n_warmup_steps=sweep["pruner_warmup_epochs"],
    )
    return optuna.create_study(
        study_name=name,
        storage=storage,
        sampler=sampler,
        pruner=pruner,
        direction="minimize",
        load_if_exists=True,
    )


def make_objective(
    pretrain: dict,
    data,
    n_features: int,
    window: int,
    device,
    precision: str,
    widths: list[int] | None = None,
):
    """The sweep's objective: the best validation loss of one pre-training run."""
    sweep = pretrain["sweep"]
    fixed = flat_defaults(pretrain)
    fixed.update(epochs=sweep["epochs"], steps_per_epoch=sweep["steps_per_epoch"])

    def objective(trial: optuna.Trial) -> float:
        chosen = suggest_valid(trial, sweep["space"], fixed, [n_features, *(widths or [])], suggest)
        params = {**fixed, **chosen}
        backbone, head, train, masking = build_configs(
            params, n_features, window, pretrain["masking"], precision
        )
        problem = check_backbone(backbone)
        for width in widths or []:
            other = build_configs(params, width, window, pretrain["masking"], precision)[0]
            problem = problem or (
                check_backbone(other) and f"for {width} features: {check_backbone(other)}"
            )
        if problem:
            trial.set_user_attr("invalid", problem)
            raise optuna.TrialPruned(problem)
        trainer = Trainer(
            backbone,
            head,
            train,
            masking,
            seed=sweep["seed"] + trial.number,
            device=device,
            original_features=min(9, n_features),
        )

        def report(epoch: int, val_loss: float) -> None:
            trial.report(val_loss, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned(f"pruned at epoch {epoch}")

        try:
            trainer.fit(*data, on_epoch=report)
        except DivergedError as err:
            trial.set_user_attr("diverged", str(err))
            log.warning("trial %d diverged: %s", trial.number, err)
            return math.nan
        return trainer.best

    return objective


def run_sweep(
    pretrain: dict,
    data,
    n_features: int,
    window: int,
    device,
    precision: str,
    storage: str,
    name: str,
    widths: list[int] | None = None,
    worker: int = 0,
    workers: int = 1,
    lock_file: str | None = None,
    stale_after_s: float | None = None,
) -> optuna.Study:
    """Run (or resume) the sweep, as one of ``workers`` workers, until the study holds its
    ``trials`` counted trials (see ``vigilance.evaluation.sweeps``).

    Args:
        pretrain: The ``pretrain`` config section.
        data: (train windows, validation windows).
        n_features, window: The data's width and sequence length.
        device: Where trials train.
        precision: The precision setting.
        storage: An Optuna storage URL (``sqlite:///...``, ``postgresql://...``) or the path
            of a journal file (``vigilance.sweeps.open_storage``).
        name: The study name.
        widths: Feature counts the chosen architecture must also fit (the grid's other
            feature sets); a point invalid for any of them is pruned.
        worker, workers: This worker's index and the number of workers.
        lock_file: The reservation lock (default: next to the storage, or in the current
            folder for a URL).
        stale_after_s: Running trials older than this are from a lost worker (default: with
            one worker every running trial is stale; with several, never).
    """
    study = make_study(pretrain, open_storage(storage), name, worker, workers)
    objective = make_objective(pretrain, data, n_features, window, device, precision, widths)
    if stale_after_s is None:
        stale_after_s = 0.0 if workers == 1 else math.inf
    lock_file = lock_file or lock_path(storage, ".")
    log.info("study %s: %d counted trials before worker %d", name, counted(study), worker)
    ran = run_worker(
        study, objective, pretrain["sweep"]["trials"], lock_file, worker, stale_after_s
    )
    log.info("worker %d ran trials %s; the study holds %d", worker, ran, counted(study))
    return study


def trials_table(study: optuna.Study):
    """Every trial: number, state, value, parameters and the invalid/diverged reasons."""
    table = study.trials_dataframe(attrs=("number", "state", "value", "params", "user_attrs"))
    return table.rename(columns=lambda c: c.replace("params_", "").replace("user_attrs_", ""))


def best_params(study: optuna.Study, pretrain: dict) -> dict:
    """The complete flat hyper-parameters of the best trial (fixed values filled in)."""
    complete = study.get_trials(states=(optuna.trial.TrialState.COMPLETE,), deepcopy=False)
    complete = [t for t in complete if t.value is not None and math.isfinite(t.value)]
    params = flat_defaults(pretrain)
    if not complete:
        return {"params": params, "best_trial": None, "best_value": None}
    best = min(complete, key=lambda t: t.value)
    for name, value in best.params.items():
        params[name] = [int(v) for v in value.split("-")] if name == "head_hidden" else value
    return {"params": params, "best_trial": best.number, "best_value": best.value}


def importances(study) -> pd.DataFrame:
    """Parameter importances of a study (empty, with the reason, when it cannot be computed)."""
    complete = [
        t
        for t in study.get_trials(deepcopy=False)
        if t.state == optuna.trial.TrialState.COMPLETE
        and t.value is not None
        and math.isfinite(t.value)
    ]
    evaluator = optuna.importance.FanovaImportanceEvaluator(seed=0)
    try:
        values = optuna.importance.get_param_importances(study, evaluator=evaluator)
    except (RuntimeError, ValueError) as err:
        note = f"not computable from {len(complete)} completed trials: {err}"
        return pd.DataFrame([{"parameter": "", "importance": math.nan, "note": note}])
    return pd.DataFrame(
        {
            "parameter": list(values),
            "importance": list(values.values()),
            "note": f"fANOVA over {len(complete)} completed trials",
        }
    )
