"""Feature normalisation with statistics from training drivers only.

Blink features are positive and right-skewed (durations are close to log-normal), so each
column is log-transformed and standardised: ``z = (log(x) - mean) / std``, with the mean and
standard deviation of ``log(x)`` over the blinks of the pre-training pool's *training*
drivers (``normalise_blink_features``). That pool lies outside every outer fold of the
fine-tuning pool, so no fine-tuning driver contributes (no fold's validation or test drivers
above all), and the same statistics are reused for pre-training, fine-tuning (pre-trained or
from scratch) in every fold, validation and test, so a pre-trained encoder sees inputs on the
scale it learned.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from vigilance.core.errors import VigilanceError


def fit_stats(blinks: pd.DataFrame, columns: list[str], train_drivers: list[str]) -> dict:
    """Mean and standard deviation of ``log(x)`` per column over the training drivers' blinks."""
    train = blinks.loc[blinks["driver_id"].isin(train_drivers), columns]
    if train.empty:
        raise VigilanceError(
            "no training blinks to fit the normalisation on",
            field="train drivers",
            value=len(train_drivers),
            expected="at least one training driver with blinks",
        )
    logs = np.log(train.to_numpy(dtype=np.float64))
    std = logs.std(axis=0)
    std[std == 0] = 1.0
    return {
        "transform": "z = (log(x) - mean) / std",
        "fitted_on": {"drivers": len(train_drivers), "blinks": len(train)},
        "columns": {
            c: {"mean": float(m), "std": float(s)}
            for c, m, s in zip(columns, logs.mean(axis=0), std, strict=True)
        },
    }


def fit_pretrain_stats(
    blinks: pd.DataFrame, columns: list[str], manifest: pd.DataFrame, source="split manifest"
) -> dict:
    """:func:`fit_stats` on the pre-training pool of a split manifest (both its sets): the only
    drivers outside every outer fold of the fine-tuning pool. The whole pool, because its
    validation group rotates with the pre-training replicate (so no one set is its training
    set); no labelled driver, and so no fine-tuning validation or test driver, is in it.

    Raises:
        VigilanceError: When that pool has no driver (naming ``source`` and the pool).
    """
    chosen = manifest["pool"] == "pretrain"
    pool = sorted(manifest.loc[chosen, "driver_id"].astype(str))
    if not pool:
        raise VigilanceError(
            "no pre-training driver to fit the normalisation on",
            file=source,
            field="pool",
            value="pretrain (0 drivers)",
            expected="drivers with label_quality low or none in drivers.csv: the statistics "
            "are fitted on them, the only drivers outside every outer fold",
        )
    stats = fit_stats(blinks, columns, pool)
    stats["fitted_on"]["pool"] = "pretrain (all its drivers)"
    return stats


def apply_stats(values: np.ndarray, stats: dict, columns: list[str], source="stats") -> np.ndarray:
    """Normalise ``values`` (n, len(columns)) with saved statistics; returns float32."""
    missing = [c for c in columns if c not in stats["columns"]]
    if missing:
        raise VigilanceError(
            "no normalisation statistics for a column",
            file=source,
            field=missing[0],
            expected=f"statistics for {columns}",
        )
    mean = np.array([stats["columns"][c]["mean"] for c in columns])
    std = np.array([stats["columns"][c]["std"] for c in columns])
    return ((np.log(values) - mean) / std).astype(np.float32)


def load_stats(path: str | Path) -> dict:
    """Read statistics written by the ``normalise_blink_features`` rule."""
    import json

    return json.loads(Path(path).read_text())
