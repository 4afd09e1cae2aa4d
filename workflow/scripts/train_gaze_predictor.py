"""Cross-validate gaze predictors (point k ahead from the previous N): a network, or baselines."""

import time
from dataclasses import dataclass

import pandas as pd
import torch

from vigilance.core.device import resolve_device
from vigilance.core.io import atomic_path, write_json
from vigilance.core.logs import script_context
from vigilance.core.seeding import seed_everything
from vigilance.eyetracking.forecast import ForecastSettings, cross_validate, make_windows
from vigilance.eyetracking.forecast_measures import scores
from vigilance.eyetracking.protocols import protocol_folds
from vigilance.eyetracking.reader import load_recordings


@dataclass(frozen=True)
class Params:
    protocol: str
    predictor: str  # the job: a network, or "baselines"
    models: list
    seed: int
    history: int
    horizon: int
    step: int
    folds: int
    device: str
    precision: str
    deterministic: bool
    settings: ForecastSettings


def main(snakemake) -> None:
    w, p = snakemake.wildcards, snakemake.params
    params = Params(
        *(w.protocol, w.predictor, list(p.models), int(w.seed)),
        *(p.windows["history"], p.windows["horizon"], p.windows["step"]),
        *(p.folds, p.device, p.precision, p.deterministic),
        ForecastSettings(**p.settings),
    )
    with script_context(snakemake) as log:
        start = time.perf_counter()
        torch.set_num_threads(snakemake.threads)
        seed_everything(params.seed, params.deterministic)
        device = resolve_device(params.device)
        windows = make_windows(
            load_recordings(snakemake.input.recordings),
            params.history,
            params.horizon,
            params.step,
        )
        groups = {key: getattr(windows, key) for key in ("recording", "observer", "image")}
        folds = protocol_folds(params.protocol, None, groups, params.folds, params.seed)
        log.info(
            "%s (%s): %d windows of %d points, %d ahead, %s protocol (%d folds), %s",
            params.predictor,
            ", ".join(params.models),
            len(windows.start),
            params.history,
            params.horizon,
            params.protocol,
            len(folds),
            device,
        )
        parts = [
            cross_validate(
                model, windows, folds, params.settings, device, params.precision, params.seed
            )
            for model in params.models
        ]
        predictions = pd.concat(
            [frame.assign(model=m) for m, (frame, _) in zip(params.models, parts, strict=True)],
            ignore_index=True,
        )
        metrics = pd.concat(
            [frame.assign(model=m) for m, (_, frame) in zip(params.models, parts, strict=True)],
            ignore_index=True,
        )
        predictions.insert(0, "seed", params.seed)
        predictions["start"] = windows.start[predictions["index"]]
        for name, frame in (("predictions", predictions), ("metrics", metrics)):
            with atomic_path(snakemake.output[name]) as tmp:
                frame.to_csv(tmp, index=False)
        for model, part in predictions.groupby("model", sort=False):
            true, pred = part[["true_x", "true_y"]], part[["pred_x", "pred_y"]]
            log.info(
                "%s: pooled MAE %.2f px", model, scores(true.to_numpy(), pred.to_numpy())["mae"]
            )
        wall = time.perf_counter() - start
        write_json(snakemake.output.time, {"wall_s": wall, "device": str(device)})
        log.info("done in %.1f s", wall)


main(snakemake)  # noqa: F821 - injected by Snakemake
