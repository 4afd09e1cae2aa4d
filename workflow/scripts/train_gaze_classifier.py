"""Cross-validate one small PyTorch sequence classifier on the gaze chunks (one model per fold)."""

import time
from dataclasses import dataclass

import numpy as np
import torch

from vigilance.core.device import resolve_device
from vigilance.core.io import atomic_path, write_json
from vigilance.core.logs import script_context
from vigilance.core.seeding import seed_everything
from vigilance.eyetracking.protocols import protocol_folds
from vigilance.eyetracking.reader import task_labels
from vigilance.eyetracking.train import TrainSettings, cross_validate, save_checkpoint


@dataclass(frozen=True)
class Params:
    task: str
    protocol: str
    model: str
    seed: int
    folds: int
    device: str
    precision: str
    deterministic: bool
    settings: TrainSettings


def main(snakemake) -> None:
    w, p = snakemake.wildcards, snakemake.params
    params = Params(
        *(w.task, w.protocol, w.model, int(w.seed)),
        *(p.folds, p.device, p.precision, p.deterministic),
        TrainSettings(**p.deep),
    )
    with script_context(snakemake) as log:
        start = time.perf_counter()
        torch.set_num_threads(snakemake.threads)
        seed_everything(params.seed, params.deterministic)
        device = resolve_device(params.device)
        with np.load(snakemake.input.chunks) as chunks:
            y, classes = task_labels(chunks["image"], chunks["observer"], params.task)
            x = chunks["signal"]
            groups = {key: chunks[key] for key in ("recording", "observer", "image")}
        folds = protocol_folds(params.protocol, y, groups, params.folds, params.seed)
        log.info(
            "%s: %s task, %s protocol, %d chunks, %s",
            params.model,
            params.task,
            params.protocol,
            len(y),
            device,
        )
        args = (params.model, x, y, folds, len(classes), params.settings, device)
        predictions, metrics, states = cross_validate(*args, params.precision, params.seed, log=log)
        predictions.insert(0, "seed", params.seed)
        predictions.insert(1, "model", params.model)
        predictions["recording"] = groups["recording"][predictions["index"]]
        for name, frame in (("predictions", predictions), ("metrics", metrics)):
            with atomic_path(snakemake.output[name]) as tmp:
                frame.to_csv(tmp, index=False)
        record = vars(params) | {"settings": vars(params.settings)}
        save_checkpoint(snakemake.output.checkpoint, record, classes, states)
        wall = time.perf_counter() - start
        write_json(snakemake.output.time, {"wall_s": wall, "device": str(device)})
        log.info("done in %.1f s", wall)


main(snakemake)  # noqa: F821 - injected by Snakemake
