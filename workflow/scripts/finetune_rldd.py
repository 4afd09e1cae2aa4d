"""Fine-tune (pre-trained or from scratch) on the RLDD training folds; score the test fold."""

import time
from dataclasses import dataclass

import pandas as pd

from vigilance.blink.rldd import RLDD_WINDOW
from vigilance.core.device import describe_device, resolve_device
from vigilance.core.io import atomic_path, write_json
from vigilance.core.logs import script_context
from vigilance.core.seeding import seed_everything
from vigilance.core.settings import settings_from
from vigilance.finetune.data import LabelledWindows
from vigilance.finetune.hparams import build_configs, flat_defaults
from vigilance.finetune.rldd import KPI, fold_views, rldd_measures
from vigilance.finetune.run import build_model, label_mean, make_trainer
from vigilance.pretrain.hparams import flat_defaults as pretrain_defaults


@dataclass(frozen=True)
class Params:
    """The rule's params: the RLDD folder and folds, the config's head, training and best
    schedule, a scratch run's pre-training settings (None: pre-trained), device settings."""

    folder: str
    folds: list
    normalise: bool
    head: dict
    training: dict
    schedule: list
    scratch_pretrain: dict | None
    device: str
    precision: str
    deterministic: bool


def main(snakemake) -> None:
    w, out = snakemake.wildcards, snakemake.output
    with script_context(snakemake) as log:
        p = settings_from(Params, snakemake.params, snakemake.rule)
        seed = int(w.seed)
        seed_everything(seed, p.deterministic)
        device = resolve_device(p.device)
        views = fold_views(p.folder, p.folds, int(w.fold), device, p.normalise)
        data = {name: LabelledWindows(view, view.labelled()) for name, view in views.items()}
        params = flat_defaults({"head": p.head, "training": p.training})
        head, cfg = build_configs(params, p.precision)
        init = "scratch" if w.init == "scratch" else "pretrained_all"
        n_features = views["train"].windows.x.shape[2]
        model = build_model(
            init, head, seed, encoder=snakemake.input.get("encoder"), n_features=n_features,
            window=RLDD_WINDOW, masking=p.scratch_pretrain and p.scratch_pretrain["masking"],
            pretrain_params=p.scratch_pretrain and pretrain_defaults(p.scratch_pretrain),
        )  # fmt: skip
        schedule = p.schedule
        trainer, effective = make_trainer(
            model, cfg, init, schedule, seed, device, None, 0.0,
            label_mean=label_mean(data["train"]), measures=rldd_measures, kpi=KPI,
        )  # fmt: skip
        log.info(
            "test fold %s, windows %s; schedule %s",
            w.fold,
            {k: len(v) for k, v in data.items()},
            effective,
        )
        started = time.perf_counter()
        rows = trainer.fit(data["train"], data["val"])
        measures, y, pred = trainer.test(data["test"])
        log.info("test fold %s (epoch %d): %s", w.fold, trainer.best_epoch, measures)
        with atomic_path(out.metrics) as tmp:
            pd.DataFrame(rows).to_csv(tmp, index=False)
        with atomic_path(out.predictions) as tmp:
            pd.DataFrame({"score": y, "predicted": pred}).to_csv(tmp, index=False)
        # The epochs run (early stopping may end before the configured number): the table
        # reports how often the selected epoch is the last one run (training not converged).
        trained = 1 + max(int(row["epoch"]) for row in rows)
        write_json(out.test, {"epoch": trainer.best_epoch, "epochs_run": trained, **measures})
        seconds = time.perf_counter() - started
        run = {"seconds": seconds, "params": params, "effective_schedule": effective}
        write_json(out.run, {**run, **describe_device(device)})


main(snakemake)  # noqa: F821 - injected by Snakemake
