"""RLDD: 3-class accuracy and the other measures per init over folds and seeds, paired."""

import json
import re
from pathlib import Path

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.evaluation.stats import mean_ci, paired_comparison
from vigilance.tables import write_table

RUN = re.compile(r"/(?P<init>pretrained|scratch)/fold(?P<fold>\d+)/seed(?P<seed>\d+)/")
MEASURES = ["accuracy_3", "kappa_3", "macro_f1_3", "mae", "rmse"]


def main(snakemake) -> None:
    out = snakemake.output
    with script_context(snakemake):
        rows = []
        for path in snakemake.input:
            key = RUN.search(path).groupdict()
            rows.append({**key, **json.loads(Path(path).read_text())})
        runs = pd.DataFrame(rows)
        table = []
        for init, group in runs.groupby("init"):
            # A run whose best validation epoch is its last one run may not have converged.
            last = float((group["epoch"] == group["epochs_run"] - 1).mean())
            for metric in MEASURES:
                mean, low, high = mean_ci(group[metric])
                table.append({"init": init, "measure": metric, "runs (folds x seeds)": len(group),
                              "mean": mean, "95 % CI low": low, "95 % CI high": high,
                              "selected epoch = last run (share)": last})  # fmt: skip
        pairs = runs.pivot_table(index=["fold", "seed"], columns="init", values=MEASURES)
        for metric in MEASURES:
            if {"pretrained", "scratch"} <= set(pairs[metric].columns):
                diff = paired_comparison(pairs[metric]["pretrained"], pairs[metric]["scratch"])
                table.append({"init": "pretrained - scratch (paired)", "measure": metric,
                              "runs (folds x seeds)": diff["n"], "mean": diff["difference"],
                              "95 % CI low": diff["low"], "95 % CI high": diff["high"],
                              "p (paired t)": diff["p_value"]})  # fmt: skip
        write_table(pd.DataFrame(table), out.csv, out.html, title="RLDD: fine-tuning, 3 levels")


main(snakemake)  # noqa: F821 - injected by Snakemake
