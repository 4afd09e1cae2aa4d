"""The fine-tuning data of one run: labelled windows of the fine-tuning pool's drivers.

Training windows come from the pool's training drivers at the run's labelled share (the nested
subsets of the split manifest, so the 10 % drivers lie inside the 25 % ones), validation and
test windows from the pool's fixed validation and test drivers. Only windows whose last blink
carries a KSS report are used. Features are normalised with the statistics fitted on the
training drivers of the whole data set (:mod:`vigilance.blink.normalise`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import torch

from vigilance.blink.format import FEATURE_SETS
from vigilance.blink.normalise import load_stats
from vigilance.blink.splits import drivers_of, read_manifest
from vigilance.blink.windows import BlinkWindows, build_windows
from vigilance.core.errors import VigilanceError


@dataclass
class LabelledWindows:
    """Windows and the indices of those used (labelled, possibly every k-th)."""

    windows: BlinkWindows
    index: torch.Tensor

    def __len__(self) -> int:
        return len(self.index)


def load_finetune_data(
    blinks_path,
    manifest_path,
    stats_path,
    features: str,
    share: float,
    window: int,
    val_stride: int = 1,
    test_stride: int = 1,
    device="cpu",
) -> tuple[dict[str, LabelledWindows], int]:
    """({"train", "val", "test"} -> labelled windows, number of features) for one run."""
    columns = FEATURE_SETS[features]
    blinks = pd.read_parquet(blinks_path, columns=["driver_id", "recording_id", "kss", *columns])
    manifest = read_manifest(manifest_path)
    stats = load_stats(stats_path)
    strides = {"train": 1, "val": val_stride, "test": test_stride}
    sets = {}
    for name, stride in strides.items():
        drivers = drivers_of(manifest, "finetune", name, share if name == "train" else 1.0)
        windows = build_windows(blinks, drivers, columns, stats, window, device)
        index = windows.labelled()[::stride]
        if not len(index):
            raise VigilanceError(
                f"the fine-tuning pool has no labelled {name} windows",
                file=manifest_path,
                field="set",
                value=f"{name} (share {share:g}, {len(drivers)} drivers)",
                expected="drivers with label_quality high and KSS reports in every set",
            )
        sets[name] = LabelledWindows(windows, index)
    return sets, len(columns)
