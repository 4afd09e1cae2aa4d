"""ROC curves with AUC of each task (fatigue detection, face verification), one line per seed."""

import pandas as pd
from sklearn.metrics import roc_auc_score, roc_curve

from vigilance.core.logs import script_context
from vigilance.evaluation.stats import mean_ci
from vigilance.plots import save_figure, use_style

TASKS = {"fatigue": "fatigue detection (test frames)", "verification": "face verification (pairs)"}


def main(snakemake) -> None:
    with script_context(snakemake):
        plt = use_style(snakemake.params.dpi)
        runs = [pd.read_csv(path) for path in snakemake.input]
        fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
        for ax, (task, title) in zip(axes, TASKS.items(), strict=True):
            aucs = []
            for k, df in enumerate(runs):
                rows = df[df["task"] == task]
                if rows["label"].nunique() < 2:
                    continue
                fpr, tpr, _ = roc_curve(rows["label"], rows["score"])
                aucs.append(roc_auc_score(rows["label"], rows["score"]))
                ax.plot(fpr, tpr, color="C0", alpha=0.6, label="seeds" if k == 0 else None)
            mean, low, high = mean_ci(aucs, bounds=(0, 1))
            ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="chance")
            ci = "" if low != low else f" [{low:.3f}, {high:.3f}]"
            ax.set(title=f"{title}\nAUC {mean:.3f}{ci}", xlabel="false positive rate")
            ax.set_ylabel("true positive rate")
            ax.legend(loc="lower right")
        save_figure(fig, snakemake.output[0])


main(snakemake)  # noqa: F821 - injected by Snakemake
