"""Generate the embedded default blink data set in the open format."""

from vigilance.blink.generate import GeneratorConfig, generate
from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context


def main(snakemake) -> None:
    cfg = GeneratorConfig(**snakemake.params.generator)
    with script_context(snakemake) as log:
        blinks, drivers = generate(cfg)
        log.info(
            "%d blinks, %d drivers, %d recordings",
            len(blinks),
            len(drivers),
            blinks["recording_id"].nunique(),
        )
        with atomic_path(snakemake.output.blinks) as tmp:
            blinks.to_parquet(tmp, index=False)
        with atomic_path(snakemake.output.drivers) as tmp:
            drivers.to_csv(tmp, index=False)


main(snakemake)  # noqa: F821 - injected by Snakemake
