"""The workflow as users run it: lint, formatting, dry runs, profiles, a tiny end-to-end run."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import BIN, CONFIGS, REPO, ci_run_config, run_snakemake


def test_snakemake_lint_is_clean():
    proc = run_snakemake("--lint")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Congratulations" in proc.stdout + proc.stderr


def test_snakefmt_is_clean():
    proc = subprocess.run(
        [str(BIN / "snakefmt"), "--check", "--diff", "."], cwd=REPO, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "args", [["check"], ["format", "--check", "--diff"]], ids=["lint", "format"]
)
def test_ruff_is_clean(args):
    proc = subprocess.run([str(BIN / "ruff"), *args, "."], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_dry_run_of_the_full_dag(name, workflow_copy):
    args = ["--dry-run", "--cores", "2"]
    if name != "default":
        args += ["--configfile", str(CONFIGS[name])]
    proc = run_snakemake(*args, cwd=workflow_copy)
    assert proc.returncode == 0, proc.stderr
    assert "write_manifest" in proc.stdout
    assert not (workflow_copy / "results").exists()


def test_slurm_profile_dry_run(workflow_copy):
    env = {"VIGILANCE_SLURM_ACCOUNT": "acct", "VIGILANCE_SLURM_PARTITION": "part"}
    proc = run_snakemake("--profile", "profiles/slurm", "--dry-run", cwd=workflow_copy, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "write_manifest" in proc.stdout


def test_local_profile_dry_run(workflow_copy):
    proc = run_snakemake("--profile", "profiles/local", "--dry-run", cwd=workflow_copy)
    assert proc.returncode == 0, proc.stderr


def _summary(cwd, *args):
    """Snakemake's summary of every output of the DAG: (file, rule, log, status) rows."""
    proc = run_snakemake("--summary", *args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    lines = [line.split("\t") for line in proc.stdout.splitlines() if "\t" in line]
    header, rows = lines[0], lines[1:]
    return [dict(zip(header, row, strict=False)) for row in rows]


@pytest.mark.slow
def test_tiny_end_to_end_run_and_report(ci_run):
    config = ci_run_config(ci_run)
    rows = _summary(ci_run, *config)
    assert rows, "the summary lists no outputs"
    for row in rows:
        path = ci_run / row["output_file"]
        assert path.exists() and path.stat().st_size > 0, f"missing or empty: {path}"
        assert row["plan"] == "no update", f"{path} would be redone: {row}"
        for log in filter(None, row.get("log-file(s)", "").split(",")):
            assert (ci_run / log.strip()).exists(), f"no log {log} for {path}"

    manifest = json.loads((ci_run / "results/manifest/environment.json").read_text())
    assert manifest["device"] == "cpu"
    assert manifest["config"]["seeds"] == [1, 2]
    assert len(manifest["config_sha256"]) == 64

    _check_finetuning(ci_run / "results" / "finetune" / "generated")

    html = (ci_run / "results" / "report.html").read_text()
    assert "environment.html" in html
    assert "Reproducibility" in html


def _check_finetuning(base):
    """The fine-tuning grid's aggregates: every point, every measure, claims with verdicts."""
    import pandas as pd

    test = pd.read_csv(base / "test.csv")
    points = test.groupby(["init", "strategy", "share"])["seed"].apply(sorted)
    assert all(seeds == [1, 2] for seeds in points), points
    assert {"pretrained_all", "pretrained_half", "scratch"} == set(test["init"])
    results = pd.read_csv(base / "tables" / "results.csv")
    assert len(results) == len(points) * 10
    findings = pd.read_csv(base / "tables" / "findings.csv")
    assert findings["verdict"].notna().all() and len(findings) >= 3
    for run in test.itertuples():
        run_dir = base / run.init / run.strategy / f"share{run.share:g}" / f"seed{run.seed}"
        predictions = pd.read_csv(run_dir / "predictions.csv")
        assert len(predictions) > 0 and predictions["predicted"].notna().all()
