"""Collect the test metrics of every T-SCAF run into one long table."""

from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context
from vigilance.tree.report import collect


def main(snakemake) -> None:
    with script_context(snakemake) as log:
        final = collect(snakemake.input)
        log.info("%d runs", len(final.groupby(["style", "attention", "training", "seed"])))
        with atomic_path(snakemake.output[0]) as tmp:
            final.to_csv(tmp, index=False)


main(snakemake)  # noqa: F821 - injected by Snakemake
