"""Compute the hand-made gaze features of every chunk (for the classical 'gaze' inputs)."""

from dataclasses import dataclass

import numpy as np

from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context
from vigilance.eyetracking.features import FEATURES, gaze_features


@dataclass(frozen=True)
class Params:
    fixation_speed: float


def main(snakemake) -> None:
    params = Params(fixation_speed=snakemake.params.fixation_speed)
    with script_context(snakemake) as log:
        with np.load(snakemake.input.chunks) as chunks:
            features = gaze_features(chunks["gaze"], params.fixation_speed)
        log.info("%d chunks x %d features", *features.shape)
        with atomic_path(snakemake.output.features) as tmp, tmp.open("wb") as handle:
            np.savez_compressed(handle, features=features, names=np.asarray(FEATURES))


main(snakemake)  # noqa: F821 - injected by Snakemake
