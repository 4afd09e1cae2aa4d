"""One worker of the pre-training sweep: run trials of the shared study until it is full."""

import json
import time

from vigilance.core.device import resolve_device
from vigilance.core.io import write_text
from vigilance.core.logs import script_context
from vigilance.core.seeding import seed_everything
from vigilance.evaluation.sweeps import counted, lock_path
from vigilance.pretrain.data import load_pretrain_data
from vigilance.pretrain.sweep import run_sweep, study_name


def main(snakemake) -> None:
    p, worker = snakemake.params, int(snakemake.wildcards.worker)
    with script_context(snakemake) as log:
        start = time.perf_counter()
        name = study_name(p.pretrain, snakemake.wildcards.dataset)
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
            name,
            widths=p.widths,
            worker=worker,
            workers=p.pretrain["sweep"]["workers"],
            lock_file=lock_path(p.storage, p.folder),
            stale_after_s=p.stale_after_s,
        )
        mine = [t.number for t in study.get_trials() if t.user_attrs.get("worker") == worker]
        log.info("worker %d: trials %s; study %d counted", worker, mine, counted(study))
        summary = {
            "worker": worker,
            "study": name,
            "trials": mine,
            "wall_s": time.perf_counter() - start,
        }
        write_text(snakemake.output[0], json.dumps(summary, indent=1) + "\n")


main(snakemake)  # noqa: F821 - injected by Snakemake
