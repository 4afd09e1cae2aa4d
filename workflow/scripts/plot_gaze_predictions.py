"""Plot predicted vs true gaze points of one test recording, one panel per predictor."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vigilance.core.logs import script_context
from vigilance.eyetracking.forecast_measures import scores
from vigilance.eyetracking.reader import load_recordings
from vigilance.plots import save_figure, use_style


@dataclass(frozen=True)
class Params:
    dpi: int


def main(snakemake) -> None:
    params = Params(snakemake.params.dpi)
    with script_context(snakemake) as log:
        plt = use_style(params.dpi)
        gaze = np.concatenate([r.gaze for r in load_recordings(snakemake.input.recordings)])
        low, high = np.percentile(gaze, 0.5, axis=0), np.percentile(gaze, 99.5, axis=0)
        predictions = pd.concat(
            [pd.read_csv(path) for path in snakemake.input.predictions], ignore_index=True
        )
        models = list(dict.fromkeys(predictions["model"]))
        shown = predictions["recording"].value_counts().index[0]  # the most windows
        log.info("recording shown: %s", shown)
        fig, axes = plt.subplots(
            1,
            len(models),
            figsize=(3.0 * len(models), 2.8),
            sharex=True,
            sharey=True,
            squeeze=False,
            constrained_layout=True,
        )
        for ax, model in zip(axes[0], models, strict=True):
            part = predictions[
                (predictions["model"] == model) & (predictions["recording"] == shown)
            ]
            part = part.sort_values("start")
            ax.plot(part["true_x"], part["true_y"], color="0.6", lw=0.8, label="true")
            ax.scatter(part["pred_x"], part["pred_y"], s=4, color="C3", label="predicted")
            true, pred = part[["true_x", "true_y"]], part[["pred_x", "pred_y"]]
            mae = scores(true.to_numpy(), pred.to_numpy())["mae"]
            ax.set(title=f"{model} (MAE {mae:.1f} px)", xlabel="x (px)")
            ax.title.set_fontsize(9)
        axes[0][0].set(ylabel="y (px)", xlim=(low[0], high[0]), ylim=(high[1], low[1]))
        axes[0][0].legend(fontsize=7, loc="lower right")
        fig.suptitle(f"Recording {shown}: test-fold predictions over the gaze area (y down)")
        save_figure(fig, snakemake.output.png)


main(snakemake)  # noqa: F821 - injected by Snakemake
