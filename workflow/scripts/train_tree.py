"""Train one T-SCAF run (split x style x attention x training x seed) and evaluate it."""

import time
from dataclasses import dataclass

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
from vigilance.tree.splits import held_out
from vigilance.tree.train import TrainConfig, evaluate, fit


@dataclass(frozen=True)
class Settings:
    """What one run needs: the grid point, the model and training config, the device."""

    split: str
    style: str
    attention: str
    training: str
    seed: int
    replicate: int
    model: dict
    schedule: TrainConfig
    device: str
    deterministic: bool


def main(snakemake) -> None:
    p, w, out, inp = snakemake.params, snakemake.wildcards, snakemake.output, snakemake.input
    s = Settings(
        w.split,
        w.style,
        w.attention,
        w.training,
        int(w.seed),
        int(p.replicate),
        {**p.model, "attention": w.attention},
        TrainConfig(**p.training),
        p.device,
        bool(p.deterministic),
    )
    with script_context(snakemake) as log:
        rng = seed_everything(s.seed, s.deterministic)
        device = resolve_device(s.device)
        fatigue, identity, pairs = (load_npz(f) for f in (inp.fatigue, inp.identity, inp.pairs))
        test = held_out(fatigue, s.split, s.replicate)
        identities = int(identity["labels"].max()) + 1
        model = build_model(s.style, s.model, identities).to(device)
        log.info("%s: %d test images, on %s", w, test.sum(), device)
        started = time.perf_counter()
        rows = fit(model, fatigue, test, identity, s.schedule, s.training, rng, device)
        seconds = time.perf_counter() - started
        metrics, predictions, features, labels = evaluate(model, fatigue, test, pairs, device)
        log.info("test: %s", metrics)
        epoch = s.schedule.epochs
        rows += [
            {"epoch": epoch, "split": "test", "metric": k, "value": v} for k, v in metrics.items()
        ]
        with atomic_path(out.metrics) as tmp:
            pd.DataFrame(rows).to_csv(tmp, index=False)
        with atomic_path(out.predictions) as tmp:
            predictions.to_csv(tmp, index=False)
        save_npz(out.features, features=features.astype(np.float32), labels=labels)
        saved = {"state": model.state_dict(), "config": s.model, "identities": identities}
        with atomic_path(out.model) as tmp:
            torch.save({**saved, "style": s.style, "split": s.split, "replicate": s.replicate}, tmp)
        write_json(
            out.run,
            {
                "seconds": seconds,
                "parameters": inference_parameters(model),
                "identities": identities,
                "replicate": s.replicate,
                "test_images": int(test.sum()),
                "test": metrics,
                **describe_device(device),
            },
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
