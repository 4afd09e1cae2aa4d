"""RLDD: 3-class accuracy and the other measures per init over folds and seeds, paired; beside
them the majority-class and classical rows on the same test folds, and the paired differences
of each init and the classical row by fold."""

import json
import re
from pathlib import Path

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.evaluation.stats import mean_ci, paired_comparison
from vigilance.finetune.rldd_table import MEASURES, RUNS, UNIT, baseline_rows, paired_row
from vigilance.tables import write_table

RUN = re.compile(r"/(?P<init>pretrained|scratch)/fold(?P<fold>\d+)/seed(?P<seed>\d+)/")


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
        for metric in MEASURES:
            if {"pretrained", "scratch"} <= set(pairs[metric].columns):
                diff = paired_comparison(pairs[metric]["pretrained"], pairs[metric]["scratch"])
                name, unit = "pretrained - scratch (paired)", "(fold, seed) pairs"
                table.append(paired_row(name, metric, diff, unit))
        table += baseline_rows(pd.read_csv(snakemake.input.baselines), runs)
        write_table(pd.DataFrame(table), out.csv, out.html, title="RLDD: fine-tuning, 3 levels")


main(snakemake)  # noqa: F821 - injected by Snakemake
