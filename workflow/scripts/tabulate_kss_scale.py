"""Render the KSS scale (thesis Table 2.1) with the configured 4-level binning."""

from vigilance.blink.describe import kss_scale_table
from vigilance.core.logs import script_context
from vigilance.tables import write_table


def main(snakemake) -> None:
    with script_context(snakemake):
        write_table(
            kss_scale_table(snakemake.params.bins),
            snakemake.output.csv,
            snakemake.output.html,
            title="Karolinska Sleepiness Scale (thesis Table 2.1) and the 4 levels used here",
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
