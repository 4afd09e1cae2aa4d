"""Fit the feature normalisation on the training drivers of both pools only."""

import pandas as pd

from vigilance.blink.format import FEATURE_SETS
from vigilance.blink.normalise import fit_stats
from vigilance.blink.splits import read_manifest
from vigilance.core.io import write_json
from vigilance.core.logs import script_context


def main(snakemake) -> None:
    with script_context(snakemake) as log:
        manifest = read_manifest(snakemake.input.manifest)
        train = manifest.loc[manifest["set"] == "train", "driver_id"].tolist()
        columns = FEATURE_SETS["with_calibration"]
        blinks = pd.read_parquet(snakemake.input.blinks, columns=["driver_id", *columns])
        stats = fit_stats(blinks, columns, train)
        log.info("fitted on %s", stats["fitted_on"])
        write_json(snakemake.output[0], stats)


main(snakemake)  # noqa: F821 - injected by Snakemake
