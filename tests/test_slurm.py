"""The SLURM profile against a running SLURM: the ci configuration through
`--profile profiles/slurm` (the blink and pre-training parts, see PARTS), with the pre-training
sweep split over two worker jobs.

Runs where a SLURM answers `sinfo` and it is the sandbox of `.ci/slurm-up` (cluster name
`vigilance`), or where VIGILANCE_SLURM_TEST=1 asks for it on another cluster (it submits about
20 small jobs there); skipped otherwise, with the reason. `.ci/run` starts the sandbox before
`make test`; a user's `make test` never installs system packages.

What is compared with a local run of the same configuration: every table of the blink part
(CSV, Parquet, JSON: the raw and cleaned blinks, cleaning counts, driver splits, normalisation,
data description, signal checks, the classical baselines' predictions and comparison), which
are deterministic on the CPU, value by value (only wall-time columns, ``*_s``, are left out).
The pre-training outputs are not compared: with two workers, which worker runs which trial
(and so the sweep's best parameters and every grid run after them) depends on timing; the
sweep is checked for its exact trial count and unique trial numbers instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import CONFIGS, SNAKEMAKE, copy_workflow, run_snakemake

STATE = Path(os.environ.get("VIGILANCE_SLURM_STATE", "/tmp/vigilance-slurm"))
SLURM_TIMEOUT_S = 600
# Faster polling than the plugin's defaults (40 s before the first status check).
SLURM_ARGS = [
    "--slurm-init-seconds-before-status-checks",
    "2",
    "--seconds-between-status-checks",
    "2",
    "--latency-wait",
    "10",
    "--slurm-keep-successful-logs",
    # The sandbox node has 2 CPUs: a group job's parallel parts are stacked to fit them (and
    # threads are capped at 2, as they would be by the node anyway).
    "--cores",
    "2",
]


def slurm_problem() -> str | None:
    """Why the SLURM test cannot run here (None: it can)."""
    why = STATE / "reason"
    setup = f" (.ci/slurm-up said: {why.read_text().strip()})" if why.exists() else ""
    if shutil.which("sinfo") is None:
        return f"no SLURM here: `sinfo` not found{setup}; start one with .ci/slurm-up (root)"
    try:
        proc = subprocess.run(
            ["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=10
        )
        states = proc.stdout.split()
        if proc.returncode != 0 or not any(s.startswith(("idle", "mix")) for s in states):
            found = proc.stdout.strip() or proc.stderr.strip()
            return f"no idle SLURM node (sinfo: {found}){setup}"
        name = subprocess.run(
            ["scontrol", "show", "config"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError) as err:
        return f"SLURM does not answer: {err}{setup}"
    sandbox = "ClusterName             = vigilance" in name.stdout
    if not sandbox and os.environ.get("VIGILANCE_SLURM_TEST") != "1":
        return "a SLURM that is not the .ci/slurm-up sandbox: set VIGILANCE_SLURM_TEST=1 to use it"
    return None


PROBLEM = slurm_problem()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(PROBLEM is not None, reason=str(PROBLEM))]


# The target set: every output of the blink and pre-training parts and the manifest under the
# ci configuration - every kind of job the workflow has (the grouped data chain, analysis jobs,
# training jobs with a gpu resource, the sweep's worker jobs and their gather, the grouped
# tables and figures). Parts that add more training jobs of the same kinds (fine-tuning) are
# left out, so that the test's length (about 4-6 minutes on 2 shared cores, mostly SLURM and
# Snakemake start-up per job) does not grow with every part that lands.
PARTS = ("results/manifest/", "results/blink/", "results/pretrain/")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The ci configuration through SLURM (two sweep workers), and the blink part locally."""
    override = tmp_path_factory.mktemp("cfg") / "workers2.yaml"
    override.write_text("pretrain:\n  sweep:\n    workers: 2\n")
    config = ["--configfile", str(CONFIGS["ci"]), str(override)]
    cluster = copy_workflow(tmp_path_factory.mktemp("slurm") / "vigilance")
    targets = [f for f in _targets(cluster, config) if f.startswith(PARTS)]
    env = {**os.environ, "VIGILANCE_SLURM_ACCOUNT": "", "VIGILANCE_SLURM_PARTITION": ""}
    env.pop("PYTHONPATH", None)
    # timeout -k: the plugin may ignore SIGTERM while it polls; the test must end regardless.
    cmd = ["timeout", "-k", "20", str(SLURM_TIMEOUT_S), SNAKEMAKE, "--profile", "profiles/slurm"]
    proc = subprocess.run(
        [*cmd, *targets, *SLURM_ARGS, *config],
        cwd=cluster,
        env=env,
        capture_output=True,
        text=True,
        timeout=SLURM_TIMEOUT_S + 60,
    )
    local = copy_workflow(tmp_path_factory.mktemp("local") / "vigilance")
    blink = [f for f in targets if f.startswith("results/blink/")]
    local_proc = run_snakemake("--cores", "2", *blink, *config, cwd=local, timeout=900)
    return {
        "cluster": cluster,
        "proc": proc,
        "targets": targets,
        "config": config,
        "local": local,
        "local_proc": local_proc,
    }


def _targets(cwd: Path, config: list[str]) -> list[str]:
    """Every output file of the DAG (from Snakemake's summary)."""
    proc = run_snakemake("--summary", *config, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    lines = [line.split("\t") for line in proc.stdout.splitlines() if "\t" in line]
    return [row[0] for row in lines[1:]]


def test_the_ci_workflow_runs_through_the_slurm_profile(runs):
    proc, cluster, targets = runs["proc"], runs["cluster"], runs["targets"]
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-6000:]
    logs = list((cluster / ".snakemake" / "slurm_logs").rglob("*.log"))
    assert logs, "no SLURM job logs: were the jobs really submitted?"
    assert any("group_" in str(p) for p in logs), "no grouped submission"
    assert len(targets) > 40 and any("/sweep/workers/worker1" in t for t in targets)
    missing = [t for t in targets if not (cluster / t).exists()]
    assert not missing, f"outputs missing after the SLURM run: {missing}"
    again = run_snakemake("--dry-run", "--cores", "2", *targets, *runs["config"], cwd=cluster)
    assert "Nothing to be done" in again.stdout + again.stderr, again.stdout[-3000:]


def test_the_sweep_over_two_slurm_workers_has_exactly_n_trials(runs):
    sweep = runs["cluster"] / "results/pretrain/generated/sweep"
    trials = pd.read_csv(sweep / "trials.csv")
    n = 3  # configs/ci.yaml: pretrain.sweep.trials
    assert sorted(trials["number"]) == list(range(n)), trials[["number", "state"]]
    assert set(trials["state"]) <= {"COMPLETE", "PRUNED", "FAIL"}
    ran = [json.loads((sweep / f"workers/worker{w}.json").read_text())["trials"] for w in (0, 1)]
    assert sorted(ran[0] + ran[1]) == list(range(n)), ran


def same_content(local: Path, cluster: Path) -> None:
    """Assert two outputs hold the same data: tables (CSV, Parquet) value by value, exactly,
    except wall-time columns (named ``*_s``, e.g. a model's fit time); JSON byte for byte."""
    if local.suffix == ".json":
        assert cluster.read_bytes() == local.read_bytes(), f"{local.name} differs"
        return
    read = pd.read_parquet if local.suffix == ".parquet" else pd.read_csv
    a, b = read(local), read(cluster)
    timing = [c for c in a.columns if str(c).endswith("_s")]
    pd.testing.assert_frame_equal(a.drop(columns=timing), b.drop(columns=timing), check_exact=True)


def compare_blink_outputs(local: Path, cluster: Path) -> list[str]:
    """Compare every table of the blink part; return the files compared."""
    compared = []
    for path in sorted((local / "results/blink").rglob("*")):
        if path.suffix not in (".csv", ".json", ".parquet"):
            continue
        relative = path.relative_to(local)
        assert (cluster / relative).exists(), f"{relative}: made locally, not on the cluster"
        same_content(path, cluster / relative)
        compared.append(str(relative))
    return compared


def test_deterministic_outputs_equal_the_local_run(runs):
    assert runs["local_proc"].returncode == 0, runs["local_proc"].stderr[-4000:]
    compared = compare_blink_outputs(runs["local"], runs["cluster"])
    assert len(compared) >= 10, f"only {len(compared)} tables compared: {compared}"
