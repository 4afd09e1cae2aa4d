"""The gaze recordings: the reader on the real data, bad input, chunks, labels, features."""

from __future__ import annotations

import numpy as np
import pytest
from etra import ETRA_DIR, needs_etra

from vigilance.core.config import load_schema
from vigilance.core.errors import VigilanceError
from vigilance.eyetracking.features import FEATURES, gaze_features
from vigilance.eyetracking.reader import (
    IMAGES,
    content_sha256,
    make_chunks,
    read_recording,
    read_recordings,
    task_labels,
)

GOOD = "1000\tG\t441.75\t303.30\tGazeData TS:553398805\n1020\tG\t438.60\t301.45\tGazeData TS:1\n"


@pytest.fixture(scope="module")
def recordings():
    if not ETRA_DIR.is_dir():
        pytest.skip(f"the shared ETRA 2021 recordings are absent ({ETRA_DIR})")
    return read_recordings(ETRA_DIR)


@needs_etra
def test_the_real_recordings_read_as_the_readme_describes(recordings):
    assert len(recordings) == 72
    assert sum(len(r.gaze) for r in recordings) == 26_735
    assert {r.image for r in recordings} == set(IMAGES)
    assert sorted({r.observer for r in recordings}) == list(range(10, 28))
    # The shared README says 139 to 782 samples per file; the files hold 140 to 783 lines.
    assert min(len(r.gaze) for r in recordings) == 140
    assert max(len(r.gaze) for r in recordings) == 783
    first = next(r for r in recordings if r.name == "bus_10")
    assert first.timestamps[0] == 1461916021285
    assert first.gaze[0] == pytest.approx([441.7560270467398, 303.3025043816017])


@needs_etra
def test_the_configured_checksum_is_that_of_the_shared_copy():
    files = {p.name: p.read_bytes() for p in ETRA_DIR.glob("*.csv")}
    default = load_schema()["properties"]["eyetracking"]["properties"]["sha256"]["default"]
    assert content_sha256(files) == default


@needs_etra
def test_chunks_as_the_tutorial_cut_them(recordings):
    chunks = make_chunks(recordings, length=100, step=1)
    # paths.ipynb made 19,535 chunks with range(0, n - 100), one start per recording fewer.
    assert chunks.signal.shape == (19_535 + 72, 100, 2)
    first = next(r for r in recordings if r.name == chunks.recording[0])
    assert np.allclose(chunks.signal[0, 1:], np.diff(first.gaze[:100], axis=0))
    assert np.all(chunks.signal[chunks.start == 0][:, 0] == 0)  # the tutorial's leading zero
    assert np.allclose(chunks.gaze[1], first.gaze[1:101])
    labels, classes = task_labels(chunks.image, chunks.observer, "image")
    assert classes == list(IMAGES) and labels.max() == 3
    labels, classes = task_labels(chunks.image, chunks.observer, "observer")
    assert len(classes) == 18


def test_chunks_never_cross_recordings(tmp_path):
    for name, n in (("bus_1.csv", 25), ("kot_1.csv", 9), ("nap_2.csv", 10)):
        lines = [f"{1000 + 20 * i}\tG\t{i}.0\t{100 + i}.0\tTS:{i}\n" for i in range(n)]
        (tmp_path / name).write_text("".join(lines))
    chunks = make_chunks(read_recordings(tmp_path), length=10, step=5, signal="position")
    # bus_1: starts 0, 5, 10, 15; kot_1 is too short; nap_2: start 0.
    assert chunks.recording.tolist() == ["bus_1"] * 4 + ["nap_2"]
    assert chunks.start.tolist() == [0, 5, 10, 15, 0]
    assert chunks.signal[3, -1, 0] == 24.0
    with pytest.raises(VigilanceError, match="no recording is long enough"):
        make_chunks(read_recordings(tmp_path), length=30, step=1)


BAD = [
    ("bus_10.csv", GOOD + "1040\tG\t1.0\t2.0\n", "line 3", "5 columns"),
    ("bus_10.csv", GOOD + "1040\tG\tabc\t2.0\tTS:3\n", "line 3, column 3 (gaze x)", "'abc'"),
    ("bus_10.csv", GOOD + "1040\tG\t1.0\tnan\tTS:3\n", "line 3, column 4 (gaze y)", "finite"),
    ("bus_10.csv", GOOD + "10.5\tG\t1.0\t2.0\tTS:3\n", "column 1 (timestamp)", "an integer"),
    ("bus_10.csv", GOOD + "1000\tG\t1.0\t2.0\tTS:3\n", "timestamp goes back", ">= 1020"),
    ("bus_10.csv", GOOD + "1040\tF\t1.0\t2.0\tTS:3\n", "column 2 (event)", "the letter G"),
    ("car_10.csv", GOOD, "image code", "one of bus, kot, nap, rab"),
    ("bus-10.csv", GOOD, "file name", "<image>_<observer>.csv"),
    ("bus_ten.csv", GOOD, "file name", "'bus_ten.csv'"),
    ("bus_10.csv", "", "no samples", "at least one"),
]


@pytest.mark.parametrize(("name", "text", "where", "expected"), BAD)
def test_bad_recordings_name_file_field_value_and_expectation(
    tmp_path, name, text, where, expected
):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(VigilanceError) as info:
        read_recordings(tmp_path)
    message = str(info.value)
    assert str(path) in message and where in message and expected in message


def test_missing_or_empty_folder(tmp_path):
    with pytest.raises(VigilanceError, match=r"folder not found.*eyetracking\.download"):
        read_recordings(tmp_path / "absent")
    (tmp_path / "README.md").write_text("not a recording")
    with pytest.raises(VigilanceError, match="no recordings in the folder"):
        read_recordings(tmp_path)


def test_a_good_file_reads(tmp_path):
    path = tmp_path / "rab_27.csv"
    path.write_text(GOOD)
    rec = read_recording(path)
    assert (rec.image, rec.observer, rec.name) == ("rab", 27, "rab_27")
    assert rec.gaze.shape == (2, 2) and rec.timestamps.tolist() == [1000, 1020]


def test_gaze_features_on_known_paths():
    line = np.stack([np.arange(11.0) * 3, np.zeros(11)], axis=1)  # steady 3 px/sample rightwards
    still = np.full((11, 2), 50.0)
    zigzag = np.stack([np.arange(11.0) * 20, 20.0 * (np.arange(11) % 2)], axis=1)
    values = gaze_features(np.stack([line, still, zigzag]), fixation_speed=10.0)
    f = dict(zip(FEATURES, values.T, strict=True))
    assert values.shape == (3, len(FEATURES)) and np.isfinite(values).all()
    assert f["speed_mean"][0] == pytest.approx(3.0) and f["speed_sd"][0] == pytest.approx(0)
    assert f["path_length"][0] == pytest.approx(30.0) and f["straightness"][0] == pytest.approx(1)
    assert f["dispersion"][0] == pytest.approx(30.0)
    assert f["horizontal_share"][0] == pytest.approx(1.0)
    assert f["fixation_share"][:2].tolist() == [1.0, 1.0] and f["fixation_share"][2] == 0
    assert f["fixation_runs"].tolist() == [1, 1, 0]
    assert f["turning_angle_mean"][0] == pytest.approx(0) and f["turning_angle_mean"][2] > 1
    assert f["saccade_amplitude_mean"][2] == pytest.approx(np.hypot(20, 20))
