"""The SLURM profile against a running SLURM: a small target set of the ci configuration
through `--profile profiles/slurm` (see TARGETS: one job of every kind the workflow has), with the
pre-training sweep split over two worker jobs.

Runs where a SLURM answers `sinfo` and it is the sandbox of `.ci/slurm-up` (cluster name
`vigilance`), or where VIGILANCE_SLURM_TEST=1 asks for it on another cluster (it submits about
a dozen small jobs there); skipped otherwise, with the reason, except under CI=true (as CI
services set it), where no SLURM fails the tests: CI must not pass without them.
`VIGILANCE_CI_SLURM=0` skips them on purpose. `.ci/run` starts the sandbox before `make test`;
a user's `make test` never installs system packages.

What is compared with the session's local ci run (``ci_run``): every table of the blink part
the cluster made (CSV, Parquet, JSON: the raw and cleaned blinks, cleaning counts, driver
splits, normalisation, the signal check), which are deterministic on the CPU, value by value
(only wall-time columns, ``*_s``, are left out). The pre-training outputs are not compared:
with two workers, which worker runs which trial (and so the sweep's best parameters and the
run after them) depends on timing; the sweep is checked for its exact trial count and unique
trial numbers instead.
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


def without_slurm(problem: str | None, environ) -> tuple[str, str] | None:
    """What the SLURM tests do when no SLURM can be used: ("fail" or "skip", why), or None
    when there is one. CI services set CI=true: there a missing SLURM fails the tests (CI must
    not pass without them), unless VIGILANCE_CI_SLURM=0 left SLURM out on purpose."""
    if problem is None:
        return None
    if environ.get("VIGILANCE_CI_SLURM", "1") == "0":
        return "skip", f"VIGILANCE_CI_SLURM=0: SLURM left out ({problem})"
    if environ.get("CI") == "true":
        return "fail", f"CI=true and no SLURM to test against: {problem}"
    return "skip", problem


PROBLEM = slurm_problem()

# The smallest target set that still has every kind of job the workflow has: the grouped blink
# data chain (generate -> prepare -> split -> normalise, one submission), an analysis job (the
# signal check), the sweep's two worker jobs and their gather, a training job with a gpu
# resource (one pre-training run), and a group of unconnected tables and figures (the `reports`
# group: the KSS scale, the manifest, the sweep's importances) in one submission. More jobs of
# the same kinds (the other grid points, the other parts) would only lengthen the test.
DATASET = "results/blink/generated"
TARGETS = [
    f"{DATASET}/normalisation.json",
    f"{DATASET}/original/signal_check.html",
    "results/pretrain/generated/row/original/frac1.0/seed1/encoder.pt",
    "results/blink/kss_scale.html",
    "results/manifest/environment.html",
    "results/pretrain/generated/figures/fig3_4_importance.png",
    # The helper worker: a final output of its own (only the lead worker feeds the gather step).
    "results/pretrain/generated/sweep/workers/worker1.json",
]


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    """The targets of the ci configuration through SLURM, with two sweep workers.

    Session-scoped: its last test also reads the session's ci run and so runs at the very end
    (conftest.py); a module-scoped fixture would be torn down and run SLURM twice."""
    outcome = without_slurm(PROBLEM, os.environ)
    if outcome is not None:
        action, why = outcome
        (pytest.fail if action == "fail" else pytest.skip)(why)
    override = tmp_path_factory.mktemp("cfg") / "workers2.yaml"
    override.write_text("pretrain:\n  sweep:\n    workers: 2\n")
    config = ["--configfile", str(CONFIGS["ci"]), str(override)]
    cluster = copy_workflow(tmp_path_factory.mktemp("slurm") / "vigilance")
    env = {**os.environ, "VIGILANCE_SLURM_ACCOUNT": "", "VIGILANCE_SLURM_PARTITION": ""}
    env.pop("PYTHONPATH", None)
    # timeout -k: the plugin may ignore SIGTERM while it polls; the test must end regardless.
    cmd = ["timeout", "-k", "20", str(SLURM_TIMEOUT_S), SNAKEMAKE, "--profile", "profiles/slurm"]
    proc = subprocess.run(
        [*cmd, *TARGETS, *SLURM_ARGS, *config],
        cwd=cluster,
        env=env,
        capture_output=True,
        text=True,
        timeout=SLURM_TIMEOUT_S + 60,
    )
    return {"cluster": cluster, "proc": proc, "config": config}


@pytest.mark.slow
def test_the_ci_workflow_runs_through_the_slurm_profile(runs):
    proc, cluster = runs["proc"], runs["cluster"]
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-6000:]
    logs = list((cluster / ".snakemake" / "slurm_logs").rglob("*.log"))
    assert logs, "no SLURM job logs: were the jobs really submitted?"
    # One folder per submitted rule or group: .snakemake/slurm_logs/rule_<rule>/... and
    # group_<group>_<its rules>/...
    submitted = {p.relative_to(cluster / ".snakemake" / "slurm_logs").parts[0] for p in logs}
    kinds = ["group_blinkdata_", "group_reports_", "rule_check_blink_signal"]
    kinds += ["rule_sweep_pretraining", "rule_pretrain_encoder"]
    for kind in kinds:
        assert any(s.startswith(kind) for s in submitted), f"no {kind}*: {sorted(submitted)}"
    missing = [t for t in TARGETS if not (cluster / t).exists()]
    assert not missing, f"outputs missing after the SLURM run: {missing}"
    for worker in (0, 1):
        assert (cluster / f"results/pretrain/generated/sweep/workers/worker{worker}.json").exists()
    again = run_snakemake("--dry-run", "--cores", "2", *TARGETS, *runs["config"], cwd=cluster)
    assert "Nothing to be done" in again.stdout + again.stderr, again.stdout[-3000:]


@pytest.mark.slow
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
    """Compare every table of the blink part the cluster made with the local run's; return the
    files compared."""
    compared = []
    for path in sorted((cluster / "results/blink").rglob("*")):
        if path.suffix not in (".csv", ".json", ".parquet"):
            continue
        relative = path.relative_to(cluster)
        assert (local / relative).exists(), f"{relative}: made on the cluster, not locally"
        same_content(local / relative, path)
        compared.append(str(relative))
    return compared


@pytest.mark.slow
def test_deterministic_outputs_equal_the_local_run(runs, ci_run):
    compared = compare_blink_outputs(ci_run, runs["cluster"])
    assert len(compared) >= 8, f"only {len(compared)} tables compared: {compared}"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "skip"),
        ({"CI": "true"}, "fail"),
        ({"CI": "true", "VIGILANCE_CI_SLURM": "0"}, "skip"),
        ({"CI": "1"}, "skip"),
    ],
    ids=["user", "ci", "ci_without_slurm_on_purpose", "ci_not_true"],
)
def test_no_slurm_skips_for_a_user_and_fails_ci(environ, expected):
    assert without_slurm(None, environ) is None
    action, why = without_slurm("sinfo not found", environ)
    assert action == expected and "sinfo not found" in why
