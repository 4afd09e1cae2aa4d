"""Classical baselines on blink windows at the 4 KSS levels (the tutorial's habit, thesis 002).

Before any deep model: the six scikit-learn classifiers of :mod:`vigilance.evaluation.classical` on
generic statistics of each window (mean, SD, min, max, median and SD of the first difference
of every normalised feature), predicting the 4-level KSS of the window's last blink, in
cross-validation grouped by driver (no window of a test driver in training) over the
fine-tuning pool (the drivers with high-quality labels). Only full windows (no padding) are
used, every ``stride``-th labelled one, so neighbouring, nearly identical windows do not
dominate. :func:`real_row_statistics` gives the same statistics for any window (short ones
over their real rows), so the fine-tuning's test windows can be scored as they are
(:mod:`vigilance.finetune.baselines`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import torch

from vigilance.blink.format import kss_level
from vigilance.blink.windows import build_windows
from vigilance.evaluation.classical import window_statistics


def blink_window_features(
    blinks: pd.DataFrame, drivers, columns, stats, window: int, stride: int, bins
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Window statistics, 4-level labels and driver groups of the drivers' labelled windows.

    Returns:
        ``x`` (W, 6 N), ``y`` (W,) levels 0..3, ``groups`` (W,) driver ids.
    """
    windows = build_windows(blinks, drivers, columns, stats, window)
    part = blinks.loc[blinks["driver_id"].isin(list(drivers))]  # the rows build_windows used
    full = (windows.sizes == window) & ~torch.isnan(windows.labels)
    idx = torch.nonzero(full).flatten()[::stride]
    x, _, y = windows.gather(idx)
    owner = part["driver_id"].astype(str).to_numpy()[windows.starts[idx].numpy()]
    return window_statistics(x.numpy()), kss_level(y.numpy(), bins).astype(int), owner


def real_row_statistics(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The statistics of :func:`vigilance.evaluation.classical.window_statistics` over each
    window's real rows only (a short recording's PAD rows are left out), for any window.

    Args:
        x: (W, L, N) windows; ``mask``: (W, L) True for real rows.

    Returns:
        (W, 6 N): mean, SD, minimum, maximum, median and SD of the first difference of every
        feature (channel-major, as ``window_statistics``); the last is 0 for a one-row window.
    """
    w = np.where(np.asarray(mask)[..., None], np.asarray(x, dtype=np.float64), np.nan)
    steps = np.diff(w, axis=1)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-PAD difference column
        stats = [
            np.nanmean(w, axis=1),
            np.nanstd(w, axis=1),
            np.nanmin(w, axis=1),
            np.nanmax(w, axis=1),
            np.nanmedian(w, axis=1),
            np.nan_to_num(np.nanstd(steps, axis=1), nan=0.0),
        ]
    return np.stack(stats, axis=2).reshape(len(w), -1)
