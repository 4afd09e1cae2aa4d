"""One worker of the pre-training sweep: run trials of the shared study until it is full."""

import json
import time

from vigilance.core.device import resolve_device
from vigilance.core.io import write_text
from vigilance.core.logs import script_context
from vigilance.core.seeding import seed_everything
from vigilance.evaluation.sweeps import counted, lock_path, worker_summary
from vigilance.pretrain.data import load_pretrain_data
from vigilance.pretrain.sweep import run_sweep, study_identity


def main(snakemake) -> None:
    p, worker = snakemake.params, int(snakemake.wildcards.worker)
    with script_context(snakemake) as log:
        start = time.perf_counter()
        identity = study_identity(
            p.pretrain, snakemake.wildcards.dataset, list(snakemake.input), p.features,
            p.window, p.widths, p.device, p.precision, p.deterministic,
        )  # fmt: skip
        seed_everything(p.pretrain["sweep"]["seed"] + worker, p.deterministic)
        device = resolve_device(p.device)
        data = load_pretrain_data(*snakemake.input, p.features, 1.0, p.window, device)
        study = run_sweep(
            p.pretrain,
            data[:2],
            data[2],
            p.window,
            device,
            p.precision,
            p.storage,  # not an output: kept on failure, so the sweep resumes
            identity.name,
            widths=p.widths,
            worker=worker,
            workers=p.pretrain["sweep"]["workers"],
            lock_file=lock_path(p.storage, p.folder),
            stale_after_s=p.stale_after_s,
        )
        summary = worker_summary(identity, study, worker, time.perf_counter() - start)
        log.info("worker %d: trials %s of %s; %d counted", worker, summary["trials"],
                 identity.name, counted(study))  # fmt: skip
        write_text(snakemake.output[0], json.dumps(summary, indent=1) + "\n")


main(snakemake)  # noqa: F821 - injected by Snakemake
