"""Table 3.1 (the sweep) and the findings table of the pre-training part."""

import pandas as pd
import yaml

from vigilance.core.logs import script_context
from vigilance.pretrain.report import findings, table_3_1
from vigilance.tables import write_table


def main(snakemake) -> None:
    out, name = snakemake.output, snakemake.wildcards.dataset
    with script_context(snakemake):
        trials = pd.read_csv(snakemake.input.trials)
        with open(snakemake.input.best) as handle:
            best = yaml.safe_load(handle)
        write_table(
            table_3_1(snakemake.params.space, best, trials),
            out.sweep_csv,
            out.sweep_html,
            title=f"Table 3.1: pre-training sweep on {name}",
        )
        curves = pd.read_csv(snakemake.input.curves)
        write_table(
            findings(curves, snakemake.params.margins),
            out.findings_csv,
            out.findings_html,
            title=f"Pre-training findings on {name}: the thesis' claims vs this run",
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
