"""The trivial and classical rows of the RLDD table: per test fold, on the fine-tuning's split."""

from dataclasses import dataclass

import pandas as pd

from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context
from vigilance.core.settings import settings_from
from vigilance.finetune.rldd import fold_views
from vigilance.finetune.rldd_baselines import score_fold


@dataclass(frozen=True)
class Params:
    """The rule's params: the RLDD folder and folds, the candidates (blink.baselines' classifiers,
    finetune.baselines' regressors), their trees and the seed of the randomised ones."""

    folder: str
    folds: list
    classifiers: list
    regressors: list
    forest_trees: int
    trees: int
    seed: int


def main(snakemake) -> None:
    out = snakemake.output
    with script_context(snakemake) as log:
        p = settings_from(Params, snakemake.params, snakemake.rule)
        tests, validations = [], []
        for fold in p.folds:
            views = fold_views(p.folder, p.folds, fold)
            rows, validation = score_fold(
                views, p.classifiers, p.regressors, p.forest_trees, p.trees, p.seed
            )
            log.info("test fold %d: %s", fold, [(r["model"], r["accuracy_3"]) for r in rows])
            tests += [{"fold": fold, **row} for row in rows]
            validations += [{"fold": fold, **row} for row in validation]
        with atomic_path(out.test) as tmp:
            pd.DataFrame(tests).to_csv(tmp, index=False)
        with atomic_path(out.validation) as tmp:
            pd.DataFrame(validations).to_csv(tmp, index=False)


main(snakemake)  # noqa: F821 - injected by Snakemake
