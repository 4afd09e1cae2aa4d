"""Score the gaze classifiers of one task: fold measures, comparison table, best models' details."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vigilance.core.io import atomic_path, write_text
from vigilance.core.logs import script_context
from vigilance.evaluation.classical import LABELS
from vigilance.evaluation.comparison import SCALARS, compare, mean_sd_text
from vigilance.eyetracking.protocols import PROTOCOLS, fold_count
from vigilance.eyetracking.reader import task_labels
from vigilance.tables import render_html, write_table

KEYS = ["family", "model", "inputs", "label", "protocol"]
INPUTS = {"flat": "flattened chunk", "gaze": "gaze features"}
HIDDEN = ("precision", "recall", "weighted")  # in the CSV; the page shows accuracy, kappa, F1


@dataclass(frozen=True)
class Params:
    task: str
    runs: list  # one dict (protocol, family, inputs) per predictions file, in input order
    protocols: list  # the first ranks the models
    folds: int


def label(row) -> str:
    if row["family"] == "trivial":
        return f"{row['model']} (trivial)"
    if row["family"] == "classical":
        return f"{LABELS[row['model']]} ({INPUTS[row['inputs']]})"
    return f"{row['model']} ({row['inputs']})"


def main(snakemake) -> None:
    p = snakemake.params
    params = Params(snakemake.wildcards.task, p.runs, list(p.protocols), p.folds)
    with script_context(snakemake) as log:
        with np.load(snakemake.input.chunks) as chunks:
            _, classes = task_labels(chunks["image"], chunks["observer"], params.task)
            groups = {key: chunks[key] for key in ("recording", "observer", "image")}
        frames = [
            pd.read_csv(path).assign(**run)
            for path, run in zip(snakemake.input.predictions, params.runs, strict=True)
        ]
        predictions = pd.concat(frames, ignore_index=True)
        predictions["label"] = predictions.apply(label, axis=1)
        fair = params.protocols[0]
        result = compare(predictions, classes, KEYS, by="protocol", fair=fair)
        log.info("best %s kappa: %s", fair, result["table"].iloc[0]["label"])
        for name in ("scores", "confusion"):
            with atomic_path(snakemake.output[name]) as tmp:
                result[name].to_csv(tmp, index=False)
        table = result["table"]
        with atomic_path(snakemake.output.table) as tmp:
            table.to_csv(tmp, index=False)
        shown = mean_sd_text(
            table,
            [f"{pr}_{m}" for pr in params.protocols for m in SCALARS if f"{pr}_{m}_mean" in table],
        )
        shown = shown.drop(columns=[c for c in shown if any(w in c for w in HIDDEN)])
        described = "; ".join(
            f"{pr} ({fold_count(pr, groups, params.folds)} folds): {PROTOCOLS[pr].tests}"
            for pr in params.protocols
        )
        title = f"Gaze classifiers, {params.task} task ({len(classes)} classes)"
        caption = (
            f"Mean ± SD over test folds (and seeds), every row on the same test items. "
            f"Protocols: {described}. Sorted by {fair} kappa."
        )
        write_text(snakemake.output.table_html, render_html(shown, title, caption))
        write_table(
            result["per_class"],
            snakemake.output.per_class,
            snakemake.output.per_class_html,
            title=f"Best trivial, classical and deep model per class, {params.task} task",
            caption=f"Pooled out-of-fold predictions of the {fair} protocol; support: chunks "
            "of the class (per seed).",
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
