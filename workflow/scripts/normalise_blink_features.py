"""Fit the feature normalisation on the pre-training pool's training drivers only: that pool
is disjoint from every outer fold's fine-tuning drivers, so one set of statistics is leak-free
for every fold and an encoder pre-trained once serves them all."""

import pandas as pd

from vigilance.blink.format import FEATURE_SETS
from vigilance.blink.normalise import fit_pretrain_stats
from vigilance.blink.splits import read_manifest
from vigilance.core.io import write_json
from vigilance.core.logs import script_context


def main(snakemake) -> None:
    with script_context(snakemake) as log:
        manifest = read_manifest(snakemake.input.manifest)
        columns = FEATURE_SETS["with_calibration"]
        blinks = pd.read_parquet(snakemake.input.blinks, columns=["driver_id", *columns])
        stats = fit_pretrain_stats(blinks, columns, manifest, snakemake.input.manifest)
        log.info("fitted on %s", stats["fitted_on"])
        write_json(snakemake.output[0], stats)


main(snakemake)  # noqa: F821 - injected by Snakemake
