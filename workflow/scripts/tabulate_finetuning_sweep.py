"""Table 3.2 of thesis 000: the fine-tuning sweep's explored space and best values."""

from pathlib import Path

import pandas as pd
import yaml

from vigilance.core.logs import script_context
from vigilance.finetune.thesis import THESIS_FINETUNE_BEST
from vigilance.pretrain.report import table_3_1
from vigilance.tables import write_table


def main(snakemake) -> None:
    out = snakemake.output
    with script_context(snakemake):
        best = yaml.safe_load(Path(snakemake.input.best).read_text())
        trials = pd.read_csv(snakemake.input.trials)
        table = table_3_1(
            snakemake.params.space,
            best,
            trials,
            thesis=THESIS_FINETUNE_BEST,
            thesis_trials="about 100 (15 random)",
            value="val KPI",
        )
        write_table(table, out.csv, out.html, title="Table 3.2: fine-tuning sweep")


main(snakemake)  # noqa: F821 - injected by Snakemake
