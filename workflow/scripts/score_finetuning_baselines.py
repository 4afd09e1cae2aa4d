"""The trivial and classical rows of the fine-tuning tables, on the fine-tuning's test windows
(every labelled share x seed of the grid)."""

import pandas as pd

from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context
from vigilance.finetune.baselines import RANDOMISED, score_baselines
from vigilance.finetune.data import load_finetune_data


def main(snakemake) -> None:
    p, inputs = snakemake.params, snakemake.input
    with script_context(snakemake) as log:
        evaluation, settings = p.finetune["evaluation"], p.finetune["baselines"]
        rows = []
        for share in p.shares:
            data, _ = load_finetune_data(
                inputs.blinks, inputs.manifest, inputs.stats, p.finetune["features"], share,
                p.window, evaluation["val_stride"], evaluation["test_stride"],
            )  # fmt: skip
            # Deterministic models are fitted once; their rows are shared by every seed.
            randomised = RANDOMISED & set(settings["models"])
            for seed in p.seeds if randomised else p.seeds[:1]:
                scored = score_baselines(
                    data, settings["models"], seed, settings["trees"], settings["train_stride"],
                    bins=p.bins, warning_threshold=evaluation["warning_threshold"],
                )  # fmt: skip
                log.info("share %g, seed %d: %s", share, seed, [r["kappa_4"] for r in scored])
                for paired in p.seeds if not randomised else [seed]:
                    rows += [{**r, "strategy": "-", "share": share, "seed": paired} for r in scored]
        with atomic_path(snakemake.output[0]) as tmp:
            pd.DataFrame(rows).to_csv(tmp, index=False)


main(snakemake)  # noqa: F821 - injected by Snakemake
