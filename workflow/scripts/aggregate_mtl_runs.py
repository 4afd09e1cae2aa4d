"""Collect one experiment's runs: curves (long form, with method and seed), run facts, stitches."""

import json
import re
from pathlib import Path

import pandas as pd

from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context

RUN = re.compile(r"/(?P<method>[A-Za-z][A-Za-z0-9_]*)/seed(?P<seed>\d+)/[^/]+$")


def main(snakemake) -> None:
    out, methods = snakemake.output, snakemake.params.methods
    with script_context(snakemake) as log:
        curves, runs, stitches = [], [], []
        for path in map(str, snakemake.input):
            match = RUN.search(path)
            key = {"method": match["method"], "seed": int(match["seed"])}
            if path.endswith("metrics.csv"):
                frame = pd.read_csv(path)
                frame = frame[~frame["metric"].str.startswith("f1_class")]
                curves.append(frame.assign(**key))
            elif path.endswith("stitch.csv"):
                stitches.append(pd.read_csv(path).assign(**key))
            else:
                facts = json.loads(Path(path).read_text())
                per_epoch = pd.read_csv(Path(path).with_name("metrics.csv"))
                seconds = per_epoch[per_epoch["metric"] == "seconds"]["value"]
                spec = methods[key["method"]]
                runs.append(
                    {
                        **key,
                        "model": facts["model"],
                        "tasks": ";".join(facts["tasks"]),
                        "parameters": facts["parameters"],
                        "seconds": facts["seconds"],
                        "seconds_per_epoch": seconds.mean(),
                        "step_s": facts["profile"]["step_s"],
                        "regulariser_s": facts["profile"]["regulariser_s"],
                        "clip": spec["clip"],
                        "dropout_override": spec.get("dense_dropout") is not None,
                    }
                )
        for frame, path in ((curves, out.curves), (runs, out.runs), (stitches, out.stitch)):
            with atomic_path(path) as tmp:
                (
                    pd.concat(frame)
                    if frame and isinstance(frame[0], pd.DataFrame)
                    else pd.DataFrame(frame)
                ).to_csv(tmp, index=False)
        log.info("%d runs", len(runs))


main(snakemake)  # noqa: F821 - injected by Snakemake
