"""The trivial and classical rows of one experiment's table, on the networks' test windows."""

from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context
from vigilance.mtl.baselines import BaselineSettings, fit_baselines
from vigilance.mtl.data import load


def main(snakemake) -> None:
    p = snakemake.params
    with script_context(snakemake) as log:
        settings = BaselineSettings(
            dataset=snakemake.wildcards.dataset,
            main_tasks=tuple(p.main_tasks),
            seeds=tuple(p.seeds),
            split=dict(p.split),
        )
        table = fit_baselines(load(snakemake.input.windows), settings)
        with atomic_path(snakemake.output[0]) as tmp:
            table.to_csv(tmp, index=False)
        log.info("%d baseline scores", len(table))


main(snakemake)  # noqa: F821 - injected by Snakemake
