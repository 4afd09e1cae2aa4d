"""Describing a blink data set: size and KSS tables, the KSS scale, figures, a signal check.

The signal check asks whether the data carries information about the KSS that does not come
from a leak: a ridge regression on each window's mean (normalised) features, trained on the
fine-tuning training drivers and scored on the held-out test drivers, against predicting the
training mean, and against the same ridge fitted to shuffled training labels (which must not
beat the mean if no driver leaks between the sets).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vigilance.blink.format import FEATURES, KSS_SCALE, kss_level


def level_names(bins: list[list[int]]) -> list[str]:
    """Readable names of the KSS levels, e.g. ``KSS 1-3``."""
    return [f"KSS {lo}-{hi}" if lo != hi else f"KSS {lo}" for lo, hi in bins]


def kss_scale_table(bins: list[list[int]]) -> pd.DataFrame:
    """Thesis Table 2.1 with the level each KSS point falls in."""
    names = level_names(bins)
    levels = kss_level(list(KSS_SCALE), bins)
    return pd.DataFrame(
        {
            "KSS": list(KSS_SCALE),
            "description": list(KSS_SCALE.values()),
            "level": [names[int(v)] if not np.isnan(v) else "" for v in levels],
        }
    )


def size_table(blinks: pd.DataFrame, manifest: pd.DataFrame) -> pd.DataFrame:
    """Drivers, recordings, blinks and labelled share per label quality and split set."""
    merged = blinks[["driver_id", "recording_id", "kss"]].merge(
        manifest[["driver_id", "label_quality", "pool", "set"]], on="driver_id"
    )
    rows = []
    for (quality, pool, set_), part in merged.groupby(["label_quality", "pool", "set"]):
        rows.append(
            {
                "label quality": quality,
                "pool": pool,
                "set": set_,
                "drivers": part["driver_id"].nunique(),
                "recordings": part["recording_id"].nunique(),
                "blinks": len(part),
                "labelled share": part["kss"].notna().mean(),
            }
        )
    total = {
        "label quality": "all",
        "pool": "",
        "set": "",
        "drivers": merged["driver_id"].nunique(),
        "recordings": merged["recording_id"].nunique(),
        "blinks": len(merged),
        "labelled share": merged["kss"].notna().mean(),
    }
    return pd.DataFrame([*rows, total])


def kss_histogram(blinks: pd.DataFrame, manifest: pd.DataFrame) -> pd.DataFrame:
    """Labelled blinks per KSS value (1..9) and per label quality."""
    merged = blinks[["driver_id", "kss"]].merge(manifest[["driver_id", "label_quality"]])
    table = pd.crosstab(merged["kss"].astype("Int64"), merged["label_quality"])
    table = table.reindex(range(1, 10), fill_value=0)
    table["all"] = table.sum(axis=1)
    table.index.name = "KSS"
    return table


def plot_features_by_kss(plt, blinks: pd.DataFrame, bins, max_points: int, seed: int):
    """Box plots of each feature by KSS level (log scale), on a sample of labelled blinks."""
    labelled = blinks.loc[blinks["kss"].notna()]
    if len(labelled) > max_points:
        labelled = labelled.sample(max_points, random_state=seed)
    levels = kss_level(labelled["kss"], bins)
    names = level_names(bins)
    fig, axes = plt.subplots(3, 3, figsize=(11, 8.5), sharex=True)
    for ax, feature in zip(axes.flat, FEATURES, strict=True):
        data = [labelled.loc[levels == i, feature].to_numpy() for i in range(len(bins))]
        ax.boxplot(data, showfliers=False)
        ax.set_yscale("log")
        ax.set_title(feature, fontsize=9)
    for ax in axes[-1]:
        ax.set_xticks(range(1, len(names) + 1), names, rotation=30)
    fig.suptitle(f"Blink features by KSS level ({len(labelled)} labelled blinks)")
    fig.tight_layout()
    return fig


def plot_kss_trajectories(plt, blinks: pd.DataFrame, n: int, seed: int):
    """The reported KSS over time in ``n`` labelled recordings drawn at random."""
    labelled = blinks.loc[blinks["kss"].notna(), "recording_id"].unique()
    rng = np.random.default_rng(seed)
    chosen = rng.choice(labelled, size=min(n, len(labelled)), replace=False)
    fig, ax = plt.subplots(figsize=(7, 4))
    for rec in sorted(chosen):
        part = blinks.loc[blinks["recording_id"] == rec]
        ax.step(part["t_s"] / 60.0, part["kss"], where="post", label=rec)
    ax.set_xlabel("time on task (min)")
    ax.set_ylabel("reported KSS")
    ax.set_ylim(0.5, 9.5)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title("KSS reports in randomly drawn recordings")
    return fig


def signal_check(train, test, seeds: list[int]) -> pd.DataFrame:
    """Ridge on window means vs the training mean vs ridge on shuffled labels (test MAE, RMSE).

    Args:
        train, test: ``(X, y)`` window means and labels of the training and test drivers.
        seeds: Seeds of the label shuffles (one shuffled fit per seed).
    """
    from sklearn.linear_model import RidgeCV

    (x_train, y_train), (x_test, y_test) = train, test

    def scores(name, prediction):
        error = prediction - y_test
        return {
            "model": name,
            "MAE": float(np.abs(error).mean()),
            "RMSE": float(np.sqrt((error**2).mean())),
        }

    alphas = np.logspace(-3, 3, 13)
    rows = [scores("training mean", np.full(len(y_test), y_train.mean()))]
    rows.append(
        scores("ridge on window means", RidgeCV(alphas).fit(x_train, y_train).predict(x_test))
    )
    shuffled = []
    for seed in seeds:
        y_perm = np.random.default_rng(seed).permutation(y_train)
        shuffled.append(scores("", RidgeCV(alphas).fit(x_train, y_perm).predict(x_test)))
    rows.append(
        {
            "model": f"ridge on shuffled labels (mean of {len(seeds)})",
            "MAE": float(np.mean([s["MAE"] for s in shuffled])),
            "RMSE": float(np.mean([s["RMSE"] for s in shuffled])),
        }
    )
    table = pd.DataFrame(rows)
    table["train windows"] = len(y_train)
    table["test windows"] = len(y_test)
    return table
