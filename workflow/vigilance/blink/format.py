"""The open blink recording format: columns, units, feature sets and the KSS scale.

A data set in this format is a folder with

- ``blinks.parquet`` (or ``blinks.csv``): every blink of every recording, stacked, or a
  ``recordings/`` folder with one ``<recording_id>.parquet`` / ``.csv`` per recording;
- ``drivers.csv``: ``driver_id``, ``label_quality`` (``high`` / ``low`` / ``none``).

Blink columns: ``driver_id`` (string), ``recording_id`` (string), ``t_s`` (blink onset in
seconds from the recording's start, increasing), the nine features of :data:`FEATURES` (positive
floats in the units given), optionally one calibration column per feature
(``<feature>_calib``: the driver's reference value, e.g. the median over the recording's first
minutes; computed by the workflow when absent) and ``kss`` (integer 1..9, or empty where no
report covers the blink).
"""

from __future__ import annotations

# Name -> (unit, description). Order is the column order of the "original" feature set.
FEATURES: dict[str, tuple[str, str]] = {
    "blink_duration_ms": ("ms", "whole blink: closing + closed + reopening"),
    "closing_duration_ms": ("ms", "lid closing phase"),
    "closed_duration_ms": ("ms", "lid closed (below 80 % closure)"),
    "reopening_duration_ms": ("ms", "lid reopening phase"),
    "amplitude_mm": ("mm", "lid travel of the blink"),
    "peak_closing_velocity_mm_s": ("mm/s", "peak lid velocity while closing"),
    "peak_reopening_velocity_mm_s": ("mm/s", "peak lid velocity while reopening"),
    "amplitude_velocity_ratio_ms": ("ms", "amplitude / peak closing velocity"),
    "inter_blink_interval_s": ("s", "time since the previous blink's onset"),
}
CALIB_SUFFIX = "_calib"
CALIBRATION = [f"{name}{CALIB_SUFFIX}" for name in FEATURES]
FEATURE_SETS: dict[str, list[str]] = {
    "original": list(FEATURES),
    "with_calibration": list(FEATURES) + CALIBRATION,
}
ID_COLUMNS = ["driver_id", "recording_id"]
REQUIRED_COLUMNS = [*ID_COLUMNS, "t_s", *FEATURES, "kss"]
LABEL_QUALITIES = ("high", "low", "none")

# Karolinska Sleepiness Scale, as in thesis 000, Table 2.1 (Akerstedt & Gillberg, 1990).
KSS_SCALE: dict[int, str] = {
    1: "Extremely alert",
    2: "Very alert",
    3: "Alert",
    4: "Rather alert",
    5: "Neither alert nor sleepy",
    6: "Some signs of sleepiness",
    7: "Sleepy, but no effort to keep awake",
    8: "Sleepy, but some effort to keep awake",
    9: "Very sleepy, fighting sleep",
}


def kss_level(kss, bins: list[list[int]]):
    """Map KSS values (1..9, NaN allowed) to 0-based levels of inclusive ``[low, high]`` bins.

    Args:
        kss: Array-like of KSS values.
        bins: E.g. ``[[1, 3], [4, 6], [7, 7], [8, 9]]``.

    Returns:
        A float array of levels, NaN where ``kss`` is NaN.
    """
    import numpy as np

    kss = np.asarray(kss, dtype=float)
    levels = np.full(kss.shape, np.nan)
    for level, (low, high) in enumerate(bins):
        levels[(kss >= low) & (kss <= high)] = level
    return levels
