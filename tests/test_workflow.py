"""The workflow as users run it: lint, formatting, dry runs, profiles, a tiny end-to-end run."""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml
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


def _job_resources(dry_run_output: str) -> list[tuple[str, dict]]:
    """(rule, resources) of every job a dry run prints."""
    jobs, rule = [], None
    for line in dry_run_output.splitlines():
        line = line.strip()
        if line.startswith(("rule ", "localrule ")) and line.endswith(":"):
            rule = line.split()[1].rstrip(":")
        elif line.startswith("resources:") and rule:
            pairs = (item.split("=", 1) for item in line.removeprefix("resources:").split(", "))
            jobs.append((rule, {key.strip(): value for key, value in pairs}))
            rule = None
    return jobs


@pytest.mark.parametrize("env", ["set", "unset"])
def test_slurm_profile_dry_run(env, workflow_copy, monkeypatch, tmp_path):
    """Account and partition from the environment; unset, the cluster's defaults ('' is the
    plugin's "not given": it guesses the account, picks or defaults the partition), never
    the literal text of the variable. A GPU model only for jobs that ask for a GPU (the set
    case asks training jobs for one, the unset case for none)."""
    values = {"VIGILANCE_SLURM_ACCOUNT": "acct", "VIGILANCE_SLURM_PARTITION": "part"}
    for name in values:
        monkeypatch.delenv(name, raising=False)
    gpu = 1 if env == "set" else 0
    overlay = tmp_path / "gpu.yaml"
    overlay.write_text(f"resources: {{gpu: {gpu}, gpu_model: h100}}\n")
    proc = run_snakemake(
        "--profile", "profiles/slurm", "--dry-run", "--configfile", str(CONFIGS["ci"]),
        str(overlay), cwd=workflow_copy, env=values if env == "set" else None,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "write_manifest" in proc.stdout
    jobs = _job_resources(proc.stdout)
    assert len(jobs) > 20
    expected = ("acct", "part") if env == "set" else ("", "")
    for rule, resources in jobs:
        got = (resources["slurm_account"], resources["slurm_partition"])
        assert got == expected, (rule, resources)
    with_gpu = {rule for rule, res in jobs if res.get("gpu", "0") != "0"}
    with_model = {rule for rule, res in jobs if res.get("gpu_model") == "h100"}
    assert with_model == with_gpu and bool(with_gpu) == bool(gpu), (with_gpu, with_model)
    assert all("gpu_model" not in res for rule, res in jobs if rule not in with_gpu)


def _slurm_groups() -> dict[str, str]:
    profile = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
    return dict(entry.split("=") for entry in profile["groups"])


def test_downloads_and_light_jobs_run_locally_never_in_a_cluster_group(parsed_rules):
    rules = parsed_rules["rules"]
    local = {r.name for r in rules if r.name in r.workflow._localrules}
    groups = _slurm_groups()
    names = {r.name for r in rules}
    # Compute nodes often cannot reach the internet.
    assert {n for n in names if n.startswith("download_")} <= local
    # A grouped rule is submitted with its group, local or not.
    assert not local & set(groups), local & set(groups)
    for rule in rules:
        if rule.name in local:
            assert "gpu" not in rule.resources, f"{rule.name}: local, yet asks for a GPU"
    # A leaf table or figure is either local or packed with others into one cluster job.
    # (The baselines' score_*_baselines jobs fit models: real work, cluster jobs of their own.)
    leaves = {n for n in names if n.startswith(("aggregate_", "tabulate_", "plot_", "score_"))}
    leaves = {n for n in leaves if not n.endswith("_baselines")}
    assert leaves <= local | set(groups), sorted(leaves - local - set(groups))
    assert set(groups) <= names, set(groups) - names


# Each part's functions come first (rule files call them as they are read); the rule files
# then in the reverse of the Snakefile's order.
def _reordered_snakefile(root) -> str:
    text = (root / "Snakefile").read_text()
    includes = [line for line in text.splitlines() if line.startswith("include:")]
    commons = [line for line in includes if "common.smk" in line]
    rules = [line for line in includes if line not in commons]
    assert len(rules) > 5
    head, _, tail = text.partition(includes[0])
    tail = tail.split(includes[-1], 1)[1]
    return head + "\n".join(commons + rules[::-1]) + tail


def _job_stats(output: str) -> dict[str, int]:
    stats = output.split("Job stats:", 1)[1].split("total", 1)[0]
    rows = (line.split() for line in stats.splitlines()[3:])
    return {row[0]: int(row[1]) for row in rows if len(row) == 2}


# The ci DAG is the default's with smaller sizes (its dry run is in test_rule_params.py); the
# paper's adds grid points: these two hold every rule and wildcard the workflow has.
@pytest.mark.parametrize("name", ["default", "paper"])
def test_dry_run_of_the_full_dag_in_any_include_order(name, workflow_copy):
    """The full DAG, and the same DAG with the rule files included in another order (the
    wildcard constraints must not depend on it)."""
    (workflow_copy / "Snakefile.reordered").write_text(_reordered_snakefile(workflow_copy))
    args = ["--dry-run", "--cores", "2"]
    if name != "default":
        args += ["--configfile", str(CONFIGS[name])]
    plans = {}
    for snakefile in ("Snakefile", "Snakefile.reordered"):
        proc = run_snakemake("--snakefile", snakefile, *args, cwd=workflow_copy)
        assert proc.returncode == 0, f"{snakefile}: {proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        assert "write_manifest" in proc.stdout
        plans[snakefile] = _job_stats(proc.stdout)
    assert not (workflow_copy / "results").exists()
    assert plans["Snakefile"] == plans["Snakefile.reordered"]
    assert plans["Snakefile"]["train_mtl_model"] > 0  # the deap-windows names are in


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

    _check_folds(ci_run / "results" / "blink" / "generated")
    _check_finetuning(ci_run / "results" / "finetune" / "generated")

    html = (ci_run / "results" / "report.html").read_text()
    assert "environment.html" in html
    assert "Reproducibility" in html


def _check_folds(base):
    """The outer folds on disk: each labelled driver tested once, the same pre-training pool,
    and the normalisation fitted on that pool alone."""
    import pandas as pd

    from vigilance.blink.splits import check_folds, drivers_of, read_manifest

    folds = [read_manifest(base / f"splits/fold{k}/drivers.csv") for k in range(2)]
    check_folds(folds)
    tests = [set(drivers_of(fold, "finetune", "test")) for fold in folds]
    labelled = set(folds[0].loc[folds[0]["pool"] == "finetune", "driver_id"])
    assert all(tests) and not tests[0] & tests[1] and tests[0] | tests[1] <= labelled
    pd.testing.assert_frame_equal(folds[0], read_manifest(base / "splits/drivers.csv"))
    stats = json.loads((base / "normalisation.json").read_text())
    assert stats["fitted_on"]["drivers"] == (folds[0]["pool"] == "pretrain").sum()


def _check_finetuning(base):
    """The fine-tuning grid's aggregates: every point, every measure, claims with verdicts."""
    import pandas as pd

    test = pd.read_csv(base / "test.csv")
    # configs/ci.yaml: 2 outer driver folds x 1 seed per point.
    points = test.groupby(["init", "strategy", "share"])[["fold", "seed"]].apply(
        lambda runs: sorted(map(tuple, runs.to_numpy()))
    )
    assert all(runs == [(0, 1), (1, 1)] for runs in points), points
    # configs/ci.yaml's pretext axis: the feature pretext's init beside the thesis' three.
    assert {"pretrained_all", "pretrained_half", "scratch", "pretrained-feature"} == set(
        test["init"]
    )
    feature = test[test["init"] == "pretrained-feature"]
    assert set(feature["share"]) == set(test["share"]) and set(feature["strategy"]) == {"chosen"}
    results = pd.read_csv(base / "tables" / "results.csv")
    # Every point, plus the trivial and the classical row at every labelled share.
    assert len(results) == (len(points) + 2 * test["share"].nunique()) * 10
    assert {"trivial", "classical"} <= set(results["init"])
    assert (results["runs (folds x seeds)"] == 2).all()  # the reference rows too, per fold
    findings = pd.read_csv(base / "tables" / "findings.csv")
    assert findings["verdict"].notna().all() and len(findings) >= 3
    for run in test.itertuples():
        run_dir = base / run.init / run.strategy / f"share{run.share:g}" / f"fold{run.fold}"
        run_dir = run_dir / f"seed{run.seed}"
        predictions = pd.read_csv(run_dir / "predictions.csv")
        assert len(predictions) > 0 and predictions["predicted"].notna().all()
