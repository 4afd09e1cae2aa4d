"""Score the gaze predictors: MAE, MSE, RMSE, R^2 per test fold, and one comparison table."""

from dataclasses import dataclass

import pandas as pd

from vigilance.core.io import atomic_path, write_text
from vigilance.core.logs import script_context
from vigilance.evaluation.comparison import mean_sd_text, summarise
from vigilance.eyetracking.forecast_measures import FAMILIES, METRICS, scores
from vigilance.tables import render_html


@dataclass(frozen=True)
class Params:
    runs: list  # one dict (protocol, seed) per predictions file, in input order


def main(snakemake) -> None:
    params = Params(list(snakemake.params.runs))
    with script_context(snakemake) as log:
        rows = []
        for path, run in zip(snakemake.input.predictions, params.runs, strict=True):
            frame = pd.read_csv(path)
            for (model, fold), part in frame.groupby(["model", "fold"], sort=False):
                true = part[["true_x", "true_y"]].to_numpy()
                values = scores(true, part[["pred_x", "pred_y"]].to_numpy())
                for metric, value in values.items():
                    rows.append(
                        {**run, "model": model, "fold": fold, "metric": metric, "value": value}
                    )
        fold_scores = pd.DataFrame(rows)
        fold_scores.insert(0, "family", fold_scores["model"].map(FAMILIES))
        with atomic_path(snakemake.output.scores) as tmp:
            fold_scores.to_csv(tmp, index=False)
        summary = summarise(fold_scores, ["family", "model", "protocol"])
        table = summary.pivot_table(
            index=["family", "model"], columns=["protocol", "metric"], values=["mean", "sd"]
        )
        protocols = list(dict.fromkeys(run["protocol"] for run in params.runs))
        columns = [(s, p, m) for p in protocols for m in METRICS for s in ("mean", "sd")]
        table = table[columns]
        table.columns = [f"{p}_{m}_{s}" for s, p, m in columns]
        table = table.reset_index().sort_values(f"{protocols[0]}_mae_mean", ignore_index=True)
        log.info("lowest %s MAE: %s", protocols[0], table.iloc[0]["model"])
        with atomic_path(snakemake.output.table) as tmp:
            table.to_csv(tmp, index=False)
        shown = mean_sd_text(table, [f"{p}_{m}" for p in protocols for m in METRICS], digits=2)
        caption = (
            "Mean ± SD over test folds and seeds; MAE, MSE and RMSE in screen pixels "
            "(averaged over x and y), R^2 averaged over x and y. Sorted by MAE."
        )
        write_text(
            snakemake.output.table_html,
            render_html(shown, "Gaze prediction: the point k samples ahead", caption),
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
