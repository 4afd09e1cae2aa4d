"""The blink rules as users run them: their own data set, bad data, RLDD download offline."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import yaml
from blink_helpers import small_dataset, write_dataset
from conftest import CONFIGS, REPO, run_snakemake


def _override(folder, tmp_path, **blink):
    path = tmp_path / "override.yaml"
    path.write_text(yaml.safe_dump({"blink": blink}))
    return ["--configfile", str(CONFIGS["ci"]), str(path)]


def test_a_users_data_set_flows_through_the_same_rules(workflow_copy, tmp_path):
    blinks, drivers = small_dataset(drivers=24, minutes=30)
    data = write_dataset(tmp_path / "mine", blinks, drivers, "csv")
    datasets = {
        "generated": {"enabled": False},
        "mine": {"path": str(data), "feature_sets": ["original"]},
    }
    args = _override(workflow_copy, tmp_path, datasets=datasets)
    targets = [
        "results/blink/mine/original/signal_check.html",
        "results/blink/mine/describe/size.html",
    ]
    proc = run_snakemake("--cores", "2", *targets, *args, cwd=workflow_copy)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for target in targets:
        assert (workflow_copy / target).stat().st_size > 0
    assert not (workflow_copy / "results/blink/generated").exists()
    dry = run_snakemake("--dry-run", *args, cwd=workflow_copy)
    assert "results/blink/mine/original/signal_check.html" in dry.stdout
    assert "with_calibration" not in dry.stdout


def test_a_malformed_data_set_fails_without_partial_output(workflow_copy, tmp_path):
    blinks, drivers = small_dataset(drivers=6, minutes=12)
    blinks = blinks.copy()
    blinks.loc[17, "reopening_duration_ms"] = -5.0
    data = write_dataset(tmp_path / "bad", blinks, drivers)
    args = _override(workflow_copy, tmp_path, datasets={"bad": {"path": str(data)}})
    target = "results/blink/bad/clean/blinks.parquet"
    proc = run_snakemake("--cores", "1", target, *args, cwd=workflow_copy)
    assert proc.returncode != 0
    log = (workflow_copy / "logs/blink/bad/clean/prepare.log").read_text()
    assert "reopening_duration_ms (row 18)" in log and "has value -5.0" in log
    assert not list((workflow_copy / "results/blink/bad").rglob("*.*"))


def test_a_config_pointing_at_a_missing_folder_stops_before_any_job(workflow_copy, tmp_path):
    args = _override(workflow_copy, tmp_path, datasets={"gone": {"path": str(tmp_path / "gone")}})
    proc = run_snakemake("--cores", "1", *args, cwd=workflow_copy)
    assert proc.returncode != 0
    assert "blink.datasets.gone.path" in proc.stderr and "no drivers.csv" in proc.stderr
    assert not (workflow_copy / "results").exists()


def _rldd_server_folder(folder, folds=(1, 2)):
    rng = np.random.default_rng(0)
    folder.mkdir()
    for fold in folds:
        np.save(folder / f"BlinksTest_30_Fold{fold}.npy", rng.normal(size=(25, 30, 4)))
        labels = rng.choice([0.0, 5.0, 10.0], size=(25, 1))
        np.save(folder / f"LabelsTest_30_Fold{fold}.npy", labels)
    return folder


def test_the_pinned_rldd_sums_are_those_of_the_shared_copy():
    folder = REPO.parent / "shared" / "data" / "rldd-dev"
    if not folder.is_dir():
        pytest.skip(f"the shared RLDD folds are absent ({folder})")
    pinned = yaml.safe_load(CONFIGS["default"].read_text())["blink"]["rldd"]["sha256"]
    files = sorted(folder.glob("*.npy"))
    assert len(files) == 6 and {p.name for p in files} == set(pinned)
    for path in files:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == pinned[path.name], path.name


@pytest.mark.parametrize("pin", ["none", "right", "wrong"])
def test_rldd_download_checks_sums_offline(workflow_copy, tmp_path, pin):
    # Folds 4 and 5: config.yaml pins the real files of folds 1-3, which these are not.
    server = _rldd_server_folder(tmp_path / "server", folds=(4, 5))
    sums = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in server.glob("*.npy")}
    sha256 = {"none": {}, "right": sums, "wrong": {"LabelsTest_30_Fold5.npy": "0" * 64}}[pin]
    rldd = {"enabled": True, "url": server.as_uri() + "/", "folds": [4, 5], "sha256": sha256}
    args = _override(workflow_copy, tmp_path, rldd=rldd)
    target = "results/blink/rldd/describe/folds.html"
    proc = run_snakemake("--cores", "1", target, *args, cwd=workflow_copy)
    raw = workflow_copy / "results/blink/rldd/raw"
    if pin == "wrong":
        assert proc.returncode != 0
        log = (workflow_copy / "logs/blink/rldd/raw/download.log").read_text()
        assert "checksum mismatch" in log and "LabelsTest_30_Fold5.npy" in log
        assert not raw.exists() or not list(raw.iterdir())
        return
    assert proc.returncode == 0, proc.stderr[-3000:]
    recorded = dict(line.split()[::-1] for line in (raw / "SHA256SUMS").read_text().splitlines())
    assert recorded == sums
    table = (workflow_copy / "results/blink/rldd/describe/folds.csv").read_text()
    assert table.splitlines()[-1].startswith("all,50,")
