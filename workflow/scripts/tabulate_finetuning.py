"""The fine-tuning results table (with its trivial and classical rows), the paired comparisons
and the findings table."""

import pandas as pd

from vigilance.core.io import write_text
from vigilance.core.logs import script_context
from vigilance.finetune.report import findings, paired_table, results_table, results_wide
from vigilance.tables import render_html, write_table


def main(snakemake) -> None:
    p, out = snakemake.params, snakemake.output
    with script_context(snakemake):
        curves = pd.read_csv(snakemake.input.curves)
        test = pd.read_csv(snakemake.input.test)
        # The trivial and classical rows, one file per outer fold.
        baselines = pd.concat(
            [pd.read_csv(path) for path in snakemake.input.baselines], ignore_index=True
        )
        # Numbers for machines; the page shows the wide form.
        long = results_table(pd.concat([test, baselines], ignore_index=True))
        write_table(long, out.results_csv)
        title = (
            "Fine-tuning: test-set measures, mean [95 % CI] over the runs (outer driver folds x "
            "seeds); trivial and classical rows on the same test windows"
        )
        write_text(out.results_html, render_html(results_wide(long), title, "", "{:.4g}"))
        shares = sorted(test["share"].unique())
        write_table(
            paired_table(test, p.best_strategy, shares, baselines),
            out.paired_csv,
            out.paired_html,
            title="Paired comparisons on the test set (A - B by outer driver fold and seed; "
            "paired t-test)",
        )
        write_table(
            findings(test, curves, p.strategies, p.best_strategy, baselines, p.pretext),
            out.findings_csv,
            out.findings_html,
            title="Fine-tuning: the thesis' claims against this run",
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
