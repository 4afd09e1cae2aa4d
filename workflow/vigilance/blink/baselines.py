"""Classical baselines on blink windows at the 4 KSS levels (the tutorial's habit, thesis 002).

Before any deep model: the six scikit-learn classifiers of :mod:`vigilance.evaluation.classical` on
generic statistics of each window (mean, SD, min, max, median and SD of the first difference
of every normalised feature), predicting the 4-level KSS of the window's last blink, in
cross-validation grouped by driver (no window of a test driver in training) over the
fine-tuning pool (the drivers with high-quality labels). Only full windows (no padding) are
used, every ``stride``-th labelled one, so neighbouring, nearly identical windows do not
dominate.
"""

from __future__ import annotations

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
