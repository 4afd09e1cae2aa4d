"""Tables 2-5 and the findings table of the T-SCAF part."""

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.tables import write_table
from vigilance.tree import report


def main(snakemake) -> None:
    out, name = snakemake.output, snakemake.wildcards.dataset
    with script_context(snakemake):
        final = pd.read_csv(snakemake.input.final)
        costs = pd.read_csv(snakemake.input.costs)
        tables = {
            "table2": (report.table2(final, snakemake.params.root), "Table 2: accuracy"),
            "table3": (report.table3(final), "Table 3: ablation of the attention paths"),
            "table4": (report.table4(final), "Table 4: alternating vs gradient accumulation"),
            "table5": (report.table5(final), "Table 5: tree vs separate models"),
            "findings": (report.findings(final, costs), "T-SCAF findings: paper vs this run"),
        }
        for key, (df, title) in tables.items():
            write_table(df, out[key], out[f"{key}_html"], title=f"{title} ({name})")


main(snakemake)  # noqa: F821 - injected by Snakemake
