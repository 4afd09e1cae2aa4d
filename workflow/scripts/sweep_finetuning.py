"""One worker of the fine-tuning sweep: run trials of the shared study until it is full."""

import json
import time

from vigilance.core.device import resolve_device
from vigilance.core.io import write_text
from vigilance.core.logs import script_context
from vigilance.core.seeding import seed_everything
from vigilance.evaluation.sweeps import counted, lock_path
from vigilance.finetune.data import load_finetune_data
from vigilance.finetune.sweep import run_sweep, study_name


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
        name = study_name(ft, snakemake.wildcards.dataset)
        study = run_sweep(
            ft, data, inputs.encoder, device, p.precision, p.storage, name, p.bins,
            worker=worker, workers=ft["sweep"]["workers"],
            lock_file=lock_path(p.storage, p.folder), stale_after_s=p.stale_after_s,
        )  # fmt: skip
        mine = [t.number for t in study.get_trials() if t.user_attrs.get("worker") == worker]
        log.info("worker %d: trials %s; study %d counted", worker, mine, counted(study))
        summary = {"worker": worker, "study": name, "trials": mine,
                   "wall_s": time.perf_counter() - start}  # fmt: skip
        write_text(snakemake.output[0], json.dumps(summary, indent=1) + "\n")


main(snakemake)  # noqa: F821 - injected by Snakemake
