"""Cross-validate the trivial classifiers (majority class, stratified random) on the gaze chunks."""

from dataclasses import dataclass

import numpy as np

from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context
from vigilance.eyetracking.protocols import protocol_folds
from vigilance.eyetracking.reader import task_labels
from vigilance.eyetracking.trivial import cross_validate_trivial


@dataclass(frozen=True)
class Params:
    task: str
    protocol: str
    seed: int
    folds: int


def main(snakemake) -> None:
    w = snakemake.wildcards
    params = Params(w.task, w.protocol, int(w.seed), snakemake.params.folds)
    with script_context(snakemake) as log:
        with np.load(snakemake.input.chunks) as chunks:
            y, classes = task_labels(chunks["image"], chunks["observer"], params.task)
            groups = {key: chunks[key] for key in ("recording", "observer", "image")}
        folds = protocol_folds(params.protocol, y, groups, params.folds, params.seed)
        predictions = cross_validate_trivial(y, folds, params.seed)
        log.info("%s task, %s: %d folds, %d classes", w.task, w.protocol, len(folds), len(classes))
        predictions.insert(0, "seed", params.seed)
        predictions["recording"] = groups["recording"][predictions["index"]]
        with atomic_path(snakemake.output.predictions) as tmp:
            predictions.to_csv(tmp, index=False)


main(snakemake)  # noqa: F821 - injected by Snakemake
