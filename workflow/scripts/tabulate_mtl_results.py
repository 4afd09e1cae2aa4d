"""Tables 4.1 / 4.2 (per method and main task, with trivial and classical rows) and the
findings table of one experiment."""

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.mtl.report import TableSettings, findings, results_table
from vigilance.tables import write_table

SOURCES = {"opportunity": "opportunity", "deap-windows": "deap", "deap-trials": "deap"}


def main(snakemake) -> None:
    out, name, p = snakemake.output, snakemake.wildcards.dataset, snakemake.params
    with script_context(snakemake):
        s = TableSettings(
            main_metric=p.main_metric,
            main_tasks=tuple(p.main_tasks),
            table_epochs=int(p.table_epochs),
            equivalence_margin=float(p.equivalence_margin),
            equivalence_reason=p.equivalence_reason,
        )
        curves = pd.read_csv(snakemake.input.curves)
        runs = pd.read_csv(snakemake.input.runs)
        baselines = pd.read_csv(snakemake.input.baselines)
        source = SOURCES.get(name, name)
        k = s.table_epochs
        write_table(
            results_table(curves, runs, baselines, s, source),
            out.results_csv,
            out.results_html,
            title=f"{name}: {s.main_metric} on test, last {k} epochs (Tables 4.1 / 4.2)",
            caption=f"Thesis style: mean of the last {k} epochs of the first seed with a 95 % "
            "interval over those epochs; then the mean over seeds of each seed's last-epochs "
            "mean with a 95 % interval over seeds. Trivial (training majority) and classical "
            "(logistic regression on window statistics) rows on the same test windows, per "
            "seed. Time: seconds per training epoch (mean over seeds) and its overhead over "
            "one STL network (the STL run's time over its number of tasks), as the thesis'.",
        )
        write_table(
            findings(curves, runs, s, source, baselines),
            out.findings_csv,
            out.findings_html,
            title=f"{name}: the thesis' claims vs this run",
            caption="One row per claim (../shared/design/evidence.md): paired per-seed "
            "differences with a 95 % t-interval; direction claims by the interval's side, the "
            "equality claim by TOST against the configured margin; p-values raw and "
            "Holm-adjusted over the table; a score claim where an arm does not beat the "
            "trivial row is not tested. Replication: training seeds only (one data split "
            "for OPPORTUNITY, a split per seed for DEAP): optimisation noise, not people.",
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
