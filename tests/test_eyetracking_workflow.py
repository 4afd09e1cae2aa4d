"""The eye-tracking part as users run it: download, bad data, one's own export, the real
recordings' folds."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import itertools
import json
import shutil
import threading
import zipfile

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import CONFIGS, run_snakemake
from etra import ETRA_DIR, needs_etra

from vigilance.core.download import fetch, unpack_checked, zip_members
from vigilance.core.errors import VigilanceError
from vigilance.eyetracking.reader import content_sha256

GAZE = "results/eyetracking/etra2021"


def build_zip(path, folder=ETRA_DIR, prefix="paths/"):
    """A zip of the recordings in a folder, as the tutorial's archive holds them."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for csv in sorted(folder.glob("*.csv")):
            zf.write(csv, prefix + csv.name)
        zf.writestr("__MACOSX/paths/._bus_10.csv", b"resource fork")
    return path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder):
    """Serve a folder over HTTP on 127.0.0.1 (a free port) while the block runs."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def write_override(file, top=None, **eyetracking):
    """A config file switching the part on, with ``eyetracking`` keys (and ``top`` keys)."""
    file.write_text(
        yaml.safe_dump({**(top or {}), "eyetracking": {"enabled": True, **eyetracking}})
    )
    return file


def test_fetch_and_unpack_checked(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "bus_1.csv").write_text("1\tG\t1.0\t2.0\tTS\n")
    archive = build_zip(tmp_path / "a.zip", folder=source)
    got = fetch(archive.as_uri(), tmp_path / "copy.zip")
    assert got == hashlib.sha256(archive.read_bytes()).hexdigest()
    members = zip_members(tmp_path / "copy.zip", ".csv")
    assert list(members) == ["bus_1.csv"]  # folder flattened, resource fork skipped
    dest = tmp_path / "out" / "paths"
    with pytest.raises(VigilanceError, match="checksum mismatch") as info:
        unpack_checked(
            members, dest, "0" * 64, content_sha256, "http://x/a.zip", "eyetracking.sha256"
        )
    assert "eyetracking.sha256" in str(info.value) and "http://x/a.zip" in str(info.value)
    assert list((tmp_path / "out").glob("*")) == []  # nothing written, not even a temp folder
    unpack_checked(members, dest, content_sha256(members), content_sha256, "x", "k")
    assert (dest / "bus_1.csv").read_text() == "1\tG\t1.0\t2.0\tTS\n"


def test_fetch_errors_name_the_url(tmp_path):
    missing = (tmp_path / "absent.zip").as_uri()
    with pytest.raises(VigilanceError, match="download failed") as info:
        fetch(missing, tmp_path / "x.zip")
    assert missing in str(info.value) and not (tmp_path / "x.zip").exists()
    (tmp_path / "fake.zip").write_text("not a zip")
    with pytest.raises(VigilanceError, match="not a zip archive"):
        zip_members(tmp_path / "fake.zip", ".csv")


@needs_etra
@pytest.mark.slow
def test_download_rule_from_a_local_url(workflow_copy, tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    build_zip(served / "paths.zip")
    target = "results/eyetracking/download/source.json"
    with serve(served) as base:
        url = f"{base}/paths.zip"
        good = write_override(tmp_path / "good.yaml", download=True, url=url)
        proc = run_snakemake(target, "--cores", "1", "--configfile", str(good), cwd=workflow_copy)
        assert proc.returncode == 0, proc.stderr[-3000:]
        folder = workflow_copy / "results/eyetracking/download/paths"
        assert sorted(p.name for p in folder.glob("*.csv")) == sorted(
            p.name for p in ETRA_DIR.glob("*.csv")
        )
        record = json.loads((workflow_copy / target).read_text())
        assert record["url"] == url and record["files"] == 72
        # A wrong checksum: the job fails, names the key, and leaves nothing behind.
        shutil.rmtree(workflow_copy / "results")
        bad = write_override(tmp_path / "bad.yaml", download=True, url=url, sha256="a" * 64)
        proc = run_snakemake(target, "--cores", "1", "--configfile", str(bad), cwd=workflow_copy)
    assert proc.returncode != 0
    log = (workflow_copy / "logs/eyetracking/download/paths.log").read_text()
    assert "checksum mismatch" in log and "eyetracking.sha256" in log
    assert not (workflow_copy / "results/eyetracking/download/paths").exists()
    assert not (workflow_copy / target).exists()


def test_a_missing_folder_stops_the_workflow_before_any_job(workflow_copy, tmp_path):
    override = write_override(tmp_path / "o.yaml", path=str(tmp_path / "nowhere"))
    proc = run_snakemake("--dry-run", "--configfile", str(override), cwd=workflow_copy)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "folder not found" in output and "eyetracking.path" in output
    assert str(tmp_path / "nowhere") in output


@needs_etra
def test_a_malformed_recording_fails_the_job_without_output(workflow_copy, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("bus_10.csv", "kot_10.csv"):
        shutil.copy(ETRA_DIR / name, data / name)
    lines = (data / "kot_10.csv").read_text().splitlines(keepends=True)
    lines[6] = lines[6].replace("\tG\t", "\tG\tx\t", 1)  # a sixth column on line 7
    (data / "kot_10.csv").write_text("".join(lines))
    override = write_override(tmp_path / "o.yaml", path=str(data))
    target = f"{GAZE}/recordings.npz"
    proc = run_snakemake(target, "--cores", "1", "--configfile", str(override), cwd=workflow_copy)
    assert proc.returncode != 0
    log = (workflow_copy / "logs/eyetracking/etra2021/recordings.log").read_text()
    assert f"{data / 'kot_10.csv'}: field 'line 7' has value" in log
    assert "6 column(s) (expected 5 columns separated by '\\t' (layout etra2021" in log
    assert not (workflow_copy / target).exists()


@needs_etra
def test_the_ci_protocols_on_the_real_recordings_test_each_group_once():
    # What the ci configuration's eye-tracking jobs would cross-validate on the shared ETRA
    # recordings, without training: the folds the jobs build from the same chunks. (The part's
    # rules run end to end in test_own_export_with_a_manifest_runs_every_rule_by_configuration.)
    from vigilance.eyetracking.chunks import make_chunks, task_labels
    from vigilance.eyetracking.protocols import PROTOCOLS, fold_count, protocol_folds
    from vigilance.eyetracking.reader import read_recordings

    merged = yaml.safe_load(CONFIGS["default"].read_text())["eyetracking"]
    ci = yaml.safe_load(CONFIGS["ci"].read_text())["eyetracking"]
    length = ci.get("chunk_length", merged["chunk_length"])
    chunks = make_chunks(read_recordings(ETRA_DIR), length, ci["chunk_step"], merged["signal"])
    groups = {"recording": chunks.recording, "observer": chunks.observer, "image": chunks.image}
    for task, classes in (("image", 4), ("observer", 18)):
        y, names = task_labels(chunks.image, chunks.observer, task)
        assert len(names) == classes
        for protocol in ci["tasks"][task]["protocols"]:
            folds = protocol_folds(protocol, y, groups, ci["folds"], seed=1)
            group = PROTOCOLS[protocol].group
            # 18 observers: the configured 10 folds; 4 images: 4 folds.
            assert len(folds) == fold_count(protocol, groups, ci["folds"])
            assert len(folds) == (4 if group == "image" else ci["folds"])
            tested = np.concatenate([test for _, test in folds])
            assert np.array_equal(np.sort(tested), np.arange(len(y))), "each chunk tested once"
            if protocol == "leaky":
                continue  # leaky draws chunks at random: a recording's chunks on both sides
            key = group or "recording"  # the recording protocol keeps each recording whole
            for train, test in folds:
                assert not set(groups[key][train]) & set(groups[key][test]), (protocol, key)


def write_export(folder, images=("beach", "city", "forest"), observers=("ann", "bob", "cy", "dee")):
    """A tracker's plain export: rec<k>.csv with the header timestamp,x,y, and a manifest."""
    rng = np.random.default_rng(0)
    folder.mkdir()
    lines = ["recording,stimulus,participant"]
    for k, (image, observer) in enumerate(itertools.product(images, observers)):
        centre = np.array([300.0 + 400 * images.index(image), 400.0])
        steps = rng.normal(0, 3 + 4 * images.index(image), size=(240, 2))
        gaze = centre + np.cumsum(steps, axis=0)
        rows = [f"{20 * i},{x:.2f},{y:.2f}" for i, (x, y) in enumerate(gaze)]
        (folder / f"rec{k:02d}.csv").write_text("timestamp,x,y\n" + "\n".join(rows) + "\n")
        lines.append(f"rec{k:02d}.csv,{image},{observer}")
    manifest = folder.parent / "labels.csv"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest


def own_data_override(file, folder, labels, **extra):
    """A config running only a few models of every eye-tracking rule on one's own export."""
    eyetracking = {
        "path": str(folder),
        "dataset": "mine",
        "layout": {"preset": "timestamp_xy"},
        "labels": labels,
        "chunk_length": 40,
        "chunk_step": 40,
        "folds": 3,
        "tasks": {
            "image": {"protocols": ["leave_observer_out", "leaky"]},
            "observer": {"protocols": ["leave_image_out"]},
        },
        "classical": {"models": ["DecisionTreeClassifier"], "inputs": ["gaze"]},
        "deep": {"models": ["CNN"], "width": 4, "epochs": 1},
        "regression": {"models": ["LastPoint", "LSTM"], "step": 40, "width": 4, "epochs": 1},
        **extra,
    }
    return write_override(file, {"seeds": [1]}, **eyetracking)


@pytest.mark.slow
def test_own_export_with_a_manifest_runs_every_rule_by_configuration(workflow_copy, tmp_path):
    manifest = write_export(tmp_path / "export")
    labels = {"manifest": str(manifest), "file_column": "recording"}
    labels |= {"image_column": "stimulus", "observer_column": "participant"}
    override = own_data_override(tmp_path / "o.yaml", tmp_path / "export", labels)
    out = "results/eyetracking/mine"
    targets = [f"{out}/findings.html", f"{out}/protocols.png", f"{out}/regression/predictions.png"]
    targets += [f"{out}/{task}/confusion_matrices.png" for task in ("image", "observer")]
    proc = run_snakemake(
        *targets, "--cores", "2", "--configfile", str(override), cwd=workflow_copy, timeout=900
    )
    assert proc.returncode == 0, proc.stderr[-5000:]
    recordings = pd.read_csv(workflow_copy / out / "recordings.csv")
    assert len(recordings) == 12 and set(recordings["image"]) == {"beach", "city", "forest"}
    image = pd.read_csv(workflow_copy / out / "image" / "comparison.csv")
    assert {"majority class (trivial)", "stratified random (trivial)"} <= set(image["label"])
    assert {"leave_observer_out_kappa_mean", "leaky_kappa_mean"} <= set(image.columns)
    majority = image.set_index("label").loc["majority class (trivial)"]
    assert majority["leave_observer_out_kappa_mean"] == pytest.approx(0.0)
    # Leave-one-image-out: every test fold is one image, never seen in training.
    path = workflow_copy / out / "observer/leave_image_out/CNN/seed1/predictions.csv"
    predictions = pd.read_csv(path)
    images = predictions["recording"].map(recordings.set_index("recording")["image"])
    assert (images.groupby(predictions["fold"]).nunique() == 1).all()
    assert predictions["fold"].nunique() == 3
    regression = pd.read_csv(workflow_copy / out / "regression" / "comparison.csv")
    assert set(regression["model"]) == {"LastPoint", "LSTM"}
    assert (regression["recording_mae_mean"] > 0).all()
    findings = pd.read_csv(workflow_copy / out / "findings.csv")
    assert findings["verdict"].str.contains("not tested").any()  # no tree on flat chunks here
    assert findings["claim"].str.contains("LSTM").any()


def test_own_export_by_pattern_plans_and_bad_protocols_stop_it(workflow_copy, tmp_path):
    write_export(tmp_path / "export")
    for k, path in enumerate(sorted((tmp_path / "export").glob("*.csv"))):
        path.rename(path.with_name(f"img{k % 3}_p{k // 3}.csv"))
    override = own_data_override(tmp_path / "o.yaml", tmp_path / "export", {})
    proc = run_snakemake("--dry-run", "--configfile", str(override), cwd=workflow_copy)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "train_gaze_predictor" in proc.stdout and "fit_gaze_trivial" in proc.stdout
    bad = own_data_override(
        tmp_path / "bad.yaml",
        tmp_path / "export",
        {},
        tasks={"observer": {"protocols": ["leave_observer_out"]}},
    )
    proc = run_snakemake("--dry-run", "--configfile", str(bad), cwd=workflow_copy)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "eyetracking.tasks.observer.protocols" in output and "holds out every class" in output
