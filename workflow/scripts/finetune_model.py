"""Fine-tune one model (dataset x init x strategy x share x outer fold x seed); score the fold's
test set once.

The strategy ``chosen`` reads its schedule from the choice made from this run's strategy grid
(``chosen_strategy.yaml``)."""

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from vigilance.core.config import config_hash
from vigilance.core.device import describe_device, resolve_device
from vigilance.core.io import atomic_path, write_json
from vigilance.core.logs import script_context
from vigilance.core.seeding import seed_everything
from vigilance.core.settings import settings_from
from vigilance.finetune.data import load_finetune_data
from vigilance.finetune.hparams import build_configs, resolve_params
from vigilance.finetune.run import build_model, label_mean, make_trainer
from vigilance.pretrain.hparams import resolve_params as pretrain_params


@dataclass(frozen=True)
class Params:
    """The rule's params: the fine-tuning settings of one run (its schedule, None when read
    from the choice file, and for a scratch run the pre-training settings of its encoder), data
    and device settings."""

    features: str
    evaluation: dict
    hyperparameters: str
    head: dict
    training: dict
    schedule: list | None
    scratch_pretrain: dict | None
    window: int
    bins: list
    device: str
    precision: str
    deterministic: bool


def main(snakemake) -> None:
    w, out, inputs = snakemake.wildcards, snakemake.output, snakemake.input
    with script_context(snakemake) as log:
        p = settings_from(Params, snakemake.params, snakemake.rule)
        seed = int(w.seed)
        seed_everything(seed, p.deterministic)
        device = resolve_device(p.device)
        evaluation = p.evaluation
        data, n = load_finetune_data(
            inputs.blinks, inputs.manifest, inputs.stats, p.features, float(w.share),
            p.window, evaluation["val_stride"], evaluation["test_stride"], device,
        )  # fmt: skip
        section = {"hyperparameters": p.hyperparameters, "head": p.head, "training": p.training}
        params = resolve_params(section, inputs.get("best"))
        head, cfg = build_configs(params, p.precision)
        scratch = p.scratch_pretrain
        architecture = pretrain_params(scratch, inputs.get("pretrain_best")) if scratch else None
        model = build_model(
            w.init, head, seed, encoder=inputs.get("encoder"), n_features=n, window=p.window,
            pretrain_params=architecture, masking=scratch and scratch["masking"],
        )  # fmt: skip
        schedule = p.schedule
        if schedule is None:  # the strategy chosen from this run's grid
            choice = yaml.safe_load(Path(inputs.chosen).read_text())
            schedule = choice["schedule"]
            log.info("strategy %s (%s); the thesis': %s", choice["strategy"], choice["choice"],
                     choice["thesis"])  # fmt: skip
        fingerprint = config_hash({"params": params, "schedule": schedule, "init": w.init})
        trainer, effective = make_trainer(
            model, cfg, w.init, schedule, seed, device, p.bins, evaluation["warning_threshold"],
            fingerprint, label_mean(data["train"]),
        )  # fmt: skip
        sizes = {k: len(v) for k, v in data.items()}
        log.info("windows %s on %s; schedule %s; %s", sizes, device, effective, params)
        started = time.perf_counter()
        state = Path(out.model).parent / "state" / "last.pt"
        rows = trainer.fit(data["train"], data["val"], state_path=state)
        measures, y, pred = trainer.test(data["test"])
        log.info("test (epoch %d): %s", trainer.best_epoch, measures)
        with atomic_path(out.metrics) as tmp:
            pd.DataFrame(rows).to_csv(tmp, index=False)
        with atomic_path(out.predictions) as tmp:
            pd.DataFrame({"kss": y, "predicted": pred}).to_csv(tmp, index=False)
        write_json(out.test, {"epoch": trainer.best_epoch, **measures})
        strategy = choice["strategy"] if p.schedule is None else w.strategy
        trainer.save_model(
            out.model, {"init": w.init, "strategy": strategy, "fold": int(w.fold), "seed": seed}
        )
        write_json(
            out.run,
            {
                "seconds": time.perf_counter() - started,
                "params": params,
                "strategy": strategy,
                "schedule": schedule,
                "effective_schedule": effective,
                "selected_epoch": trainer.best_epoch,
                "epochs": trainer.epoch,
                "windows": sizes,
                **describe_device(device),
            },
        )
        state.unlink(missing_ok=True)


main(snakemake)  # noqa: F821 - injected by Snakemake
