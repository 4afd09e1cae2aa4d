"""One worker of the fine-tuning sweep: run trials of the shared study until it is full."""

import json
import time

from vigilance.core.device import resolve_device
from vigilance.core.io import write_text
from vigilance.core.logs import script_context
from vigilance.core.seeding import seed_everything
from vigilance.evaluation.sweeps import counted, lock_path, worker_summary
from vigilance.finetune.data import load_finetune_data
from vigilance.finetune.sweep import run_sweep, study_identity


def main(snakemake) -> None:
    p, inputs, worker = snakemake.params, snakemake.input, int(snakemake.wildcards.worker)
    with script_context(snakemake) as log:
        start = time.perf_counter()
        ft = p.finetune
        seed_everything(ft["sweep"]["seed"] + worker, p.deterministic)
        device = resolve_device(p.device)
        evaluation = ft["evaluation"]
        data, _ = load_finetune_data(
            inputs.blinks, inputs.manifest, inputs.stats, ft["features"], 1.0, p.window,
            evaluation["val_stride"], evaluation["test_stride"], device,
        )  # fmt: skip
        identity = study_identity(
            ft, snakemake.wildcards.dataset, list(inputs), p.window, p.bins, p.device,
            p.precision, p.deterministic,
        )  # fmt: skip
        study = run_sweep(
            ft, data, inputs.encoder, device, p.precision, p.storage, identity.name, p.bins,
            worker=worker, workers=ft["sweep"]["workers"],
            lock_file=lock_path(p.storage, p.folder), stale_after_s=p.stale_after_s,
        )  # fmt: skip
        summary = worker_summary(identity, study, worker, time.perf_counter() - start)
        log.info("worker %d: trials %s of %s; %d counted", worker, summary["trials"],
                 identity.name, counted(study))  # fmt: skip
        write_text(snakemake.output[0], json.dumps(summary, indent=1) + "\n")


main(snakemake)  # noqa: F821 - injected by Snakemake
