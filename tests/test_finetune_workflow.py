"""Fine-tuning through Snakemake on RLDD-format files: subject folds, 3 levels, both inits."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import torch
import yaml
from conftest import CONFIGS, run_snakemake

from vigilance.core.errors import VigilanceError
from vigilance.evaluation.verdicts import VERDICTS
from vigilance.finetune.rldd import FoldView, fold_roles, fold_views, rldd_measures
from vigilance.finetune.rldd_baselines import majority_score, score_fold
from vigilance.finetune.rldd_table import (
    MEASURES,
    P_HOLM,
    VERDICT,
    P,
    baseline_rows,
    chosen_name,
    paired_row,
    with_holm,
)


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


def test_normalise_uses_the_training_folds_only_and_keeps_padding_zero(tmp_path):
    folder = _rldd_folder(tmp_path)
    raw = fold_views(folder, [1, 2, 3], test_fold=2)  # test 2: 3 validates, 1 trains
    scaled = fold_views(folder, [1, 2, 3], test_fold=2, normalise=True)
    x_raw, x = raw["train"].windows.x, scaled["train"].windows.x
    mask = scaled["train"].windows.mask
    train = torch.as_tensor(scaled["train"].windows.fold == 1)
    real = x[train][mask[train]]
    np.testing.assert_allclose(real.mean(0).numpy(), 0.0, atol=1e-5)
    np.testing.assert_allclose(real.std(0).numpy(), 1.0, atol=1e-5)
    # The statistics are the training fold's: the test fold is scaled with them, not its own.
    rows = x_raw[train][mask[train]]
    test = ~train & torch.as_tensor(scaled["train"].windows.fold == 2)
    expected = (x_raw[test] - rows.mean(0)) / rows.std(0)
    np.testing.assert_allclose(x[test][mask[test]].numpy(), expected[mask[test]].numpy(), atol=1e-5)
    assert (x[~mask] == 0).all()  # padded rows stay all-zero
    np.testing.assert_array_equal(mask.numpy(), raw["train"].windows.mask.numpy())


def _baselines(folder, test_fold=2):
    views = fold_views(folder, [1, 2, 3], test_fold)
    rows, validation = score_fold(views, ["LinearDiscriminantAnalysis", "GaussianNB"], ["Ridge"],
                                  forest_trees=5, trees=5, seed=1)  # fmt: skip
    return views, {r["init"]: r for r in rows}, pd.DataFrame(validation)


def test_rldd_baselines_score_the_fine_tuning_test_fold_chosen_on_validation(tmp_path):
    folder = _rldd_folder(tmp_path / "a")
    _, rows, validation = _baselines(folder)
    train = np.load(folder / "LabelsTest_30_Fold1.npy").ravel()  # test 2: 3 validates, 1 trains
    test = np.load(folder / "LabelsTest_30_Fold2.npy").ravel()
    levels, counts = np.unique(train, return_counts=True)
    majority = levels[np.argmax(counts)]
    assert rows["trivial"]["test_windows"] == rows["classical"]["test_windows"] == len(test) == 60
    assert rows["trivial"]["accuracy_3"] == pytest.approx(np.mean(test == majority))
    assert rows["trivial"]["model"] == f"majority class (score {majority:g})"
    # One row per candidate, the chosen one has the best validation kappa.
    assert list(validation["model"]) == ["LinearDiscriminantAnalysis", "GaussianNB", "Ridge"]
    assert validation["chosen"].sum() == 1
    best = validation.loc[validation["kappa_3"].idxmax()]
    assert best["chosen"] and rows["classical"]["model"] == best["model"]
    assert rows["classical"]["val_kappa_3"] == pytest.approx(best["kappa_3"])
    assert rows["classical"]["kappa_3"] > 0.2  # the fixture's features carry the label
    # Other test labels change the test scores but not the choice: it never sees the test fold.
    other = _rldd_folder(tmp_path / "b")
    np.save(other / "LabelsTest_30_Fold2.npy", np.roll(test, 7)[:, None])
    _, moved, again = _baselines(other)
    assert moved["classical"]["model"] == rows["classical"]["model"]
    pd.testing.assert_frame_equal(again, validation)
    assert moved["classical"]["accuracy_3"] != rows["classical"]["accuracy_3"]


def test_rldd_majority_breaks_ties_to_the_lower_level():
    assert majority_score(np.array([10, 0, 10, 0, 5])) == 0.0
    assert majority_score(np.array([10, 5, 10])) == 10.0


def test_rldd_baselines_refuse_training_folds_of_one_level(tmp_path):
    folder = _rldd_folder(tmp_path)
    np.save(folder / "LabelsTest_30_Fold1.npy", np.full((60, 1), 5.0))
    with pytest.raises(VigilanceError, match=r"blink.rldd.folds \(train levels\).*\[1.0\]"):
        _baselines(folder)


def test_rldd_reference_rows_pair_each_arms_seed_mean_with_the_classical_row_by_fold():
    runs = pd.DataFrame({"init": ["scratch"] * 4, "fold": [1, 1, 2, 2], "seed": [1, 2, 1, 2]})
    runs = runs.assign(**{m: [0.4, 0.6, 0.7, 0.9] for m in MEASURES})  # seed means 0.5, 0.8
    baselines = pd.DataFrame({"fold": [1, 1, 2, 2], "init": ["trivial", "classical"] * 2,
                              "model": ["majority", "SVC", "majority", "Ridge"]})  # fmt: skip
    baselines = baselines.assign(**{m: [0.3, 0.4, 0.3, 0.6] for m in MEASURES})
    rows = pd.DataFrame(baseline_rows(baselines, runs)).set_index(["init", "measure"])
    name = "classical: SVC (fold 1), Ridge (fold 2)"
    assert rows.loc[(name, "kappa_3"), "mean"] == pytest.approx(0.5)
    assert rows.loc[(name, "kappa_3"), "runs (folds x seeds)"] == 2
    paired = rows.loc[("scratch - classical (paired by fold)", "kappa_3")]
    assert paired["mean"] == pytest.approx(np.mean([0.5 - 0.4, 0.8 - 0.6]))
    assert paired["runs (folds x seeds)"] == 2
    # Above classical on both folds (0.1, 0.2), yet 2 folds give a 95 % interval of +-0.64.
    assert paired[VERDICT] == "inconclusive"
    assert chosen_name(baselines.iloc[[1]]) == "classical: SVC"
    with pytest.raises(VigilanceError, match=r"field 'fold' has value \[1\]"):
        baseline_rows(baselines[baselines["fold"] == 1], runs)


@pytest.mark.parametrize(
    ("metric", "a", "verdict"),
    [
        ("kappa_3", [0.5, 0.6, 0.7], "reproduced"),  # A above B on every pair
        ("kappa_3", [0.1, 0.2, 0.3], "not reproduced"),
        ("kappa_3", [0.5, 0.2, 0.45], "inconclusive"),
        ("mae", [0.1, 0.2, 0.3], "reproduced"),  # an error: lower is better
        ("mae", [0.5, 0.6, 0.7], "not reproduced"),
        ("kappa_3", [0.5, None, None], "not tested"),  # one complete pair: no test
    ],
)
def test_an_rldd_paired_row_judges_a_better_than_b(metric, a, verdict):
    b = [0.3, 0.4, 0.5]
    a = [math.nan if v is None else v for v in a]
    row = paired_row("A - B", metric, pd.Series(a), pd.Series(b), "folds")
    assert row[VERDICT] == verdict


def test_the_rldd_table_adjusts_every_paired_p_value_by_holm_over_the_table():
    rows = [{"init": "scratch", "mean": 0.5}, {"init": "a", P: 0.01}, {"init": "b", P: 0.04}]
    rows.append({"init": "c", P: math.nan})
    adjusted = with_holm(rows)
    assert P_HOLM not in adjusted[0]  # a row without a test gets no adjusted p
    assert [r[P_HOLM] for r in adjusted[1:3]] == pytest.approx([0.02, 0.04])
    assert math.isnan(adjusted[3][P_HOLM])


@pytest.mark.slow
def test_rldd_fine_tuning_end_to_end(workflow_copy, tmp_path):
    folder = _rldd_folder(tmp_path / "rldd")
    extra = tmp_path / "rldd.yaml"
    extra.write_text(
        yaml.safe_dump(
            {
                "seeds": [1],
                # The feature pretext: the default's row differs only by the pretext's name.
                "blink": {
                    "rldd": {
                        "enabled": True,
                        "path": str(folder),
                        "folds": [1, 2, 3],
                        "pretexts": ["feature"],
                        # The generated data set's unlabelled drivers join pre-training.
                        "pretrain_pools": ["generated"],
                        "pool_stride": 25,
                    }
                },
            }
        )
    )
    target = "results/finetune/rldd/tables/results.csv"
    args = [target, "--cores", "2", "--configfile", str(CONFIGS["ci"]), str(extra)]
    proc = run_snakemake(*args, cwd=workflow_copy, timeout=900)
    assert proc.returncode == 0, proc.stderr[-5000:]
    table = pd.read_csv(workflow_copy / target)
    accuracy = table[table["measure"] == "accuracy_3"].set_index("init")
    assert accuracy.loc["pretrained-feature", "runs (folds x seeds)"] == 3
    assert accuracy.loc["scratch", "runs (folds x seeds)"] == 3
    assert accuracy.loc[~accuracy.index.str.contains("paired"), "mean"].between(0, 1).all()
    paired = accuracy.loc["pretrained-feature - scratch (paired)"]
    assert paired["A better than B? (verdict)"] in VERDICTS
    assert paired["p (Holm)"] >= paired["p (paired t)"] or math.isnan(paired["p (paired t)"])
    encoder = torch.load(
        workflow_copy / "results/pretrain/rldd/feature/fold1/seed1/encoder.pt", weights_only=False
    )
    assert encoder["arch"]["pretext"] == "feature"
    # Pre-training drew on the pool beside the training folds (fine-tuning did not).
    run = json.loads(
        (workflow_copy / "results/pretrain/rldd/feature/fold1/seed1/run.json").read_text()
    )
    sizes = run["pretraining_windows"]
    assert sizes["rldd_training_folds"] > 0 and sizes["generated"] > 0, sizes
    pool = pd.read_csv(workflow_copy / "results/blink/generated/splits/drivers.csv")
    assert (pool["pool"] == "pretrain").any()
    # How often the best validation epoch is the last one run (not converged), per init.
    share = accuracy.loc[["pretrained-feature", "scratch"], "selected epoch = last run (share)"]
    assert share.between(0, 1).all()
    tests = [
        json.loads(p.read_text())
        for p in (workflow_copy / "results/finetune/rldd").rglob("test.json")
    ]
    last = [t["epoch"] == t["epochs_run"] - 1 for t in tests]
    assert share.mean() == pytest.approx(sum(last) / len(last))
    # The majority-class and classical rows, on exactly the fine-tuning runs' test windows.
    rows = table.set_index(["init", "measure"])
    classical = [i for i in table["init"].unique() if i.startswith("classical: ")]
    assert len(classical) == 1
    for name in ("majority class (trivial)", classical[0]):
        assert rows.loc[(name, "accuracy_3"), "runs (folds x seeds)"] == 3
        assert rows.loc[(name, "accuracy_3"), "unit of replication"] == "folds"
    assert {
        "pretrained-feature - classical (paired by fold)",
        "scratch - classical (paired by fold)",
    } <= set(table["init"])
    baselines = pd.read_csv(workflow_copy / "results/finetune/rldd/baselines/test.csv")
    assert sorted(baselines["fold"].unique()) == [1, 2, 3]
    predictions = sorted(
        (workflow_copy / "results/finetune/rldd").glob("*/fold*/seed*/predictions.csv")
    )
    assert len(predictions) == 2 * 3
    for path in predictions:
        fold = int(path.parent.parent.name.removeprefix("fold"))
        counts = baselines.loc[baselines["fold"] == fold, "test_windows"]
        assert (counts == len(pd.read_csv(path))).all() and len(counts) == 2


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
