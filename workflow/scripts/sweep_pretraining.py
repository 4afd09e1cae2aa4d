"""One worker of the pre-training sweep: run trials of the shared study until it is full."""

import json
import time
from dataclasses import dataclass

from vigilance.core.device import resolve_device
from vigilance.core.io import write_text
from vigilance.core.logs import script_context
from vigilance.core.seeding import seed_everything
from vigilance.core.settings import settings_from
from vigilance.evaluation.sweeps import counted, lock_path, worker_summary
from vigilance.pretrain.data import load_pretrain_data
from vigilance.pretrain.sweep import run_sweep, study_identity


@dataclass(frozen=True)
class Params:
    """The rule's params: pretrain.sweep and the fixed values, data and device settings."""

    sweep: dict
    model: dict
    training: dict
    masking: dict
    features: str
    widths: list
    window: int
    device: str
    precision: str
    deterministic: bool
    storage: str
    folder: str
    stale_after_s: float

    @property
    def section(self) -> dict:
        """The keys of the ``pretrain`` section the sweep reads, shaped as that section."""
        keys = ("sweep", "model", "training", "masking")
        return {key: getattr(self, key) for key in keys}


def main(snakemake) -> None:
    worker = int(snakemake.wildcards.worker)
    with script_context(snakemake) as log:
        p = settings_from(Params, snakemake.params, snakemake.rule)
        start = time.perf_counter()
        identity = study_identity(
            p.section, snakemake.wildcards.dataset, list(snakemake.input), p.features,
            p.window, p.widths, p.device, p.precision, p.deterministic,
        )  # fmt: skip
        seed_everything(p.sweep["seed"] + worker, p.deterministic)
        device = resolve_device(p.device)
        data = load_pretrain_data(*snakemake.input, p.features, 1.0, p.window, device)
        study = run_sweep(
            p.section,
            data[:2],
            data[2],
            p.window,
            device,
            p.precision,
            p.storage,  # not an output: kept on failure, so the sweep resumes
            identity.name,
            widths=p.widths,
            worker=worker,
            workers=p.sweep["workers"],
            lock_file=lock_path(p.storage, p.folder),
            stale_after_s=p.stale_after_s,
        )
        summary = worker_summary(identity, study, worker, time.perf_counter() - start)
        log.info("worker %d: trials %s of %s; %d counted", worker, summary["trials"],
                 identity.name, counted(study))  # fmt: skip
        write_text(snakemake.output[0], json.dumps(summary, indent=1) + "\n")


main(snakemake)  # noqa: F821 - injected by Snakemake
