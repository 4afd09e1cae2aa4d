"""Classical baselines on blink windows at the 4 KSS levels, cross-validated by driver."""

from dataclasses import dataclass

import pandas as pd

from vigilance.blink.baselines import blink_window_features
from vigilance.blink.describe import level_names
from vigilance.blink.format import FEATURE_SETS
from vigilance.blink.normalise import load_stats
from vigilance.blink.splits import read_manifest
from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context
from vigilance.core.settings import settings_from
from vigilance.evaluation.classical import ClassicalSettings, cross_validate
from vigilance.evaluation.comparison import compare, mean_sd_text
from vigilance.evaluation.folds import make_folds
from vigilance.evaluation.measures import SCALARS
from vigilance.tables import write_table


@dataclass(frozen=True)
class Params:
    """The rule's params: window length, KSS bins, blink.baselines' settings, the seeds."""

    window: int
    bins: list
    models: list
    folds: int
    stride: int
    forest_trees: int
    seeds: list


def main(snakemake) -> None:
    p = settings_from(Params, snakemake.params, snakemake.rule)
    w, out = snakemake.wildcards, snakemake.output
    with script_context(snakemake) as log:
        blinks = pd.read_parquet(snakemake.input.blinks)
        manifest = read_manifest(snakemake.input.manifest)
        drivers = manifest.loc[manifest["pool"] == "finetune", "driver_id"]
        x, y, groups = blink_window_features(
            blinks,
            drivers,
            FEATURE_SETS[w.features],
            load_stats(snakemake.input.stats),
            p.window,
            p.stride,
            p.bins,
        )
        log.info("%d windows of %d drivers", len(y), len(set(groups)))
        settings = ClassicalSettings(forest_trees=p.forest_trees)
        runs = []
        for seed in p.seeds:
            folds = make_folds("grouped", y, groups, p.folds, seed, field="blink.baselines.folds")
            runs.append(
                cross_validate(x, y, folds, p.models, settings, seed, log).assign(
                    seed=seed, family="classical", scheme="grouped"
                )
            )
        predictions = pd.concat(runs, ignore_index=True)
        with atomic_path(out.predictions) as tmp:
            predictions.to_csv(tmp, index=False)
        result = compare(predictions, level_names(p.bins), ["model", "family", "scheme"])
        shown = mean_sd_text(
            result["table"].drop(columns=["family"]), [f"grouped_{m}" for m in SCALARS]
        )
        write_table(
            shown,
            out.csv,
            out.html,
            title=f"Classical baselines, 4 KSS levels: {w.dataset}, {w.features}",
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
