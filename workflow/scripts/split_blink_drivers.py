"""Split a blink data set's drivers into pools and sets, once per outer fold; write the split
manifests (fold 0's also as the data set's one split)."""

import pandas as pd

from vigilance.blink.splits import check_folds, split_driver_folds
from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context
from vigilance.tables import write_table


def main(snakemake) -> None:
    splits, out = snakemake.params.splits, snakemake.output
    with script_context(snakemake) as log:
        blinks = pd.read_parquet(
            snakemake.input.blinks, columns=["driver_id", "recording_id", "kss"]
        )
        drivers = pd.read_csv(snakemake.input.drivers, dtype={"driver_id": str})
        manifests = split_driver_folds(
            drivers,
            blinks,
            snakemake.params.bins,
            splits["folds"],
            splits["val_share"],
            splits["pretrain_val_share"],
            splits["fractions"],
            splits["seed"],
            source=f"{snakemake.input.drivers} with config",
        )
        check_folds(manifests, out.csv)
        for fold, manifest in enumerate(manifests):
            log.info("fold %d, drivers per set:\n%s", fold,
                     manifest.groupby(["pool", "set"]).size())  # fmt: skip
            with atomic_path(out.folds[fold]) as tmp:
                manifest.to_csv(tmp, index=False)
        write_table(
            manifests[0],
            out.csv,
            out.html,
            title=f"Split manifest: {snakemake.wildcards.dataset}, fold 0 of {len(manifests)}",
            caption="One row per driver: pool, set, training order and counts.",
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
