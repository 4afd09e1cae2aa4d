"""The multi-task part in the session's ci run, and its bad-input paths through Snakemake."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import CONFIGS, run_snakemake
from etra import ETRA_DIR, needs_etra

TABLES = ("results.html", "findings.html", "results.csv", "findings.csv")


def _targets(datasets):
    out = []
    for d in datasets:
        out += [f"results/mtl/{d}/tables/{name}" for name in TABLES[:2]]
        out += [f"results/mtl/{d}/figures/fig4_{k}" for k in ("1_hps.png", "5_stitch.png")]
    return out


def test_ci_run_of_the_multi_task_part(ci_run):
    targets = _targets(["opportunity"])
    targets.append("results/mtl/opportunity/figures/fig3_5_spikes.png")
    results = ci_run / "results" / "mtl"
    table = pd.read_csv(results / "opportunity" / "tables" / "results.csv")
    assert {"STL", "HPS", "SPS", "CSN", "LSTM", "CNNLSTM"} <= set(table["method"])
    assert (table["parameters"] > 0).all() and table["s per epoch"].gt(0).all()
    assert table.set_index("method").loc["STL", "time overhead vs STL %"] == 0
    metrics = pd.read_csv(results / "opportunity" / "CSN" / "seed1" / "metrics.csv")
    assert {"val", "test", "train"} == set(metrics["split"])
    assert {"accuracy", "f1_micro", "f1_macro", "f1_weighted", "f1_class0"} <= set(
        metrics["metric"]
    )
    stitch = pd.read_csv(results / "opportunity" / "CSN" / "seed1" / "stitch.csv")
    assert len(stitch) == 3 * 4, "a 2 x 2 unit after each of the 3 conv blocks"
    for fig in targets:
        assert (ci_run / fig).stat().st_size > 0


def test_the_default_dag_has_the_grid_and_the_gaze_experiment_is_off(workflow_copy):
    proc = run_snakemake("--dry-run", "--quiet", "rules", cwd=workflow_copy)
    assert proc.returncode == 0, proc.stderr[-2000:]
    counts = dict(
        line.split() for line in proc.stdout.splitlines() if line.strip().startswith("train_mtl")
    )
    # opportunity 8 methods + deap 4 methods x 2 splits, x 3 seeds
    assert counts == {"train_mtl_model": str((8 + 4 * 2) * 3)}
    assert "results/mtl/gaze" not in proc.stdout


def test_a_malformed_opportunity_file_fails_its_job_without_output(workflow_copy, tmp_path):
    folder = tmp_path / "opp"
    folder.mkdir()
    (folder / "S1-ADL1.dat").write_text("0 1 2\n")
    override = tmp_path / "bad.yaml"
    override.write_text(f"mtl:\n  opportunity:\n    path: {folder}\n")
    target = "results/mtl/opportunity/windows_clipped.npz"
    proc = run_snakemake(target, "--cores", "1", "--configfile", str(override), cwd=workflow_copy)
    assert proc.returncode != 0
    log = (workflow_copy / "logs/mtl/opportunity/windows_clipped.log").read_text()
    assert "S1-ADL1.dat: field 'row 1' has value 3: wrong number of columns" in log
    assert not (workflow_copy / target).exists()


@needs_etra
def test_gaze_experiment_on_the_shared_recordings(workflow_copy, tmp_path):
    override = tmp_path / "gaze.yaml"
    override.write_text(
        f"seeds: [1]\nmtl:\n  opportunity: {{enabled: false}}\n  deap: {{enabled: false}}\n"
        f"  gaze: {{enabled: true, path: {ETRA_DIR}}}\n"
    )
    args = ["--configfile", str(CONFIGS["ci"]), str(override)]
    targets = _targets(["gaze"])
    proc = run_snakemake(*targets, "--cores", "2", *args, cwd=workflow_copy, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = pd.read_csv(workflow_copy / "results/mtl/gaze/tables/results.csv")
    assert set(table["task"]) == {"image", "observer"}
    run = (workflow_copy / "results/mtl/gaze/STL/seed1/run.json").read_text()
    assert '"test"' in run


@pytest.mark.parametrize("dataset", ["opportunity"])
def test_report_lists_the_multi_task_outputs(dataset, workflow_copy):
    proc = run_snakemake("--dry-run", cwd=workflow_copy)
    assert f"results/mtl/{dataset}/tables/results.html" in proc.stdout


@pytest.mark.parametrize("pin", ["right", "wrong"])
def test_opportunity_download_checks_the_archive_offline(workflow_copy, tmp_path, pin):
    import hashlib
    import zipfile

    from vigilance.mtl.opportunity import generate

    paths = generate(tmp_path / "gen", rows=100, seed=1)
    archive = tmp_path / "OpportunityUCIDataset.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in paths:
            zf.write(path, f"OpportunityUCIDataset/dataset/{path.name}")
        zf.writestr("OpportunityUCIDataset/README", "readme")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    sha = digest if pin == "right" else "0" * 64
    override = tmp_path / "download.yaml"
    override.write_text(
        "mtl:\n  opportunity:\n    download: true\n"
        f"    url: {archive.as_uri()}\n    sha256: '{sha}'\n"
    )
    target = "results/mtl/download/opportunity.json"
    proc = run_snakemake(target, "--cores", "1", "--configfile", str(override), cwd=workflow_copy)
    folder = workflow_copy / "results/mtl/download/opportunity"
    if pin == "right":
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert sorted(p.name for p in folder.glob("*.dat")) == sorted(p.name for p in paths)
    else:
        assert proc.returncode != 0
        assert (
            "checksum mismatch" in (workflow_copy / "logs/mtl/download/opportunity.log").read_text()
        )
        assert not folder.exists()
