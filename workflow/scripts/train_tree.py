"""Train one T-SCAF run (style x attention x training x seed) and evaluate it on the test sets."""

import time

import numpy as np
import pandas as pd
import torch

from vigilance.core.device import describe_device, resolve_device
from vigilance.core.io import atomic_path, write_json
from vigilance.core.logs import script_context
from vigilance.core.seeding import seed_everything
from vigilance.tree.costs import inference_parameters
from vigilance.tree.data import load_npz, save_npz
from vigilance.tree.model import build_model
from vigilance.tree.train import TrainConfig, evaluate, fit


def main(snakemake) -> None:
    p, w, out, inp = snakemake.params, snakemake.wildcards, snakemake.output, snakemake.input
    with script_context(snakemake) as log:
        rng = seed_everything(int(w.seed), p.deterministic)
        device = resolve_device(p.device)
        fatigue, identity, pairs = (load_npz(f) for f in (inp.fatigue, inp.identity, inp.pairs))
        model_cfg = {**p.model, "attention": w.attention}
        identities = int(identity["labels"].max()) + 1
        model = build_model(w.style, model_cfg, identities).to(device)
        log.info("%s, %d parameters, on %s", w, inference_parameters(model), device)
        started = time.perf_counter()
        rows = fit(model, fatigue, identity, TrainConfig(**p.training), w.training, rng, device)
        seconds = time.perf_counter() - started
        metrics, predictions, features, labels = evaluate(model, fatigue, pairs, device)
        log.info("test: %s", metrics)
        epoch = p.training["epochs"]
        rows += [
            {"epoch": epoch, "split": "test", "metric": k, "value": v} for k, v in metrics.items()
        ]
        with atomic_path(out.metrics) as tmp:
            pd.DataFrame(rows).to_csv(tmp, index=False)
        with atomic_path(out.predictions) as tmp:
            predictions.to_csv(tmp, index=False)
        save_npz(out.features, features=features.astype(np.float32), labels=labels)
        with atomic_path(out.model) as tmp:
            torch.save(
                {
                    "state": model.state_dict(),
                    "config": model_cfg,
                    "identities": identities,
                    "style": w.style,
                },
                tmp,
            )
        write_json(
            out.run,
            {
                "seconds": seconds,
                "parameters": inference_parameters(model),
                "identities": identities,
                "test": metrics,
                **describe_device(device),
            },
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
