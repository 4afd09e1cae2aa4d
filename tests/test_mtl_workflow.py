"""The multi-task part in the session's ci run, and its bad-input paths through Snakemake."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import CONFIGS, run_snakemake
from etra import ETRA_DIR, needs_etra

TABLES = ("results.html", "findings.html", "results.csv", "findings.csv")


def _targets(datasets):
    out = []
    for d in datasets:
        out += [f"results/mtl/{d}/tables/{name}" for name in TABLES[:2]]
        out += [f"results/mtl/{d}/figures/fig4_{k}" for k in ("1_hps.png", "4_csn.png")]
    return out


def test_ci_run_of_the_multi_task_part(ci_run):
    targets = _targets(["opportunity"])
    targets.append("results/mtl/opportunity/figures/fig3_5_spikes.png")
    results = ci_run / "results" / "mtl"
    table = pd.read_csv(results / "opportunity" / "tables" / "results.csv")
    assert {"STL", "HPS", "SPS", "CSN", "LSTM", "CNNLSTM"} <= set(table["method"])
    assert {"trivial", "classical"} <= set(table["model"]), "the rows every table carries"
    networks = table[~table["model"].isin(["trivial", "classical"])]
    assert (networks["parameters"] > 0).all() and networks["s per epoch"].gt(0).all()
    assert table.set_index("method").loc["STL", "overhead vs one STL network %"] == 0
    metrics = pd.read_csv(results / "opportunity" / "CSN" / "seed1" / "metrics.csv")
    # The thesis' protocol has no validation split: train and test only.
    assert {"test", "train"} == set(metrics["split"])
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
    # opportunity 9 methods + deap 4 methods x 2 splits, x 3 seeds
    assert counts == {"train_mtl_model": str((9 + 4 * 2) * 3)}
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
    # The tables (its figures are the DEAP-style ones, checked on DEAP in the ci run).
    targets = [f"results/mtl/gaze/tables/{name}" for name in TABLES[:2]]
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


BASELINES = ("trivial (training majority)", "classical (shrinkage LDA, window statistics)")
VERDICTS = ("reproduced", "not reproduced", "inconclusive", "not tested")


@pytest.mark.parametrize("dataset", ["opportunity", "deap-windows", "deap-trials"])
def test_ci_tables_carry_trivial_and_classical_rows_and_evidence_verdicts(ci_run, dataset):
    tables = ci_run / "results" / "mtl" / dataset / "tables"
    table = pd.read_csv(tables / "results.csv")
    assert set(BASELINES) <= set(table["method"])
    assert {"STL", "HPS", "SPS", "CSN"} <= set(table["method"])
    stl = table[table["method"] == "STL"]
    # One STL network is the STL run's time over its tasks: 1 on OPPORTUNITY, 2 on DEAP.
    networks = 1 if dataset == "opportunity" else 2
    assert stl["overhead vs one STL network %"].to_numpy() == pytest.approx(100 * (networks - 1))
    findings = pd.read_csv(tables / "findings.csv")
    assert findings["verdict"].map(lambda v: v.startswith(VERDICTS)).all()
    assert {"p", "p (Holm)", "unit", "where", "direction"} <= set(findings.columns)
    if dataset == "opportunity":
        equality = findings[findings["claim"].str.startswith("clipping")]
        assert equality["direction"].str.startswith("equal within").all()


def test_ci_deap_random_windows_are_optimistic_against_trials(ci_run):
    accuracy = {}
    for split in ("windows", "trials"):
        table = pd.read_csv(ci_run / f"results/mtl/deap-{split}/tables/results.csv")
        classical = table[table["method"] == BASELINES[1]]
        accuracy[split] = classical["accuracy over seeds"].mean()
    assert accuracy["windows"] > accuracy["trials"] + 0.1, accuracy


def test_ci_figures_are_numbered_as_the_thesis(ci_run):
    figures = ci_run / "results" / "mtl"
    for name in ("fig3_5_spikes", "fig3_6_baselines", "fig3_7_clipping", "fig4_1_hps"):
        assert (figures / "opportunity" / "figures" / f"{name}.png").stat().st_size > 0
    assert (figures / "opportunity" / "figures" / "fig4_4_csn.png").exists()
    for split in ("windows", "trials"):
        for name in ("fig4_2_hps", "fig4_3_sps", "fig4_5_csn"):
            assert (figures / f"deap-{split}" / "figures" / f"{name}.png").stat().st_size > 0
    run = json.loads((figures / "opportunity" / "SPS" / "seed1" / "run.json").read_text())
    assert run["profile"]["regulariser_s"] > 0 and run["windows"]["val"] == 0
