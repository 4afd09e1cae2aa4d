"""The trivial and classical rows of the fine-tuning tables, on one outer fold's test windows
(every labelled share x seed of the grid; the model chosen on the fold's validation drivers)."""

from dataclasses import dataclass

import pandas as pd

from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context
from vigilance.core.settings import settings_from
from vigilance.finetune.baselines import RANDOMISED, score_baselines
from vigilance.finetune.data import load_finetune_data


@dataclass(frozen=True)
class Params:
    """The rule's params: the fine-tuning data settings, the baselines and the grid."""

    features: str
    evaluation: dict
    baselines: dict
    shares: list
    seeds: list
    window: int
    bins: list


def main(snakemake) -> None:
    inputs = snakemake.input
    with script_context(snakemake) as log:
        p = settings_from(Params, snakemake.params, snakemake.rule)
        evaluation, settings = p.evaluation, p.baselines
        fold = int(snakemake.wildcards.fold)
        rows = []
        for share in p.shares:
            data, _ = load_finetune_data(
                inputs.blinks, inputs.manifest, inputs.stats, p.features, share,
                p.window, evaluation["val_stride"], evaluation["test_stride"],
            )  # fmt: skip
            # Deterministic models are fitted once; their rows are shared by every seed.
            randomised = RANDOMISED & set(settings["models"])
            for seed in p.seeds if randomised else p.seeds[:1]:
                scored = score_baselines(
                    data, settings["models"], seed, settings["trees"], settings["train_stride"],
                    bins=p.bins, warning_threshold=evaluation["warning_threshold"],
                )  # fmt: skip
                kappas = [r["kappa_4"] for r in scored]
                log.info("fold %d, share %g, seed %d: %s", fold, share, seed, kappas)
                for paired in p.seeds if not randomised else [seed]:
                    rows += [
                        {**r, "strategy": "-", "share": share, "fold": fold, "seed": paired}
                        for r in scored
                    ]
        with atomic_path(snakemake.output[0]) as tmp:
            pd.DataFrame(rows).to_csv(tmp, index=False)


main(snakemake)  # noqa: F821 - injected by Snakemake
