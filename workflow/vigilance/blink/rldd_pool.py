"""Other blink data sets' pre-training pools as RLDD-shaped windows (issue 15: pre-training on
more than RLDD's training folds).

UTA-RLDD carries four features per blink: blink frequency, amplitude, duration and eye-opening
velocity, each normalised per subject with the mean and SD of that subject's alert baseline
(the last third of the alert session's blinks; Ghoddoosian et al. 2019, their
``Preprocessing.py``). The open format's nine features overlap them; the mapping here is:

==========================  ============================================================
RLDD feature                from the open format
==========================  ============================================================
blink frequency             60 / ``inter_blink_interval_s`` (blinks per minute at that blink)
amplitude                   ``amplitude_mm``
duration                    ``blink_duration_ms``
eye-opening velocity        ``peak_reopening_velocity_mm_s``
==========================  ============================================================

The authors' frequency, amplitude and velocity come from the eye aspect ratio of video frames
(duration in frames), so the units differ; what carries over is each feature relative to the
same person's alert baseline. Each driver is therefore normalised as the authors normalised a
subject: with the mean and SD of a baseline, here the blinks in the first ``baseline_minutes``
of each of the driver's recordings (the recording's start, where the open format's
calibration features are measured too; an SD of 0 falls back to the SD of all the driver's
blinks, as the authors' code does). Only the pool's drivers (label quality low or none, the
``pretrain`` pool of the split manifest) are used: no labelled driver of the other data set and
no RLDD test or validation subject enters pre-training.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from vigilance.blink.rldd import RLDD_FEATURES
from vigilance.blink.windows import BlinkWindows, recording_lengths
from vigilance.core.errors import VigilanceError, require_columns

# RLDD feature -> the open-format column it is computed from.
OPEN_SOURCES = {
    "blink_frequency": "inter_blink_interval_s",
    "amplitude": "amplitude_mm",
    "duration": "blink_duration_ms",
    "eye_opening_velocity": "peak_reopening_velocity_mm_s",
}
COLUMNS = ["driver_id", "recording_id", "t_s", *OPEN_SOURCES.values()]


def mapped_features(blinks: pd.DataFrame) -> np.ndarray:
    """(n, 4) the RLDD features of open-format blinks, in RLDD's column order, unnormalised."""
    out = np.empty((len(blinks), len(RLDD_FEATURES)), dtype=np.float64)
    for k, name in enumerate(RLDD_FEATURES):
        values = blinks[OPEN_SOURCES[name]].to_numpy(dtype=np.float64)
        out[:, k] = 60.0 / values if name == "blink_frequency" else values
    return out


def baseline_normalised(blinks: pd.DataFrame, features: np.ndarray, minutes: float) -> np.ndarray:
    """Each driver's features z-scored with the mean and SD of their baseline blinks (those in
    the first ``minutes`` of each of their recordings); SD 0 falls back to all their blinks."""
    out = np.empty_like(features)
    baseline = blinks["t_s"].to_numpy() < minutes * 60.0
    for _, rows in blinks.groupby("driver_id", sort=False).indices.items():
        base = rows[baseline[rows]]
        if not len(base):
            base = rows  # a driver whose recordings all start late: their whole record
        mean = features[base].mean(0)
        sd = features[base].std(0)
        fallback = features[rows].std(0)
        sd = np.where(sd > 0, sd, np.where(fallback > 0, fallback, 1.0))
        out[rows] = (features[rows] - mean) / sd
    return out


def pool_windows(
    blinks_path,
    manifest_path,
    baseline_minutes: float,
    window: int,
    stride: int,
    stats: dict | None,
    device="cpu",
) -> BlinkWindows:
    """The ``pretrain`` pool of one open-format data set as RLDD-shaped windows.

    Args:
        blinks_path: Its clean blinks (sorted by driver, recording and time, as the prepare
            rule writes them).
        manifest_path: Its split manifest (``driver_id``, ``pool``; the leak guard runs).
        baseline_minutes: The per-driver baseline (see the module docstring).
        window: RLDD's sequence length.
        stride: Keep every ``stride``-th window (neighbours share all but one blink).
        stats: RLDD's training-fold statistics (``mean``, ``sd`` per feature) applied after the
            per-driver normalisation, as to RLDD's own windows; None: none.
    """
    import pyarrow.parquet as pq

    from vigilance.blink.splits import read_manifest

    present = pq.read_schema(blinks_path).names
    require_columns(present, COLUMNS, file=blinks_path, expected="the open format's columns")
    blinks = pd.read_parquet(blinks_path, columns=COLUMNS)
    manifest = read_manifest(manifest_path)
    source = blinks_path
    drivers = set(manifest.loc[manifest["pool"] == "pretrain", "driver_id"].astype(str))
    part = blinks.loc[blinks["driver_id"].astype(str).isin(drivers)].reset_index(drop=True)
    if part.empty:
        raise VigilanceError(
            "no blinks of the pre-training pool",
            file=source,
            field="pool",
            value="pretrain",
            expected="drivers of label quality low or none with blinks",
        )
    features = baseline_normalised(part, mapped_features(part), baseline_minutes)
    if stats is not None:
        features = (features - np.asarray(stats["mean"])) / np.asarray(stats["sd"])
    if not np.isfinite(features).all():
        raise VigilanceError(
            "non-finite mapped features",
            file=source,
            field=", ".join(OPEN_SOURCES.values()),
            expected="positive, finite blink features",
        )
    kss = np.full(len(part), np.nan, dtype=np.float32)
    windows = BlinkWindows.from_arrays(
        features, kss, recording_lengths(part["recording_id"]), window, device
    )
    keep = torch.arange(0, len(windows), stride, device=windows.starts.device)
    windows.starts, windows.sizes = windows.starts[keep], windows.sizes[keep]
    return windows


class StackedWindows:
    """Several window sources behind one window interface (``len``, ``gather``): index i
    belongs to the first source while i < len(first), and so on. The sources' ``x`` must have
    the same window length and feature count; labels are returned as the sources give them."""

    def __init__(self, parts):
        self.parts = list(parts)
        self.window = self.parts[0].window
        sizes = torch.tensor([len(p) for p in self.parts])
        self.offsets = torch.cat([torch.zeros(1, dtype=torch.long), sizes.cumsum(0)])

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def gather(self, idx: torch.Tensor):
        xs, masks, ys = [], [], []
        order = []
        for k, part in enumerate(self.parts):
            low, high = int(self.offsets[k]), int(self.offsets[k + 1])
            pick = torch.nonzero((idx >= low) & (idx < high)).flatten()
            if not len(pick):
                continue
            x, mask, y = part.gather(idx[pick] - low)
            xs.append(x)
            masks.append(mask)
            ys.append(y.to(torch.float32))
            order.append(pick)
        # Back into the order of idx.
        where = torch.cat(order)
        inverse = torch.empty_like(where)
        inverse[where] = torch.arange(len(where), device=where.device)
        return torch.cat(xs)[inverse], torch.cat(masks)[inverse], torch.cat(ys)[inverse]
