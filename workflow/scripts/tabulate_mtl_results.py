"""Tables 4.1 / 4.2 (per method and main task) and the findings table of one experiment."""

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.mtl.report import findings, results_table
from vigilance.tables import write_table

SOURCES = {
    "opportunity": "opportunity",
    "deap-windows": "deap",
    "deap-trials": "deap",
    "gaze": "gaze",
}


def main(snakemake) -> None:
    out, name, settings = snakemake.output, snakemake.wildcards.dataset, snakemake.params.settings
    with script_context(snakemake):
        curves = pd.read_csv(snakemake.input.curves)
        runs = pd.read_csv(snakemake.input.runs)
        source = SOURCES[name]
        k = settings["last_epochs"]
        write_table(
            results_table(curves, runs, settings, source),
            out.results_csv,
            out.results_html,
            title=f"{name}: {settings['main_metric']} on test, last {k} epochs (Tables 4.1 / 4.2)",
            caption=f"Thesis style: mean of the last {k} epochs of the first seed with a 95 % "
            "interval over those epochs; then the mean over seeds of each seed's last-epochs "
            "mean with a 95 % interval over seeds. Time: seconds per training epoch (mean over "
            "seeds) and its overhead over STL.",
        )
        write_table(
            findings(curves, runs, settings, source),
            out.findings_csv,
            out.findings_html,
            title=f"{name}: the thesis' claims vs this run",
            caption="Paired per-seed differences to STL of the last-epochs mean; verdict from "
            "the 95 % interval over seeds (vigilance.stats.verdict).",
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
