"""The bad-input corpus of the blink data layer: each broken input gives a clear error."""

from __future__ import annotations

import numpy as np
import pytest
from blink_helpers import small_dataset, write_dataset

from vigilance.blink.load import load_dataset
from vigilance.blink.rldd import read_rldd
from vigilance.core.errors import VigilanceError


def _base():
    blinks, drivers = small_dataset(drivers=6, minutes=12)
    return blinks.copy(), drivers.copy()


def _load(folder):
    return load_dataset(folder, max_missing_share=0.05, calibration_minutes=5)


def _set(blinks, column, row, value):
    # A text column (as a spreadsheet export would give) with one non-numeric cell.
    blinks[column] = blinks[column].astype(str)
    blinks.loc[row, column] = value
    return blinks


def missing_column(b, d):
    return b.drop(columns=["closed_duration_ms"]), d, "closed_duration_ms", "column missing"


def wrong_type(b, d):
    return _set(b, "amplitude_mm", 3, "wide"), d, "amplitude_mm (row 4)", "a number"


def infinite(b, d):
    b.loc[5, "peak_closing_velocity_mm_s"] = np.inf
    return b, d, "peak_closing_velocity_mm_s (row 6)", "finite"


def nan_time(b, d):
    b.loc[2, "t_s"] = np.nan
    return b, d, "t_s (row 3)", "not missing"


def too_many_missing(b, d):
    b.loc[: len(b) // 5, "closing_duration_ms"] = np.nan
    return b, d, "features", "max_missing_share"


def negative_duration(b, d):
    b.loc[7, "blink_duration_ms"] = -120.0
    return b, d, "blink_duration_ms (row 8)", "positive"


def kss_out_of_range(value):
    def broken(b, d):
        b["kss"] = b["kss"].astype(float)
        b.loc[400, "kss"] = value
        return b, d, "kss (row 401)", "1..9"

    return broken


def decreasing_time(b, d):
    b.loc[11, "t_s"] = b.loc[10, "t_s"] - 1.0
    return b, d, "t_s", "strictly increasing"


def recording_under_two_drivers(b, d):
    first = b["recording_id"].iloc[0]
    other = d["driver_id"].iloc[1]
    b.loc[b.index[:3], "driver_id"] = other
    return b, d, "recording_id", f"value '{first}'"


def unknown_driver(b, d):
    return b, d.iloc[1:], "driver_id", "a driver listed in drivers.csv"


def bad_quality(b, d):
    d.loc[0, "label_quality"] = "medium"
    return b, d, "label_quality (row 1)", "one of"


CASES = [
    missing_column,
    wrong_type,
    infinite,
    nan_time,
    too_many_missing,
    negative_duration,
    kss_out_of_range(0),
    kss_out_of_range(10),
    kss_out_of_range(7.5),
    decreasing_time,
    recording_under_two_drivers,
    unknown_driver,
    bad_quality,
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_broken_table_names_file_field_and_value(tmp_path, case, fmt):
    blinks, drivers, field, expected = case(*_base())
    folder = write_dataset(tmp_path / "data", blinks, drivers, fmt)
    with pytest.raises(VigilanceError) as info:
        _load(folder)
    message = str(info.value)
    assert str(folder) in message
    assert field in message and expected in message, message


def test_empty_file(tmp_path):
    blinks, drivers = _base()
    folder = write_dataset(tmp_path / "data", blinks, drivers, "csv")
    (folder / "blinks.csv").write_text("")
    with pytest.raises(VigilanceError, match=r"blinks\.csv: the file is empty"):
        _load(folder)


def test_truncated_parquet(tmp_path):
    blinks, drivers = _base()
    folder = write_dataset(tmp_path / "data", blinks, drivers)
    data = (folder / "blinks.parquet").read_bytes()
    (folder / "blinks.parquet").write_bytes(data[: len(data) // 2])
    with pytest.raises(VigilanceError, match=r"blinks\.parquet: cannot be read"):
        _load(folder)


def test_csv_with_the_wrong_delimiter(tmp_path):
    blinks, drivers = _base()
    folder = tmp_path / "data"
    write_dataset(folder, blinks, drivers, "csv")
    blinks.to_csv(folder / "blinks.csv", index=False, sep=";")
    with pytest.raises(VigilanceError, match="delimiter is not a comma"):
        _load(folder)


def test_missing_folder(tmp_path):
    with pytest.raises(VigilanceError, match=r"data set folder not found|file not found"):
        _load(tmp_path / "nowhere")


def test_per_recording_layout_and_duplicate_recording_files(tmp_path):
    blinks, drivers = _base()
    folder = tmp_path / "data"
    (folder / "recordings").mkdir(parents=True)
    drivers.to_csv(folder / "drivers.csv", index=False)
    for rec, part in blinks.groupby("recording_id"):
        part.to_csv(folder / "recordings" / f"{rec}.csv", index=False)
    _loaded, _, report = _load(folder)
    assert report["recordings"] == blinks["recording_id"].nunique()
    first = blinks["recording_id"].iloc[0]
    blinks[blinks["recording_id"] == first].to_parquet(folder / "recordings" / "copy.parquet")
    with pytest.raises(VigilanceError, match=f"recording id appears in two files.*{first}"):
        _load(folder)


def _rldd_folder(tmp_path, n=40, shape=(30, 4), labels=(0, 5, 10), label_rows=None):
    rng = np.random.default_rng(0)
    for fold in (1, 2):
        np.save(tmp_path / f"BlinksTest_30_Fold{fold}.npy", rng.normal(size=(n, *shape)))
        y = rng.choice(labels, size=(label_rows or n, 1)).astype(float)
        np.save(tmp_path / f"LabelsTest_30_Fold{fold}.npy", y)
    return tmp_path


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"shape": (30, 5)}, r"field 'shape' has value \(40, 30, 5\)"),
        ({"labels": (0, 3, 10)}, r"label outside the RLDD classes.*one of \(0, 5, 10\)"),
        ({"label_rows": 39}, "blinks and labels differ in length"),
    ],
    ids=["wrong_shape", "bad_labels", "length_mismatch"],
)
def test_broken_rldd_arrays(tmp_path, kwargs, match):
    folder = _rldd_folder(tmp_path, **kwargs)
    with pytest.raises(VigilanceError, match=match):
        read_rldd(folder, folds=(1, 2))
