"""The pre-training data of one run: windows of the pre-training pool's drivers.

Training windows come from the pool's training drivers at the run's fraction (nested
subsets), validation windows from the pool's validation drivers, both normalised with the
statistics fitted on training drivers only.
"""

from __future__ import annotations

import pandas as pd

from vigilance.blink.format import FEATURE_SETS
from vigilance.blink.normalise import load_stats
from vigilance.blink.splits import drivers_of, read_manifest
from vigilance.blink.windows import build_windows
from vigilance.core.errors import VigilanceError


def load_pretrain_data(
    blinks_path,
    manifest_path,
    stats_path,
    features: str,
    fraction: float,
    window: int,
    device="cpu",
):
    """(train windows, validation windows, number of features) for one run."""
    columns = FEATURE_SETS[features]
    blinks = pd.read_parquet(blinks_path, columns=["driver_id", "recording_id", "kss", *columns])
    manifest = read_manifest(manifest_path)
    stats = load_stats(stats_path)
    sets = {
        "train": drivers_of(manifest, "pretrain", "train", fraction),
        "val": drivers_of(manifest, "pretrain", "val"),
    }
    for name, drivers in sets.items():
        if not drivers:
            raise VigilanceError(
                f"the pre-training pool has no {name} drivers",
                file=manifest_path,
                field="set",
                value=name,
                expected="more drivers with label quality low/none, or a larger pretrain_val_share",
            )
    train = build_windows(blinks, sets["train"], columns, stats, window, device)
    val = build_windows(blinks, sets["val"], columns, stats, window, device)
    return train, val, len(columns)
