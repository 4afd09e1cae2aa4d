"""Cross-validate one gaze predictor (next point, or k ahead, from the previous N samples)."""

import time
from dataclasses import dataclass

import torch

from vigilance.core.device import resolve_device
from vigilance.core.io import atomic_path, write_json
from vigilance.core.logs import script_context
from vigilance.core.seeding import seed_everything
from vigilance.eyetracking.forecast import ForecastSettings, cross_validate, make_windows, scores
from vigilance.eyetracking.protocols import protocol_folds
from vigilance.eyetracking.reader import load_recordings


@dataclass(frozen=True)
class Params:
    protocol: str
    predictor: str
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
        *(w.protocol, w.predictor, int(w.seed)),
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
            "%s: %d windows of %d points, %d ahead, %s protocol (%d folds), %s",
            params.predictor,
            len(windows.start),
            params.history,
            params.horizon,
            params.protocol,
            len(folds),
            device,
        )
        predictions, metrics = cross_validate(
            params.predictor,
            windows,
            folds,
            params.settings,
            device,
            params.precision,
            params.seed,
        )
        predictions.insert(0, "seed", params.seed)
        predictions["start"] = windows.start[predictions["index"]]
        for name, frame in (("predictions", predictions), ("metrics", metrics)):
            with atomic_path(snakemake.output[name]) as tmp:
                frame.to_csv(tmp, index=False)
        true, pred = predictions[["true_x", "true_y"]], predictions[["pred_x", "pred_y"]]
        mae = scores(true.to_numpy(), pred.to_numpy())["mae"]
        wall = time.perf_counter() - start
        write_json(snakemake.output.time, {"wall_s": wall, "device": str(device)})
        log.info("pooled MAE %.2f px, done in %.1f s", mae, wall)


main(snakemake)  # noqa: F821 - injected by Snakemake
