"""Train one multi-task run (dataset x method x seed) and score it after every epoch."""

import time

import pandas as pd

from vigilance.core.device import describe_device, resolve_device
from vigilance.core.io import atomic_path, write_json
from vigilance.core.logs import script_context
from vigilance.core.seeding import seed_everything
from vigilance.mtl.data import load, split
from vigilance.mtl.run import RunSettings, run_method


def main(snakemake) -> None:
    p, w, out = snakemake.params, snakemake.wildcards, snakemake.output
    with script_context(snakemake) as log:
        s = RunSettings(
            dataset=w.dataset,
            method_name=w.method,
            seed=int(w.seed),
            method=dict(p.method),
            model=dict(p.model),
            training=dict(p.training),
            main_tasks=tuple(p.main_tasks),
            split=dict(p.split),
            device=p.device,
            precision=p.precision,
            deterministic=p.deterministic,
        )
        seed_everything(s.seed, s.deterministic)
        device = resolve_device(s.device)
        data = load(snakemake.input.windows)
        sides = split(s.dataset, data, s.split, s.seed)
        started = time.perf_counter()
        result = run_method(data, sides, s, device)
        log.info("%s on %s: %d parameters", w.method, w.dataset, result["parameters"])
        with atomic_path(out.metrics) as tmp:
            pd.DataFrame(result["rows"]).to_csv(tmp, index=False)
        with atomic_path(out.predictions) as tmp:
            result["predictions"].to_csv(tmp, index=False)
        with atomic_path(out.stitch) as tmp:
            result["stitch"].to_csv(tmp, index=False)
        with atomic_path(out.model) as tmp:
            result["save"](tmp)
        write_json(
            out.run,
            {
                "seconds": time.perf_counter() - started,
                "method": w.method,
                "model": s.method["model"],
                "tasks": result["tasks"],
                "parameters": result["parameters"],
                "profile": result["profile"],
                "windows": {
                    k: int((sides == i).sum()) for i, k in enumerate(("train", "val", "test"))
                },
                **describe_device(device),
            },
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
