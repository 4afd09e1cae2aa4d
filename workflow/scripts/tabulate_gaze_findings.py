"""The findings table: the tutorial's reported gaze results against this run, with verdicts."""

from dataclasses import dataclass

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.eyetracking.findings import findings
from vigilance.tables import write_table


@dataclass(frozen=True)
class Params:
    margin_accuracy: float
    margin_kappa: float
    almost_perfect: float


def main(snakemake) -> None:
    params = Params(**snakemake.params.findings)
    with script_context(snakemake) as log:
        inputs = dict(snakemake.input.items())
        image = pd.read_csv(inputs["image"]) if "image" in inputs else None
        regression = pd.read_csv(inputs["regression"]) if "regression" in inputs else None
        table = findings(image, regression, vars(params))
        log.info("verdicts: %s", table["verdict"].value_counts().to_dict())
        write_table(
            table,
            snakemake.output.csv,
            snakemake.output.html,
            title="Findings: the ETRA 2021 tutorial (document 002) against this run",
            caption="One row per claim and protocol; 'document' is the tutorial's own number; "
            "95 % t-intervals over test folds x seeds; p (Holm) adjusted over the table.",
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
