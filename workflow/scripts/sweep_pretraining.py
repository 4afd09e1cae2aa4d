"""Run (or resume) the pre-training sweep; write its trials, best parameters and importances."""

from pathlib import Path

import yaml

from vigilance.device import resolve_device
from vigilance.io import atomic_path, write_text
from vigilance.logs import script_context
from vigilance.pretrain.data import load_pretrain_data
from vigilance.pretrain.sweep import (
    best_params,
    importances,
    run_sweep,
    study_name,
    trials_table,
)
from vigilance.seeding import seed_everything


def main(snakemake) -> None:
    p, out = snakemake.params, snakemake.output
    with script_context(snakemake) as log:
        seed_everything(p.pretrain["sweep"]["seed"], p.deterministic)
        device = resolve_device(p.device)
        data = load_pretrain_data(*snakemake.input, p.features, 1.0, p.window, device)
        storage = Path(out.trials).parent / "study.sqlite"  # kept on failure: sweeps resume
        name = study_name(p.pretrain, snakemake.wildcards.dataset)
        study = run_sweep(
            p.pretrain,
            data[:2],
            data[2],
            p.window,
            device,
            p.precision,
            f"sqlite:///{storage}",
            name,
            widths=p.widths,
        )
        table = trials_table(study)
        log.info("trials by state: %s", table["state"].value_counts().to_dict())
        with atomic_path(out.trials) as tmp:
            table.to_csv(tmp, index=False)
        with atomic_path(out.importances) as tmp:
            importances(study).to_csv(tmp, index=False)
        best = {**best_params(study, p.pretrain), "study": name, "storage": str(storage)}
        write_text(out.best, yaml.safe_dump(best, sort_keys=False))


main(snakemake)  # noqa: F821 - injected by Snakemake
