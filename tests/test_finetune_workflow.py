"""Fine-tuning through Snakemake on RLDD-format files: subject folds, 3 levels, both inits."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import CONFIGS, run_snakemake

from vigilance.finetune.rldd import FoldView, fold_roles, rldd_measures


def test_fold_roles_rotate_the_validation_fold():
    assert fold_roles([1, 2, 3, 4, 5], 3) == ([1, 2, 5], 4)
    assert fold_roles([1, 2, 3, 4, 5], 5) == ([2, 3, 4], 1)
    with pytest.raises(ValueError):
        fold_roles([1, 2], 1)


def test_rldd_measures_on_a_hand_worked_example():
    y = np.array([0, 5, 10, 10, 0])
    p = np.array([1.0, 7.6, 9.0, 4.0, 3.0])  # levels 0, 2, 2, 1, 1
    m = rldd_measures(y, p)
    assert m["accuracy_3"] == pytest.approx(2 / 5)
    assert m["mae"] == pytest.approx(np.mean([1, 2.6, 1, 6, 3]))


def _rldd_folder(folder, folds=(1, 2, 3), n=60):
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    for fold in folds:
        y = rng.choice([0, 5, 10], size=(n, 1)).astype(float)
        x = rng.normal(size=(n, 30, 4)) + y[:, :, None] / 10
        x[: n // 4, :5] = 0.0  # front padding, as RLDD's short runs
        np.save(folder / f"BlinksTest_30_Fold{fold}.npy", x)
        np.save(folder / f"LabelsTest_30_Fold{fold}.npy", y)
    return folder


def test_fold_views_keep_their_folds_only(tmp_path):
    from vigilance.blink.rldd import RLDDWindows

    windows = RLDDWindows.from_folder(_rldd_folder(tmp_path), (1, 2, 3))
    view = FoldView(windows, [2])
    assert len(view) == 60
    x, _, y = view.gather(view.labelled())
    np.testing.assert_array_equal(x.numpy(), windows.x[60:120].numpy())
    np.testing.assert_array_equal(y.numpy(), windows.score[60:120].numpy())


@pytest.mark.slow
def test_rldd_fine_tuning_end_to_end(workflow_copy, tmp_path):
    folder = _rldd_folder(tmp_path / "rldd")
    extra = tmp_path / "rldd.yaml"
    extra.write_text(
        yaml.safe_dump(
            {
                "seeds": [1],
                "blink": {"rldd": {"enabled": True, "path": str(folder), "folds": [1, 2, 3]}},
            }
        )
    )
    target = "results/finetune/rldd/tables/results.csv"
    args = [target, "--cores", "2", "--configfile", str(CONFIGS["ci"]), str(extra)]
    proc = run_snakemake(*args, cwd=workflow_copy, timeout=900)
    assert proc.returncode == 0, proc.stderr[-5000:]
    table = pd.read_csv(workflow_copy / target)
    accuracy = table[table["measure"] == "accuracy_3"].set_index("init")
    assert accuracy.loc["pretrained", "runs (folds x seeds)"] == 3
    assert accuracy.loc["scratch", "runs (folds x seeds)"] == 3
    assert accuracy["mean"].between(0, 1).all()
    assert "pretrained - scratch (paired)" in set(table["init"])
    # How often the best validation epoch is the last one run (not converged), per init.
    share = accuracy.loc[["pretrained", "scratch"], "selected epoch = last run (share)"]
    assert share.between(0, 1).all()
    tests = [
        json.loads(p.read_text())
        for p in (workflow_copy / "results/finetune/rldd").rglob("test.json")
    ]
    last = [t["epoch"] == t["epochs_run"] - 1 for t in tests]
    assert share.mean() == pytest.approx(sum(last) / len(last))


@pytest.mark.parametrize(
    ("section", "named"),
    [
        ({"best_strategy": "nonesuch"}, "finetune.best_strategy is 'nonesuch'"),
        ({"features": "with_calibration"}, "finetune.features is 'with_calibration'"),
        ({"strategies": {"full": [[1, 1]]}}, "full"),
        ({"strategies": {"chosen": [[1, 1]]}}, "chosen"),
        ({"strategy_choice": "best"}, "finetune.strategy_choice"),
    ],
    ids=[
        "unknown_best_strategy",
        "features_not_pretrained",
        "reserved_name",
        "reserved_chosen",
        "unknown_strategy_choice",
    ],
)
def test_bad_fine_tuning_config_stops_before_any_job(tmp_path, section, named):
    extra = tmp_path / "bad.yaml"
    config = {"finetune": section}
    if "features" in section:
        config["pretrain"] = {"feature_sets": ["original"]}
    extra.write_text(yaml.safe_dump(config))
    proc = run_snakemake("-n", "--configfile", str(extra), timeout=300)
    assert proc.returncode != 0
    assert named in proc.stderr + proc.stdout
