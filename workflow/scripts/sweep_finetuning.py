"""Run (or resume) the fine-tuning sweep; write its trials, best parameters and importances."""

from pathlib import Path

import yaml

from vigilance.device import resolve_device
from vigilance.finetune.data import load_finetune_data
from vigilance.finetune.sweep import best_params, run_sweep, study_name
from vigilance.io import atomic_path, write_text
from vigilance.logs import script_context
from vigilance.pretrain.sweep import importances, trials_table
from vigilance.seeding import seed_everything


def main(snakemake) -> None:
    p, out, inputs = snakemake.params, snakemake.output, snakemake.input
    with script_context(snakemake) as log:
        ft = p.finetune
        seed_everything(ft["sweep"]["seed"], p.deterministic)
        device = resolve_device(p.device)
        evaluation = ft["evaluation"]
        data, _ = load_finetune_data(
            inputs.blinks, inputs.manifest, inputs.stats, ft["features"], 1.0, p.window,
            evaluation["val_stride"], evaluation["test_stride"], device,
        )  # fmt: skip
        storage = Path(out.trials).parent / "study.sqlite"  # kept on failure: sweeps resume
        name = study_name(ft, snakemake.wildcards.dataset)
        study = run_sweep(
            ft, data, inputs.encoder, device, p.precision, f"sqlite:///{storage}", name, p.bins
        )
        table = trials_table(study)
        log.info("trials by state: %s", table["state"].value_counts().to_dict())
        with atomic_path(out.trials) as tmp:
            table.to_csv(tmp, index=False)
        with atomic_path(out.importances) as tmp:
            importances(study).to_csv(tmp, index=False)
        best = {**best_params(study, ft), "study": name, "storage": str(storage)}
        write_text(out.best, yaml.safe_dump(best, sort_keys=False))


main(snakemake)  # noqa: F821 - injected by Snakemake
