"""Reading and validating blink data sets in the open format, the cleaning policy, calibration.

Validation (every data set, on load) - any failure raises :class:`VigilanceError` naming the
file, the column, the row and the value:

- ``drivers.csv``: columns ``driver_id`` and ``label_quality`` (high / low / none), unique ids;
- blinks: the required columns, numeric ``t_s``, features and ``kss``; ``t_s`` finite and
  strictly increasing within each recording; features positive where present and never
  infinite; ``kss`` an integer 1..9 or missing; each recording id belongs to exactly one driver
  (and, in the one-file-per-recording layout, to exactly one file); every driver listed in
  ``drivers.csv``.

Cleaning policy: a blink with a missing feature value (NaN) is dropped and counted; when more
than ``max_missing_share`` of a data set's blinks would be dropped the data set is rejected
instead. Outliers are kept: a detector's artefacts are part of what a deployed model sees.

Calibration features (``<feature>_calib``) are each recording's per-feature median over its
first ``calibration_minutes`` minutes, broadcast over the recording; a data set that brings its
own calibration columns keeps them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from vigilance.blink.format import (
    CALIB_SUFFIX,
    CALIBRATION,
    FEATURES,
    LABEL_QUALITIES,
    REQUIRED_COLUMNS,
)
from vigilance.core.errors import VigilanceError, fail_at_first, require_columns


def _read_table(path: Path) -> pd.DataFrame:
    """Read one Parquet or CSV table, turning every read failure into a VigilanceError."""
    if not path.exists():
        raise VigilanceError("file not found", file=path, expected="an existing file")
    if path.stat().st_size == 0:
        raise VigilanceError("the file is empty", file=path, expected="a table with a header")
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        frame = pd.read_csv(path, dtype={"driver_id": str, "recording_id": str})
    except Exception as err:  # pyarrow and pandas raise many types for a corrupt file
        raise VigilanceError(
            f"cannot be read ({type(err).__name__}: {err})",
            file=path,
            expected="a valid Parquet file or comma-separated CSV with a header",
        ) from err
    if frame.shape[1] == 1 and any(sep in str(frame.columns[0]) for sep in ";\t|"):
        raise VigilanceError(
            "only one column was found; the delimiter is not a comma",
            file=path,
            field="header",
            value=str(frame.columns[0])[:80],
            expected="comma-separated columns",
        )
    return frame


def read_drivers(path: str | Path) -> pd.DataFrame:
    """Read and validate ``drivers.csv``."""
    path = Path(path)
    drivers = _read_table(path)
    require_columns(
        drivers.columns,
        ("driver_id", "label_quality"),
        file=path,
        expected=f"columns driver_id, label_quality (found {list(drivers.columns)})",
    )
    drivers = drivers[["driver_id", "label_quality"]].copy()
    drivers["driver_id"] = drivers["driver_id"].astype(str)
    quality = drivers["label_quality"]
    fail_at_first(
        ~quality.isin(LABEL_QUALITIES),
        "unknown label quality",
        file=path,
        column="label_quality",
        values=quality,
        expected=f"one of {LABEL_QUALITIES}",
    )
    ids = drivers["driver_id"]
    fail_at_first(
        ids.duplicated(),
        "driver listed twice",
        file=path,
        column="driver_id",
        values=ids,
        expected="unique driver ids",
    )
    return drivers


def read_blinks(folder: str | Path) -> tuple[pd.DataFrame, str]:
    """Read the blinks of a data set folder (stacked file or ``recordings/``), unvalidated.

    Returns:
        The stacked blinks and a description of where each row came from (for messages).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise VigilanceError(
            "data set folder not found", file=folder, expected="a folder in the open blink format"
        )
    for name in ("blinks.parquet", "blinks.csv"):
        if (folder / name).exists():
            return _read_table(folder / name), str(folder / name)
    recordings = folder / "recordings"
    files = sorted([*recordings.glob("*.parquet"), *recordings.glob("*.csv")])
    if not files:
        raise VigilanceError(
            "no blinks found",
            file=folder,
            expected="blinks.parquet, blinks.csv or recordings/<recording_id>.parquet|csv",
        )
    frames, owner = [], {}
    for path in files:
        frame = _read_table(path)
        if "recording_id" not in frame.columns:
            frame.insert(1, "recording_id", path.stem)
        for rec in pd.unique(frame["recording_id"].astype(str)):
            if rec in owner:
                raise VigilanceError(
                    "recording id appears in two files",
                    file=path,
                    field="recording_id",
                    value=rec,
                    expected=f"unique recording ids (also in {owner[rec]})",
                )
            owner[rec] = path.name
        frames.append(frame)
    return pd.concat(frames, ignore_index=True), str(recordings)


def validate_blinks(blinks: pd.DataFrame, drivers: pd.DataFrame, source: str) -> pd.DataFrame:
    """Check the blinks against the format; return them typed (ids str, numbers float)."""
    require_columns(
        blinks.columns, REQUIRED_COLUMNS, file=source, expected=f"the columns {REQUIRED_COLUMNS}"
    )
    if blinks.empty:
        raise VigilanceError("no blinks", file=source, expected="at least one blink")
    out = blinks.copy()
    for column in ("driver_id", "recording_id"):
        out[column] = out[column].astype(str)
    numeric = ["t_s", *FEATURES, "kss", *[c for c in CALIBRATION if c in out.columns]]
    for column in numeric:
        converted = pd.to_numeric(out[column], errors="coerce")
        bad = converted.isna() & out[column].notna()
        if bad.any():
            _fail_if(source, column, bad, out[column], "a number")
        out[column] = converted.astype(float)
    values = out[numeric]
    infinite = np.isinf(values.to_numpy())
    if infinite.any():
        row, col = np.argwhere(infinite)[0]
        _fail_if(source, numeric[col], _at(len(out), row), out[numeric[col]], "a finite number")
    _fail_if(source, "t_s", out["t_s"].isna(), out["t_s"], "a time in seconds (not missing)")
    for column in [*FEATURES, *[c for c in CALIBRATION if c in out.columns]]:
        _fail_if(source, column, out[column] <= 0, out[column], "a positive value")
    kss = out["kss"]
    _fail_if(source, "kss", kss.notna() & ~kss.isin(range(1, 10)), kss, "an integer 1..9 or empty")
    recording_drivers = out.groupby("recording_id", sort=False)["driver_id"].nunique()
    if (recording_drivers > 1).any():
        rec = recording_drivers.index[recording_drivers > 1][0]
        owners = sorted(out.loc[out["recording_id"] == rec, "driver_id"].unique())
        raise VigilanceError(
            "a recording belongs to more than one driver",
            file=source,
            field="recording_id",
            value=rec,
            expected=f"one driver per recording (found {owners})",
        )
    steps = out.groupby("recording_id", sort=False)["t_s"].diff()
    _fail_if(source, "t_s", steps <= 0, out["t_s"], "strictly increasing within a recording")
    unknown = ~out["driver_id"].isin(drivers["driver_id"])
    _fail_if(source, "driver_id", unknown, out["driver_id"], "a driver listed in drivers.csv")
    return out


def _at(n: int, row: int) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[row] = True
    return mask


def _fail_if(source, column, bad, values, expected) -> None:
    fail_at_first(
        bad, "invalid value", file=source, column=column, values=values, expected=expected
    )


def clean_blinks(
    blinks: pd.DataFrame, source: str, max_missing_share: float
) -> tuple[pd.DataFrame, dict]:
    """Drop blinks with missing features (the cleaning policy); fail above the allowed share."""
    missing = blinks[list(FEATURES)].isna().any(axis=1)
    share = float(missing.mean())
    if share > max_missing_share:
        raise VigilanceError(
            f"{int(missing.sum())} of {len(blinks)} blinks miss a feature value",
            file=source,
            field="features",
            value=round(share, 4),
            expected=f"a missing share <= max_missing_share ({max_missing_share})",
        )
    report = {
        "blinks_read": len(blinks),
        "blinks_dropped_missing": int(missing.sum()),
        "missing_by_feature": {k: int(v) for k, v in blinks[list(FEATURES)].isna().sum().items()},
    }
    return blinks.loc[~missing].reset_index(drop=True), report


def add_calibration(blinks: pd.DataFrame, minutes: float) -> pd.DataFrame:
    """Add ``<feature>_calib``: each recording's median over its first ``minutes`` minutes."""
    if all(c in blinks.columns for c in CALIBRATION):
        return blinks
    first = blinks.loc[blinks["t_s"] < minutes * 60.0]
    medians = first.groupby("recording_id")[list(FEATURES)].median()
    # A recording without blinks in the calibration period falls back to its overall median.
    overall = blinks.groupby("recording_id")[list(FEATURES)].median()
    medians = medians.reindex(overall.index).fillna(overall)
    medians.columns = [f"{c}{CALIB_SUFFIX}" for c in medians.columns]
    return blinks.join(medians, on="recording_id")


def load_dataset(
    folder: str | Path, max_missing_share: float, calibration_minutes: float
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Read, validate and clean a data set; sorted by recording and time, calibration added.

    Returns:
        ``(blinks, drivers, cleaning_report)``.
    """
    folder = Path(folder)
    drivers = read_drivers(folder / "drivers.csv")
    raw, source = read_blinks(folder)
    blinks = validate_blinks(raw, drivers, source)
    blinks, report = clean_blinks(blinks, source, max_missing_share)
    blinks = add_calibration(blinks, calibration_minutes)
    blinks = blinks.sort_values(["driver_id", "recording_id", "t_s"], kind="stable")
    report.update(
        blinks_kept=len(blinks),
        drivers=int(blinks["driver_id"].nunique()),
        recordings=int(blinks["recording_id"].nunique()),
    )
    return blinks.reset_index(drop=True), drivers, report
