"""The T-SCAF part in the session's ci run, and a user's folders through the adapter rule."""

from __future__ import annotations

import pandas as pd
import yaml
from conftest import CONFIGS, run_snakemake
from tree_helpers import make_folders

BASE = "results/tree/generated"
TARGETS = [
    f"{BASE}/tables/{name}.html"
    for name in (
        "table1_costs",
        "table2_accuracy",
        "table3_ablation",
        "table4_training",
        "table5_tree_vs_separate",
        "findings",
    )
] + [f"{BASE}/figures/{name}.png" for name in ("roc", "tsne", "gradcam")]


def test_the_tree_part_makes_every_table_and_figure(ci_run):
    for target in TARGETS:
        assert (ci_run / target).stat().st_size > 0
    final = pd.read_csv(ci_run / BASE / "final.csv")
    runs = final.groupby(["style", "attention", "training"])["seed"].nunique()
    # ci: the main tree, the 'none' ablation, w = 0.5 and the separate pair, 2 seeds each.
    assert runs.to_dict() == {
        ("separate", "both", "alternating"): 2,
        ("tree", "both", "accum0.5"): 2,
        ("tree", "both", "alternating"): 2,
        ("tree", "none", "alternating"): 2,
    }
    assert final["value"].between(0, 1).all()
    findings = pd.read_csv(ci_run / BASE / "tables/findings.csv")
    assert len(findings) == 6 and findings["verdict"].str.len().gt(0).all()
    metrics = pd.read_csv(ci_run / BASE / "tree/both/alternating/seed1/metrics.csv")
    assert list(metrics.columns) == ["epoch", "split", "metric", "value"]


def _folders_config(tmp_path, data):
    path = tmp_path / "override.yaml"
    path.write_text(yaml.safe_dump({"tree": {"data": {"source": "folders", **data}}}))
    return ["--configfile", str(CONFIGS["ci"]), str(path)]


def test_a_users_folders_become_the_three_sets(workflow_copy, tmp_path):
    args = _folders_config(tmp_path, make_folders(tmp_path / "mine"))
    target = "results/tree/folders/data/sizes.json"
    proc = run_snakemake("--cores", "1", target, *args, cwd=workflow_copy)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '"pairs": 4' in (workflow_copy / target).read_text()
    dry = run_snakemake("--dry-run", *args, cwd=workflow_copy)
    assert "results/tree/folders/tree/both/alternating" in dry.stdout


def test_malformed_folders_fail_without_partial_output(workflow_copy, tmp_path):
    data = make_folders(tmp_path / "bad")
    (tmp_path / "bad" / "pairs.txt").write_text("1 1\ncid 1 7\n")
    args = _folders_config(tmp_path, data)
    proc = run_snakemake(
        "--cores", "1", "results/tree/folders/data/sizes.json", *args, cwd=workflow_copy
    )
    assert proc.returncode != 0
    log = (workflow_copy / "logs/tree/folders/data/import.log").read_text()
    assert "image is missing" in log and "cid_0007" in log
    assert not list((workflow_copy / "results/tree/folders").rglob("*.*"))
