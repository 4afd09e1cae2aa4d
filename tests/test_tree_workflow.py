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
    trained = final[final["split"] == "drivers"] if "split" in final else final
    trained = trained[~trained["style"].isin(["trivial", "classical"])]
    runs = trained.groupby(["style", "attention", "training"])["seed"].nunique()
    # ci: the main tree, the 'none' ablation, w = 0.5 and the separate pair, 2 seeds each.
    assert runs.to_dict() == {
        ("separate", "both", "alternating"): 2,
        ("tree", "both", "accum0.5"): 2,
        ("tree", "both", "alternating"): 2,
        ("tree", "none", "alternating"): 2,
    }
    assert final["value"].dropna().between(0, 1).all()
    findings = pd.read_csv(ci_run / BASE / "tables/findings.csv")
    assert len(findings) >= 6 and findings["verdict"].str.len().gt(0).all()
    metrics = pd.read_csv(ci_run / BASE / "drivers/tree/both/alternating/seed1/metrics.csv")
    assert list(metrics.columns) == ["epoch", "split", "metric", "value"]


def _folders_config(tmp_path, data):
    path = tmp_path / "override.yaml"
    # The tiny folders hold 2 drivers: 2 driver folds.
    tree = {"data": {"source": "folders", "driver_folds": 2, **data}}
    path.write_text(yaml.safe_dump({"tree": tree}))
    return ["--configfile", str(CONFIGS["ci"]), str(path)]


def test_a_users_folders_become_the_three_sets(workflow_copy, tmp_path):
    args = _folders_config(tmp_path, make_folders(tmp_path / "mine"))
    target = "results/tree/folders/data/sizes.json"
    proc = run_snakemake("--cores", "1", target, *args, cwd=workflow_copy)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '"pairs": 4' in (workflow_copy / target).read_text()
    dry = run_snakemake("--dry-run", *args, cwd=workflow_copy)
    assert "results/tree/folders/drivers/tree/both/alternating" in dry.stdout
    assert "results/tree/folders/frames/baselines/seed1" in dry.stdout


def test_malformed_folders_fail_without_partial_output(workflow_copy, tmp_path):
    data = make_folders(tmp_path / "bad")
    (tmp_path / "bad" / "pairs.txt").write_text("1 1\ncid 1 7\ncid 1 dee 1\n")
    args = _folders_config(tmp_path, data)
    proc = run_snakemake(
        "--cores", "1", "results/tree/folders/data/sizes.json", *args, cwd=workflow_copy
    )
    assert proc.returncode != 0
    log = (workflow_copy / "logs/tree/folders/data/import.log").read_text()
    assert "image is missing" in log and "cid_0007" in log
    assert not list((workflow_copy / "results/tree/folders").rglob("*.*"))


VERDICTS = ("reproduced", "not reproduced", "inconclusive", "no verdict", "not tested")


def test_the_ci_tables_carry_both_splits_baselines_and_claim_rows(ci_run):
    tables = ci_run / BASE / "tables"
    table2 = pd.read_csv(tables / "table2_accuracy.csv")
    ours = table2[~table2["split"].str.startswith("the paper")]
    assert set(ours["split"]) == {"driver-wise", "frames 9:1 (frame-leaky)"}
    for split, rows in ours.groupby("split"):
        kinds = {m.split(" ")[0] for m in rows["model"]}
        assert kinds == {"T-SCAF", "trivial", "classical"}, split
        assert (rows["replicates"] == 2).all() and rows["fatigue"].between(0, 1).all()
    for name in ("table3_ablation", "table4_training", "table5_tree_vs_separate", "auc"):
        first = pd.read_csv(tables / f"{name}.csv").iloc[:, 0].astype(str)
        assert first.str.startswith("trivial").any() and first.str.startswith("classical").any()
    findings = pd.read_csv(tables / "findings.csv")
    assert list(findings.columns[:3]) == ["claim", "source", "quantity"]
    assert {"p (Holm)", "unit of replication", "document's number"} <= set(findings.columns)
    assert findings["verdict"].map(lambda v: v.startswith(VERDICTS)).all()
    own_pair = findings[findings["claim"].str.contains("its own branches")]
    assert own_pair["verdict"].str.startswith("no verdict").all()
    assert findings["claim"].str.contains("frame split").any()


def test_the_ci_runs_test_on_whole_drivers(ci_run):
    import numpy as np

    from vigilance.tree.data import load_npz

    fatigue = load_npz(ci_run / BASE / "data" / "fatigue.npz")
    for fold in np.unique(fatigue["drivers_fold"]):
        test = fatigue["drivers_fold"] == fold
        assert not set(fatigue["driver"][test]) & set(fatigue["driver"][~test])
    preds = pd.read_csv(ci_run / BASE / "drivers/tree/both/alternating/seed2/predictions.csv")
    base = pd.read_csv(ci_run / BASE / "drivers/baselines/seed2/predictions.csv")
    tree_items = sorted(preds.loc[preds["task"] == "fatigue", "item"])
    for _, rows in base.groupby("model"):
        assert sorted(rows["item"]) == tree_items  # the baselines score the tree's test items
    assert set(fatigue["driver"][tree_items]) <= set(
        fatigue["driver"][fatigue["drivers_fold"] == 1]
    )
