"""Cross-validate the classical baselines on the gaze chunks (flattened or hand-made features)."""

from dataclasses import dataclass

import numpy as np

from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context
from vigilance.evaluation.classical import ClassicalSettings, cross_validate, flatten
from vigilance.eyetracking.protocols import protocol_folds
from vigilance.eyetracking.reader import task_labels


@dataclass(frozen=True)
class Params:
    task: str
    protocol: str
    inputs: str
    seed: int
    folds: int
    models: list
    settings: ClassicalSettings


def main(snakemake) -> None:
    cfg = snakemake.params.classical
    params = Params(
        task=snakemake.wildcards.task,
        protocol=snakemake.wildcards.protocol,
        inputs=snakemake.wildcards.inputs,
        seed=int(snakemake.wildcards.seed),
        folds=snakemake.params.folds,
        models=list(cfg["models"]),
        settings=ClassicalSettings(
            knn_neighbors=cfg["knn_neighbors"],
            forest_trees=cfg["forest_trees"],
            svm_c=cfg["svm_c"],
            n_jobs=snakemake.threads,
        ),
    )
    with script_context(snakemake) as log:
        with np.load(snakemake.input.chunks) as chunks:
            y, classes = task_labels(chunks["image"], chunks["observer"], params.task)
            groups = {key: chunks[key] for key in ("recording", "observer", "image")}
            x = flatten(chunks["signal"]) if params.inputs == "flat" else None
        if x is None:
            with np.load(snakemake.input.features[0]) as features:
                x = features["features"]
        log.info(
            "%s task, %s protocol, %s inputs %s, %d classes",
            params.task,
            params.protocol,
            params.inputs,
            x.shape,
            len(classes),
        )
        folds = protocol_folds(params.protocol, y, groups, params.folds, params.seed)
        predictions = cross_validate(
            x, y, folds, params.models, params.settings, params.seed, log=log
        )
        predictions.insert(0, "seed", params.seed)
        predictions["recording"] = groups["recording"][predictions["index"]]
        with atomic_path(snakemake.output.predictions) as tmp:
            predictions.to_csv(tmp, index=False)


main(snakemake)  # noqa: F821 - injected by Snakemake
