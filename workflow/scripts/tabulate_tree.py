"""Tables 2-5, the AUC table and the findings table of the T-SCAF part."""

from dataclasses import dataclass

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.tables import write_table
from vigilance.tree import report
from vigilance.tree.findings import findings


@dataclass(frozen=True)
class Settings:
    """The root's name (Table 2's label) and the splits run (the first is the primary)."""

    root: str
    splits: tuple[str, ...]


def main(snakemake) -> None:
    out, name = snakemake.output, snakemake.wildcards.dataset
    s = Settings(snakemake.params.root, tuple(snakemake.params.splits))
    primary = s.splits[0]
    with script_context(snakemake):
        final = pd.read_csv(snakemake.input.final)
        costs = pd.read_csv(snakemake.input.costs)
        tables = {
            "table2": (report.table2(final, s.root, s.splits), "Table 2: accuracy"),
            "table3": (report.table3(final, primary), "Table 3: ablation of the attention paths"),
            "table4": (report.table4(final, primary), "Table 4: alternating vs accumulation"),
            "table5": (report.table5(final, primary), "Table 5: tree vs separate models"),
            "auc": (report.auc_table(final, primary), "AUC with and without LASE-Net"),
            "findings": (findings(final, costs, s.splits), "T-SCAF findings: paper vs this run"),
        }
        for key, (df, title) in tables.items():
            write_table(df, out[key], out[f"{key}_html"], title=f"{title} ({name})")


main(snakemake)  # noqa: F821 - injected by Snakemake
