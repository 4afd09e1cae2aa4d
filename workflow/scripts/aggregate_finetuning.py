"""Collect every fine-tuning run of a data set: per-epoch metrics and test scores."""

import json
import re
from pathlib import Path

import pandas as pd

from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context

RUN = re.compile(
    r"/(?P<init>[a-z_-]+)/(?P<strategy>[a-z0-9_]+)/share(?P<share>[0-9.]+)"
    r"/fold(?P<fold>\d+)/seed(?P<seed>\d+)/"
)


def _key(path: str) -> dict:
    key = RUN.search(path).groupdict()
    return {**key, "share": float(key["share"]), "fold": int(key["fold"]), "seed": int(key["seed"])}


def main(snakemake) -> None:
    with script_context(snakemake) as log:
        curves, tests = [], []
        for path in snakemake.input:
            if path.endswith("metrics.csv"):
                curves.append(pd.read_csv(path).assign(**_key(path)))
            else:
                scores = json.loads(Path(path).read_text())
                scores["mse"] = scores.pop("loss")
                tests.append({**_key(path), **scores})
        curves, tests = pd.concat(curves, ignore_index=True), pd.DataFrame(tests)
        log.info("%d runs, %d metric rows", len(tests), len(curves))
        with atomic_path(snakemake.output.curves) as tmp:
            curves.to_csv(tmp, index=False)
        with atomic_path(snakemake.output.test) as tmp:
            tests.to_csv(tmp, index=False)


main(snakemake)  # noqa: F821 - injected by Snakemake
