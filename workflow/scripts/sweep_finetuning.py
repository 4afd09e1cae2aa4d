"""One worker of a fine-tuning sweep (the pre-trained arm's or the scratch arm's): run trials of
the shared study until it is full."""

import json
import time
from dataclasses import dataclass

from vigilance.core.device import resolve_device
from vigilance.core.io import write_text
from vigilance.core.logs import script_context
from vigilance.core.seeding import seed_everything
from vigilance.core.settings import settings_from
from vigilance.evaluation.sweeps import counted, lock_path, worker_summary
from vigilance.finetune.data import load_finetune_data
from vigilance.finetune.sweep import run_sweep, study_identity
from vigilance.pretrain.hparams import resolve_params as pretrain_params


@dataclass(frozen=True)
class Params:
    """The rule's params: the arm, the scratch arm's pre-training settings, finetune.sweep,
    the fixed values and the best strategy's schedule, data and device settings."""

    init: str
    scratch_pretrain: dict | None
    sweep: dict
    features: str
    evaluation: dict
    head: dict
    training: dict
    best_strategy: str
    schedule: list
    window: int
    bins: list
    device: str
    precision: str
    deterministic: bool
    storage: str
    folder: str
    stale_after_s: float

    @property
    def section(self) -> dict:
        """The keys of the ``finetune`` section the sweep reads, shaped as that section."""
        keys = ("sweep", "features", "evaluation", "head", "training", "best_strategy")
        section = {key: getattr(self, key) for key in keys}
        return {**section, "strategies": {self.best_strategy: self.schedule}}


def main(snakemake) -> None:
    inputs, worker = snakemake.input, int(snakemake.wildcards.worker)
    with script_context(snakemake) as log:
        p = settings_from(Params, snakemake.params, snakemake.rule)
        start = time.perf_counter()
        seed_everything(p.sweep["seed"] + worker, p.deterministic)
        device = resolve_device(p.device)
        data, n_features = load_finetune_data(
            inputs.blinks, inputs.manifest, inputs.stats, p.features, 1.0, p.window,
            p.evaluation["val_stride"], p.evaluation["test_stride"], device,
        )  # fmt: skip
        identity = study_identity(
            p.section, snakemake.wildcards.dataset, list(inputs), p.window, p.bins, p.device,
            p.precision, p.deterministic, p.init, p.scratch_pretrain,
        )  # fmt: skip
        model_args = {}
        if p.init == "scratch":
            scratch = p.scratch_pretrain
            model_args = {
                "pretrain_params": pretrain_params(scratch, inputs.get("pretrain_best")),
                "n_features": n_features, "window": p.window, "masking": scratch["masking"],
            }  # fmt: skip
        study = run_sweep(
            p.section, data, inputs.get("encoder"), device, p.precision, p.storage, identity.name,
            p.bins, worker=worker,
            lock_file=lock_path(p.storage, p.folder), stale_after_s=p.stale_after_s,
            init=p.init, model_args=model_args,
        )  # fmt: skip
        summary = worker_summary(identity, study, worker, time.perf_counter() - start)
        log.info("worker %d: trials %s of %s; %d counted", worker, summary["trials"],
                 identity.name, counted(study))  # fmt: skip
        write_text(snakemake.output[0], json.dumps(summary, indent=1) + "\n")


main(snakemake)  # noqa: F821 - injected by Snakemake
