"""Split a blink data set's drivers into pools and sets; write the split manifest."""

import pandas as pd

from vigilance.blink.splits import check_manifest, split_drivers
from vigilance.core.logs import script_context
from vigilance.tables import write_table


def main(snakemake) -> None:
    splits = snakemake.params.splits
    with script_context(snakemake) as log:
        blinks = pd.read_parquet(
            snakemake.input.blinks, columns=["driver_id", "recording_id", "kss"]
        )
        drivers = pd.read_csv(snakemake.input.drivers, dtype={"driver_id": str})
        manifest = split_drivers(
            drivers,
            blinks,
            snakemake.params.bins,
            splits["test_share"],
            splits["val_share"],
            splits["pretrain_val_share"],
            splits["fractions"],
            splits["seed"],
        )
        check_manifest(manifest)
        log.info("drivers per set:\n%s", manifest.groupby(["pool", "set"]).size())
        write_table(
            manifest,
            snakemake.output.csv,
            snakemake.output.html,
            title=f"Split manifest: {snakemake.wildcards.dataset}",
            caption="One row per driver: pool, set, training order and counts.",
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
