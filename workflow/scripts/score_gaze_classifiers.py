"""Score the gaze classifiers of one task: fold measures, comparison table, best models' details."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vigilance.core.io import atomic_path, write_text
from vigilance.core.logs import script_context
from vigilance.evaluation.classical import LABELS
from vigilance.evaluation.comparison import SCALARS, compare, mean_sd_text
from vigilance.eyetracking.reader import task_labels
from vigilance.tables import render_html, write_table

KEYS = ["family", "model", "inputs", "label", "scheme"]
INPUTS = {"flat": "flattened chunk", "gaze": "gaze features"}


@dataclass(frozen=True)
class Params:
    task: str
    runs: list  # one dict (scheme, family, inputs) per predictions file, in input order


def label(row) -> str:
    if row["family"] == "classical":
        return f"{LABELS[row['model']]} ({INPUTS[row['inputs']]})"
    return f"{row['model']} ({row['inputs']})"


def main(snakemake) -> None:
    params = Params(snakemake.wildcards.task, snakemake.params.runs)
    with script_context(snakemake) as log:
        with np.load(snakemake.input.chunks) as chunks:
            _, classes = task_labels(chunks["image"], chunks["observer"], params.task)
        frames = [
            pd.read_csv(path).assign(**run)
            for path, run in zip(snakemake.input.predictions, params.runs, strict=True)
        ]
        predictions = pd.concat(frames, ignore_index=True)
        predictions["label"] = predictions.apply(label, axis=1)
        result = compare(predictions, classes, KEYS)
        log.info("best grouped kappa: %s", result["table"].iloc[0]["label"])
        for name in ("scores", "confusion"):
            with atomic_path(snakemake.output[name]) as tmp:
                result[name].to_csv(tmp, index=False)
        table = result["table"]
        schemes = [s for s in ("grouped", "leaky") if f"{s}_accuracy_mean" in table]
        shown = mean_sd_text(
            table, [f"{s}_{m}" for s in schemes for m in SCALARS if f"{s}_{m}_mean" in table]
        )
        shown = shown.drop(columns=[c for c in shown if "precision" in c or "recall" in c])
        title = f"Gaze classifiers, {params.task} task ({len(classes)} classes)"
        caption = (
            "Mean ± SD over test folds (and seeds); grouped: no recording in both "
            "training and test; leaky: chunks split at random. Sorted by grouped kappa."
        )
        with atomic_path(snakemake.output.table) as tmp:
            table.to_csv(tmp, index=False)
        write_text(snakemake.output.table_html, render_html(shown, title, caption))
        write_table(
            result["per_class"],
            snakemake.output.per_class,
            snakemake.output.per_class_html,
            title=f"Best classical and best deep model per class, {params.task} task",
            caption="Pooled out-of-fold predictions of the grouped scheme; support: chunks "
            "of the class (per seed).",
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
