"""The chosen strategy's runs with all labels: copies of its grid runs (same schedule, seed and
data, hence the same run); run.json says where it was copied from."""

import json
import shutil
from pathlib import Path

import yaml

from vigilance.core.io import atomic_path, write_json
from vigilance.core.logs import script_context


def main(snakemake) -> None:
    out, inputs = snakemake.output, snakemake.input
    with script_context(snakemake) as log:
        chosen = yaml.safe_load(Path(inputs.chosen).read_text())["strategy"]
        log.info("copying the runs of %s", chosen)
        for name in ("model", "metrics", "test", "predictions"):
            with atomic_path(out[name]) as tmp:
                shutil.copyfile(inputs[f"{chosen}-{name}"], tmp)
        run = json.loads(Path(inputs[f"{chosen}-run"]).read_text())
        write_json(out.run, {**run, "strategy": chosen, "copied_from": inputs[f"{chosen}-run"]})


main(snakemake)  # noqa: F821 - injected by Snakemake
