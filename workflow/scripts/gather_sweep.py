"""Gather a sweep's workers (pre-training or fine-tuning): trials, best parameters, importances."""

from dataclasses import dataclass

import optuna
import yaml

from vigilance.core.io import atomic_path, write_text
from vigilance.core.logs import script_context
from vigilance.core.settings import settings_from
from vigilance.evaluation.sweeps import agreed_identity, check_complete, open_storage
from vigilance.finetune import sweep as finetune_sweep
from vigilance.pretrain import sweep as pretrain_sweep
from vigilance.pretrain.sweep import importances, trials_table

# Each part's sweep knows which trial is best (lowest loss, highest KPI).
PARTS = {"pretrain": pretrain_sweep, "finetune": finetune_sweep}


@dataclass(frozen=True)
class Params:
    """The rule's params: the part, what of its section names the study, the storage."""

    part: str
    section: dict
    storage: str


def main(snakemake) -> None:
    out = snakemake.output
    with script_context(snakemake) as log:
        p = settings_from(Params, snakemake.params, snakemake.rule)
        part = PARTS[p.part]
        # The study the workers ran, named by its inputs' digest (rechecked against the files).
        name = agreed_identity(snakemake.input).name
        study = optuna.load_study(study_name=name, storage=open_storage(p.storage))
        check_complete(study, p.section["sweep"]["trials"])
        table = trials_table(study)
        log.info("trials by state: %s", table["state"].value_counts().to_dict())
        with atomic_path(out.trials) as tmp:
            table.to_csv(tmp, index=False)
        with atomic_path(out.importances) as tmp:
            importances(study).to_csv(tmp, index=False)
        best = {**part.best_params(study, p.section), "study": name, "storage": p.storage}
        write_text(out.best, yaml.safe_dump(best, sort_keys=False))


main(snakemake)  # noqa: F821 - injected by Snakemake
