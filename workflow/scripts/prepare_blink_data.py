"""Read, validate and clean one blink data set; add calibration features."""

from vigilance.blink.load import load_dataset
from vigilance.core.io import atomic_path, write_json
from vigilance.core.logs import script_context


def main(snakemake) -> None:
    params = snakemake.params
    with script_context(snakemake) as log:
        blinks, drivers, report = load_dataset(
            params.folder, params.max_missing_share, params.calibration_minutes
        )
        log.info("cleaning: %s", report)
        with atomic_path(snakemake.output.blinks) as tmp:
            blinks.to_parquet(tmp, index=False)
        with atomic_path(snakemake.output.drivers) as tmp:
            drivers.to_csv(tmp, index=False)
        write_json(snakemake.output.cleaning, report)


main(snakemake)  # noqa: F821 - injected by Snakemake
