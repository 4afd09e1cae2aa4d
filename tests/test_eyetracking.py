"""The gaze reader on the real data and on each layout preset, bad input, chunks, features."""

from __future__ import annotations

import numpy as np
import pytest
from etra import ETRA_DIR, needs_etra

from vigilance.core.config import load_schema
from vigilance.core.errors import VigilanceError
from vigilance.eyetracking.features import FEATURES, gaze_features
from vigilance.eyetracking.layout import PRESETS, from_config
from vigilance.eyetracking.reader import (
    IMAGES,
    content_sha256,
    load_recordings,
    make_chunks,
    read_recording,
    read_recordings,
    recording_files,
    save_recordings,
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
    assert sorted({r.observer for r in recordings}) == [str(i) for i in range(10, 28)]
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
    ("bus_10.csv", GOOD + "1e400\tG\t1.0\t2.0\tTS:3\n", "column 1 (timestamp)", "finite"),
    ("bus_10.csv", GOOD + "1000\tG\t1.0\t2.0\tTS:3\n", "timestamp goes back", ">= 1020"),
    ("bus_10.csv", GOOD + "1040\tF\t1.0\t2.0\tTS:3\n", "line 3, column 2 (event)", "'G' on"),
    ("car_10.csv", GOOD, "image (file name)", "one of bus, kot, nap, rab"),
    ("bus-10.csv", GOOD, "file name", "{image}_{observer:\\d+}.csv"),
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
    assert (rec.image, rec.observer, rec.name) == ("rab", "27", "rab_27")
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


TIMESTAMP_XY = "timestamp,x,y\n0,100.5,200\n20,101.5,201\n\n40,103.5,199\n"


def timestamp_xy(**layout):
    return from_config({"preset": "timestamp_xy", **layout}, {})


def test_the_timestamp_xy_preset_reads_a_plain_export(tmp_path):
    (tmp_path / "kitchen_ann.csv").write_text(TIMESTAMP_XY)
    (tmp_path / "kitchen_bob.csv").write_text("y,timestamp,x\n5,1.0,7\n6,2.5,8\n")
    recs = read_recordings(tmp_path, *timestamp_xy())
    assert [(r.name, r.image, r.observer) for r in recs] == [
        ("kitchen_ann", "kitchen", "ann"),
        ("kitchen_bob", "kitchen", "bob"),
    ]
    assert recs[0].timestamps.tolist() == [0, 20, 40]  # the blank line carries no sample
    assert recs[0].gaze.tolist() == [[100.5, 200], [101.5, 201], [103.5, 199]]
    assert recs[1].gaze.tolist() == [[7, 5], [8, 6]]  # columns found by header name


def test_a_declared_layout_with_units_and_a_pattern_over_folders(tmp_path):
    (tmp_path / "p01").mkdir()
    (tmp_path / "p01" / "beach.tsv").write_text("0.5;0.25;0.010\n0.75;0.5;0.030\n")
    layout = {"delimiter": ";", "header": False, "timestamp": 3, "x": 1, "y": 2}
    layout |= {"time_unit": "s", "units": "fraction", "screen": [1920, 1080], "files": "*/*.tsv"}
    spec = from_config({"preset": "timestamp_xy", **layout}, {"pattern": "{observer}/{image}.tsv"})
    (rec,) = read_recordings(tmp_path, *spec)
    assert (rec.name, rec.image, rec.observer) == ("p01/beach", "beach", "p01")
    assert rec.timestamps == pytest.approx([10.0, 30.0])
    assert rec.gaze.tolist() == [[960.0, 270.0], [1440.0, 540.0]]


def test_labels_from_a_manifest(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "r1.csv").write_text(TIMESTAMP_XY)
    (data / "r2.csv").write_text(TIMESTAMP_XY)
    (data / "stray.csv").write_text("not listed, so not read")
    manifest = tmp_path / "labels.csv"
    manifest.write_text("recording,stimulus,person\nr1.csv,cat,ann\nr2.csv,dog,ann\n")
    labels = {"manifest": str(manifest), "file_column": "recording"}
    labels |= {"image_column": "stimulus", "observer_column": "person"}
    spec = from_config({"preset": "timestamp_xy"}, labels)
    assert [p.name for p in recording_files(data, *spec)] == ["r1.csv", "r2.csv"]
    recs = read_recordings(data, *spec)
    assert [(r.name, r.image, r.observer) for r in recs] == [
        ("r1", "cat", "ann"),
        ("r2", "dog", "ann"),
    ]


BAD_TIMESTAMP_XY = [
    ("a_b.csv", "timestamp,x\n0,1\n", "line 1 (header)", "header naming it"),
    ("a_b.csv", "timestamp,x,y\n0,1,2\n20,1\n", "line 3", "3 columns separated by ','"),
    ("a_b.csv", "timestamp,x,y\n0,1,2\n20,1,\n", "line 3, column 3 (y)", "a finite number"),
    ("a_b.csv", "timestamp,x,y\n0,1,2\n20,NaN,2\n", "line 3, column 2 (x)", "'NaN'"),
    ("a_b.csv", "timestamp,x,y\n20,1,2\n10,1,2\n", "line 3, column 1 (timestamp)", ">= 20"),
    ("a_b.csv", "timestamp,x,y\n", "no samples", "layout timestamp_xy"),
    ("ab.csv", TIMESTAMP_XY, "file name", "{image}_{observer}.csv"),
]
BAD_TIMESTAMP_XY_NO_HEADER = ("a_b.csv", "0,1\n20,2\n", "line 1", "a column number <= 2")


@pytest.mark.parametrize(("name", "text", "where", "expected"), BAD_TIMESTAMP_XY)
def test_bad_plain_exports_name_file_line_column_value_and_layout(
    tmp_path, name, text, where, expected
):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(VigilanceError) as info:
        read_recordings(tmp_path, *timestamp_xy())
    message = str(info.value)
    assert str(path) in message and where in message and expected in message


def test_a_column_number_beyond_the_lines_is_named(tmp_path):
    name, text, where, expected = BAD_TIMESTAMP_XY_NO_HEADER
    (tmp_path / name).write_text(text)
    spec = timestamp_xy(header=False, timestamp=1, x=2, y=3)
    with pytest.raises(VigilanceError) as info:
        read_recordings(tmp_path, *spec)
    assert where in str(info.value) and expected in str(info.value)


def test_bad_manifests_name_the_manifest_line_and_column(tmp_path):
    (tmp_path / "r1.csv").write_text(TIMESTAMP_XY)
    manifest = tmp_path / "m.csv"
    cases = [
        ("file,image,observer\nr9.csv,cat,ann\n", "line 2, column file", "file not found"),
        ("file,image,observer\nr1.csv,cat,ann\nr1.csv,dog,ann\n", "line 3", "listed twice"),
        ("file,image,observer\nr1.csv,,ann\n", "image (line 2)", "non-empty label"),
        ("file,image\nr1.csv,cat\n", "eyetracking.labels.observer_column", "column missing"),
    ]
    for text, where, problem in cases:
        manifest.write_text(text)
        with pytest.raises(VigilanceError) as info:
            read_recordings(
                tmp_path, *from_config({"preset": "timestamp_xy"}, {"manifest": str(manifest)})
            )
        message = str(info.value)
        assert str(manifest) in message and where in message and problem in message, message


def test_bad_layouts_name_the_config_key():
    cases = [
        ({"preset": "tobii"}, "eyetracking.layout.preset"),
        ({"preset": "timestamp_xy", "units": "fraction"}, "eyetracking.layout.screen"),
        ({"preset": "timestamp_xy", "header": False}, "eyetracking.layout.timestamp/x/y"),
        ({"preset": "timestamp_xy", "delimiter": "::"}, "eyetracking.layout.delimiter"),
    ]
    for layout, key in cases:
        with pytest.raises(VigilanceError, match=key.replace(".", r"\.")):
            from_config(layout, {})
    for pattern in ("{image}.csv", "{image}_{image}_{observer}.csv", "{image}_{observer:(}.csv"):
        with pytest.raises(VigilanceError, match=r"eyetracking\.labels\.pattern"):
            from_config({"preset": "timestamp_xy"}, {"pattern": pattern})[1].regex()


def test_presets_default_to_their_own_values():
    etra, labels = from_config({"preset": "etra2021"}, {"pattern": None, "manifest": ""})
    assert (etra, labels) == PRESETS["etra2021"]
    custom, _ = from_config({"preset": "etra2021", "delimiter": ","}, {})
    assert custom.name == "custom" and custom.names == etra.names and custom.require == {2: "G"}


def test_recordings_round_trip_through_npz(tmp_path):
    (tmp_path / "kitchen_ann.csv").write_text(TIMESTAMP_XY)
    recs = read_recordings(tmp_path, *timestamp_xy())
    save_recordings(tmp_path / "r.npz", recs)
    (again,) = load_recordings(tmp_path / "r.npz")
    assert (again.name, again.image, again.observer) == ("kitchen_ann", "kitchen", "ann")
    assert np.array_equal(again.gaze, recs[0].gaze)
