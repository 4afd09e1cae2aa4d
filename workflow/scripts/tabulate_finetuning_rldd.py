"""RLDD: 3-class accuracy and the other measures per init (scratch, one pre-trained init per
pretext) over folds and seeds, each pre-trained init minus scratch paired by (fold, seed);
beside them the majority-class and classical rows on the same test folds, and the paired
differences of each init and the classical row by fold."""

import json
import re
from pathlib import Path

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.evaluation.stats import mean_ci
from vigilance.finetune.rldd_table import (
    MEASURES,
    RUNS,
    UNIT,
    baseline_rows,
    paired_row,
    with_holm,
)
from vigilance.tables import write_table

RUN = re.compile(r"/(?P<init>scratch|pretrained-\w+)/fold(?P<fold>\d+)/seed(?P<seed>\d+)/")


def main(snakemake) -> None:
    out = snakemake.output
    with script_context(snakemake):
        rows = []
        for path in snakemake.input.runs:
            key = RUN.search(path).groupdict()
            rows.append({**key, **json.loads(Path(path).read_text())})
        runs = pd.DataFrame(rows).astype({"fold": int, "seed": int})
        table = []
        for init, group in runs.groupby("init"):
            # A run whose best validation epoch is its last one run may not have converged.
            last = float((group["epoch"] == group["epochs_run"] - 1).mean())
            for metric in MEASURES:
                mean, low, high = mean_ci(group[metric])
                table.append({"init": init, "measure": metric, RUNS: len(group),
                              UNIT: "folds x seeds", "mean": mean, "95 % CI low": low,
                              "95 % CI high": high,
                              "selected epoch = last run (share)": last})  # fmt: skip
        pairs = runs.pivot_table(index=["fold", "seed"], columns="init", values=MEASURES)
        pretrained = sorted(i for i in runs["init"].unique() if i != "scratch")
        for init in pretrained if "scratch" in set(runs["init"]) else []:
            for metric in MEASURES:
                name, unit = f"{init} - scratch (paired)", "(fold, seed) pairs"
                a, b = pairs[metric][init], pairs[metric]["scratch"]
                table.append(paired_row(name, metric, a, b, unit))
        table += baseline_rows(pd.read_csv(snakemake.input.baselines), runs)
        table = with_holm(table)
        write_table(pd.DataFrame(table), out.csv, out.html, title="RLDD: fine-tuning, 3 levels")


main(snakemake)  # noqa: F821 - injected by Snakemake
