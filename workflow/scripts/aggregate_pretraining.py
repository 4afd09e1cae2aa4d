"""Collect every pre-training run's metrics of a data set into one long table."""

import re

import pandas as pd

from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context
from vigilance.pretrain.report import collect, final_values

RUN = re.compile(r"/(?P<features>[a-z_]+)/frac(?P<fraction>[0-9.]+)/seed(?P<seed>\d+)/")


def main(snakemake) -> None:
    with script_context(snakemake) as log:
        runs = {}
        for path in snakemake.input:
            key = RUN.search(path).groupdict()
            runs[(key["features"], key["fraction"], key["seed"])] = pd.read_csv(path)
        curves = collect(runs)
        log.info("%d runs, %d rows", len(runs), len(curves))
        with atomic_path(snakemake.output.curves) as tmp:
            curves.to_csv(tmp, index=False)
        with atomic_path(snakemake.output.final) as tmp:
            final_values(curves, "loss").to_csv(tmp, index=False)


main(snakemake)  # noqa: F821 - injected by Snakemake
