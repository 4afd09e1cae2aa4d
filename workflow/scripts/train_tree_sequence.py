"""Train the sequence variant of T-SCAF (drowsiness, with or without identity) for one seed."""

import time
from dataclasses import dataclass

import pandas as pd

from vigilance.core.io import atomic_path, write_json
from vigilance.core.logs import script_context
from vigilance.core.seeding import seed_everything
from vigilance.tree.sequence import load_sequence_data, run_sequence


@dataclass(frozen=True)
class Settings:
    """The run (tasks, seed), the windows (feature set, length) and the model's config."""

    tasks: str
    seed: int
    features: str
    window: int
    sequence: dict
    deterministic: bool


def main(snakemake) -> None:
    p, w, out, inp = snakemake.params, snakemake.wildcards, snakemake.output, snakemake.input
    s = Settings(w.tasks, int(w.seed), p.features, int(p.window), dict(p.sequence), p.deterministic)
    with script_context(snakemake) as log:
        seed_everything(s.seed, s.deterministic)
        data = load_sequence_data(inp.blinks, inp.manifest, inp.stats, s.features, s.window)
        log.info("windows: %s", {k: len(v[0]) for k, v in data.items()})
        started = time.perf_counter()
        rows, metrics = run_sequence(data, s.sequence, s.tasks, s.seed)
        log.info("test: %s", metrics)
        with atomic_path(out.metrics) as tmp:
            pd.DataFrame(rows).to_csv(tmp, index=False)
        write_json(
            out.run,
            {"seconds": time.perf_counter() - started, "tasks": s.tasks, "test": metrics},
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
