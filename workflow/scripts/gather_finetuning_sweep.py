"""Gather the fine-tuning sweep's workers: trials table, best parameters, importances."""

import optuna
import yaml

from vigilance.finetune.sweep import best_params, study_name
from vigilance.io import atomic_path, write_text
from vigilance.logs import script_context
from vigilance.pretrain.sweep import importances, trials_table
from vigilance.sweeps import check_complete, open_storage


def main(snakemake) -> None:
    p, out = snakemake.params, snakemake.output
    with script_context(snakemake) as log:
        name = study_name(p.finetune, snakemake.wildcards.dataset)
        study = optuna.load_study(study_name=name, storage=open_storage(p.storage))
        check_complete(study, p.finetune["sweep"]["trials"])
        table = trials_table(study)
        log.info("trials by state: %s", table["state"].value_counts().to_dict())
        with atomic_path(out.trials) as tmp:
            table.to_csv(tmp, index=False)
        with atomic_path(out.importances) as tmp:
            importances(study).to_csv(tmp, index=False)
        best = {**best_params(study, p.finetune), "study": name, "storage": p.storage}
        write_text(out.best, yaml.safe_dump(best, sort_keys=False))


main(snakemake)  # noqa: F821 - injected by Snakemake
