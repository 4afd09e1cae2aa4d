"""Splits by driver, the leak guard, normalisation from training data, windows and batches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from blink_helpers import BINS, small_dataset

from vigilance.blink.format import FEATURE_SETS, kss_level
from vigilance.blink.load import add_calibration
from vigilance.blink.normalise import apply_stats, fit_pretrain_stats, fit_stats
from vigilance.blink.rldd import RLDDWindows, rldd_level
from vigilance.blink.splits import (
    check_folds,
    check_manifest,
    drivers_of,
    in_fraction,
    pretrain_replicate,
    split_driver_folds,
    split_drivers,
)
from vigilance.blink.windows import BlinkWindows, build_windows, window_index
from vigilance.core.errors import VigilanceError

FRACTIONS = [0.1, 0.25, 0.5, 1.0]


@pytest.fixture(scope="module")
def data():
    blinks, drivers = small_dataset(drivers=60, minutes=20, seed=5)
    blinks = blinks.dropna(subset=list(FEATURE_SETS["original"]))
    blinks = add_calibration(blinks, 5).sort_values(["driver_id", "recording_id", "t_s"])
    manifest = split_drivers(drivers, blinks, BINS, 3, 0.15, 0.1, FRACTIONS, seed=0)
    return blinks.reset_index(drop=True), drivers, manifest


def test_every_driver_in_exactly_one_set_and_pools_follow_label_quality(data):
    _blinks, drivers, manifest = data
    check_manifest(manifest)
    assert sorted(manifest["driver_id"]) == sorted(drivers["driver_id"])
    high = set(drivers.loc[drivers["label_quality"] == "high", "driver_id"])
    assert set(manifest.loc[manifest["pool"] == "finetune", "driver_id"]) == high
    sets = {s: set(drivers_of(manifest, "finetune", s)) for s in ("train", "val", "test")}
    assert all(sets[s] for s in sets)
    assert not (
        sets["train"] & sets["val"] or sets["train"] & sets["test"] or sets["val"] & sets["test"]
    )


def test_fractions_are_nested_and_never_touch_validation_or_test(data):
    _, _, manifest = data
    previous = set()
    for fraction in FRACTIONS:
        chosen = set(manifest.loc[in_fraction(manifest, fraction), "driver_id"])
        assert previous <= chosen
        assert set(manifest.loc[manifest["set"] != "train", "driver_id"]).isdisjoint(chosen)
        previous = chosen
    n_train = ((manifest["pool"] == "finetune") & (manifest["set"] == "train")).sum()
    assert len(drivers_of(manifest, "finetune", "train", 0.5)) == int(np.ceil(0.5 * n_train))
    assert manifest["in_fraction_1"].sum() == (manifest["set"] == "train").sum()


def test_split_is_seeded(data):
    blinks, drivers, manifest = data
    again = split_drivers(drivers, blinks, BINS, 3, 0.15, 0.1, FRACTIONS, seed=0)
    pd.testing.assert_frame_equal(manifest, again)
    other = split_drivers(drivers, blinks, BINS, 3, 0.15, 0.1, FRACTIONS, seed=1)
    assert not manifest["driver_id"].equals(other["driver_id"])


def _imbalance(blinks, assignment):
    """Largest spread, over KSS levels, of a level's share between the fine-tuning sets."""
    merged = blinks.merge(assignment, on="driver_id").dropna(subset=["kss"])
    merged["level"] = kss_level(merged["kss"], BINS)
    shares = pd.crosstab(merged["set"], merged["level"], normalize="index")
    return float((shares.max() - shares.min()).max())


def test_test_and_validation_labels_are_more_balanced_than_random_splits(data):
    blinks, _, manifest = data
    finetune = manifest.loc[manifest["pool"] == "finetune", ["driver_id", "set"]]
    ours = _imbalance(blinks, finetune)
    rng = np.random.default_rng(0)
    random = [
        _imbalance(blinks, finetune.assign(set=rng.permutation(finetune["set"].to_numpy())))
        for _ in range(30)
    ]
    assert ours <= np.median(random), (ours, np.median(random))


def test_the_leak_guard_fires_on_a_leaking_manifest(data, tmp_path):
    _, _, manifest = data
    leaking = pd.concat([manifest, manifest.iloc[[0]].assign(set="train", train_rank=99)])
    path = tmp_path / "drivers.csv"
    leaking.to_csv(path, index=False)
    driver = manifest["driver_id"].iloc[0]
    with pytest.raises(VigilanceError, match=f"leak.*'{driver}'.*found in"):
        check_manifest(pd.read_csv(path), path)
    with pytest.raises(VigilanceError, match="unknown set"):
        check_manifest(manifest.assign(set="holdout"), path)


@pytest.fixture(scope="module")
def folds(data):
    blinks, drivers, _ = data
    return split_driver_folds(drivers, blinks, BINS, 3, 0.15, 0.1, FRACTIONS, seed=0)


def test_the_outer_folds_test_every_labelled_driver_once_and_share_the_pretraining_pool(
    data, folds
):
    _, _, manifest = data
    check_folds(folds)  # each fold's leak guard, and no driver tested twice
    pd.testing.assert_frame_equal(folds[0], manifest)  # split_drivers is fold 0
    labelled = set(drivers_of(manifest, "finetune", "train")) | set(
        drivers_of(manifest, "finetune", "val") + drivers_of(manifest, "finetune", "test")
    )
    tests = [set(drivers_of(fold, "finetune", "test")) for fold in folds]
    assert all(tests) and set().union(*tests) == labelled
    assert sum(map(len, tests)) == len(labelled)  # disjoint
    for fold, test in zip(folds, tests, strict=True):
        val = set(drivers_of(fold, "finetune", "val"))
        train = set(drivers_of(fold, "finetune", "train"))
        assert val and train and not (val & test or train & test or train & val)
        pre = fold[fold["pool"] == "pretrain"].reset_index(drop=True)
        first = folds[0][folds[0]["pool"] == "pretrain"].reset_index(drop=True)
        pd.testing.assert_frame_equal(pre, first)
        # Nested fractions within each fold's own training drivers.
        assert set(drivers_of(fold, "finetune", "train", 0.25)) <= set(
            drivers_of(fold, "finetune", "train", 0.5)
        )


def test_the_fold_guard_refuses_a_driver_tested_twice_and_differing_pools(folds):
    driver = drivers_of(folds[0], "finetune", "test")[0]
    moved = folds[1].copy()
    moved.loc[moved["driver_id"] == driver, "set"] = "test"
    with pytest.raises(VigilanceError, match=f"'{driver}'.*test set of two outer folds"):
        check_folds([folds[0], moved, folds[2]], "splits")
    pre = drivers_of(folds[0], "pretrain", "train")[0]
    other = folds[2].copy()
    other.loc[other["driver_id"] == pre, "set"] = "val"
    with pytest.raises(VigilanceError, match=r"field 'fold' has value 2.*differ outside"):
        check_folds([folds[0], folds[1], other], "splits")


def test_too_few_labelled_drivers_for_the_folds_is_refused(data):
    blinks, drivers, manifest = data
    labelled = manifest.loc[manifest["pool"] == "finetune", "driver_id"]
    n = int(blinks.loc[blinks["driver_id"].isin(labelled), "kss"].groupby(
        blinks["driver_id"]).count().gt(0).sum())  # fmt: skip
    with pytest.raises(VigilanceError, match=f"blink.splits.folds' has value {n - 1}.*at most"):
        split_driver_folds(drivers, blinks, BINS, n - 1, 0.15, 0.1, FRACTIONS, seed=0, source="c")
    assert len(split_driver_folds(drivers, blinks, BINS, n - 2, 0.15, 0.1, [1.0], seed=0)) == n - 2
    # A data set without labelled drivers splits its pre-training pool only.
    unlabelled = drivers.assign(label_quality="none")
    alone = split_driver_folds(unlabelled, blinks, BINS, 3, 0.15, 0.1, [1.0], seed=0)
    assert all((fold["pool"] == "pretrain").all() for fold in alone)


def test_pretraining_replicates_rotate_the_validation_drivers(data):
    _, _, manifest = data
    pre = manifest[manifest["pool"] == "pretrain"]
    n_groups = int(pre["pretrain_group"].max()) + 1
    assert n_groups == min(len(pre), round(1 / 0.1)) and (pre["pretrain_group"] >= 0).all()
    assert drivers_of(pretrain_replicate(manifest, 0), "pretrain", "val") == drivers_of(
        manifest, "pretrain", "val"
    )
    vals = [set(drivers_of(pretrain_replicate(manifest, r), "pretrain", "val")) for r in range(3)]
    assert all(vals) and not (vals[0] & vals[1] or vals[0] & vals[2] or vals[1] & vals[2])
    for r in range(3):
        view = pretrain_replicate(manifest, r)
        check_manifest(view)
        train = set(drivers_of(view, "pretrain", "train"))
        assert not train & vals[r] and train | vals[r] == set(pre["driver_id"])
        # Nested fractions inside each replicate, the fine-tuning pool untouched.
        half = set(drivers_of(view, "pretrain", "train", 0.5))
        assert half < train and len(half) == -(-len(train) // 2)
        assert view[view["pool"] == "finetune"].equals(manifest[manifest["pool"] == "finetune"])
    # The group wraps: replicate G is replicate 0.
    assert drivers_of(pretrain_replicate(manifest, n_groups), "pretrain", "val") == sorted(vals[0])
    old = manifest.drop(columns=["pretrain_group"])
    with pytest.raises(VigilanceError, match=r"m.csv: field 'pretrain_group'.*rerun"):
        pretrain_replicate(old, 1, "m.csv")


def test_the_normalisation_is_fitted_on_the_pretraining_pool_and_refuses_an_empty_one(data):
    blinks, _, manifest = data
    columns = FEATURE_SETS["original"]
    stats = fit_pretrain_stats(blinks, columns, manifest)
    pool = drivers_of(manifest, "pretrain", "train") + drivers_of(manifest, "pretrain", "val")
    assert stats["fitted_on"]["drivers"] == len(pool)
    # No fine-tuning driver (in any fold: none is in that pool) moves the statistics.
    changed = blinks.copy()
    labelled = changed["driver_id"].isin(manifest.loc[manifest["pool"] == "finetune", "driver_id"])
    changed.loc[labelled, columns] *= 50.0
    assert fit_pretrain_stats(changed, columns, manifest) == stats
    alone = manifest[manifest["pool"] == "finetune"]
    with pytest.raises(VigilanceError, match=r"m.csv: field 'pool'.*no pre-training driver"):
        fit_pretrain_stats(blinks, columns, alone, "m.csv")


def test_normalisation_uses_training_drivers_only(data):
    blinks, _, manifest = data
    columns = FEATURE_SETS["with_calibration"]
    train = manifest.loc[manifest["set"] == "train", "driver_id"].tolist()
    stats = fit_stats(blinks, columns, train)
    changed = blinks.copy()
    test = changed["driver_id"].isin(drivers_of(manifest, "finetune", "test"))
    changed.loc[test, columns] *= 50.0
    assert fit_stats(changed, columns, train) == stats
    z = apply_stats(blinks.loc[blinks["driver_id"].isin(train), columns].to_numpy(), stats, columns)
    assert np.allclose(z.mean(0), 0, atol=1e-3) and np.allclose(z.std(0), 1, atol=1e-2)


def test_window_index_never_crosses_recordings_and_pads_short_ones():
    starts, sizes = window_index(np.array([5, 2, 0, 3]), window=3)
    assert starts.tolist() == [0, 1, 2, 5, 7]
    assert sizes.tolist() == [3, 3, 3, 2, 3]


def test_gather_matches_a_naive_materialisation(data):
    blinks, _, manifest = data
    columns = FEATURE_SETS["original"]
    stats = fit_stats(blinks, columns, manifest.loc[manifest["set"] == "train", "driver_id"])
    drivers = drivers_of(manifest, "finetune", "test")
    windows = build_windows(blinks, drivers, columns, stats, window=25)
    part = blinks[blinks["driver_id"].isin(drivers)]
    features = apply_stats(part[columns].to_numpy(), stats, columns)
    expected_x, expected_y = [], []
    offset = 0
    for _, rec in part.groupby("recording_id", sort=False):
        n = len(rec)
        for start in range(max(1, n - 25 + 1)):
            size = min(25, n)
            x = np.zeros((25, len(columns)), dtype=np.float32)
            x[:size] = features[offset + start : offset + start + size]
            expected_x.append(x)
            expected_y.append(rec["kss"].to_numpy(dtype=float)[start + size - 1])
        offset += n
    assert len(windows) == len(expected_x)
    idx = torch.arange(len(windows))
    x, mask, y = windows.gather(idx)
    assert x.shape == (len(windows), 25, len(columns))
    np.testing.assert_array_equal(x.numpy(), np.stack(expected_x))
    np.testing.assert_array_equal(y.numpy(), np.array(expected_y, dtype=np.float32))
    assert mask.all()


def test_short_recording_is_padded_at_the_end_with_a_mask():
    features = np.arange(1, 8, dtype=np.float32).reshape(7, 1)
    kss = np.array([1, 2, 3, np.nan, 5, 6, 7], dtype=np.float32)
    windows = BlinkWindows.from_arrays(features, kss, [3, 4], window=5)
    x, mask, y = windows.gather(torch.tensor([0, 1]))
    assert x[0, :, 0].tolist() == [1, 2, 3, 0, 0]
    assert mask[0].tolist() == [True, True, True, False, False]
    assert y.tolist() == [3.0, 7.0]
    assert x[1, :, 0].tolist() == [4, 5, 6, 7, 0]
    assert windows.labelled().tolist() == [0, 1]


def test_windows_are_not_materialised(data):
    blinks, _, manifest = data
    columns = FEATURE_SETS["original"]
    stats = fit_stats(blinks, columns, manifest["driver_id"])
    windows = build_windows(blinks, manifest["driver_id"], columns, stats, window=30)
    held = sum(
        t.numel() * t.element_size()
        for t in (windows.features, windows.kss, windows.starts, windows.sizes)
    )
    materialised = len(windows) * 30 * len(columns) * 4
    assert held < materialised / 5


def test_rldd_adapter_exposes_the_window_interface(tmp_path):
    rng = np.random.default_rng(1)
    for fold in (1, 2, 3):
        x = rng.normal(size=(20, 30, 4))
        x[:3, :10] = 0.0  # front padding of short runs
        np.save(tmp_path / f"BlinksTest_30_Fold{fold}.npy", x)
        np.save(
            tmp_path / f"LabelsTest_30_Fold{fold}.npy",
            rng.choice([0, 5, 10], (20, 1)).astype(float),
        )
    windows = RLDDWindows.from_folder(tmp_path, folds=(1, 2, 3))
    assert len(windows) == 60 and sorted(set(windows.fold)) == [1, 2, 3]
    x, mask, y = windows.gather(windows.labelled()[:8])
    assert x.shape == (8, 30, 4) and x.dtype == torch.float32
    assert mask[:3, :10].sum() == 0 and mask[:3, 10:].all()
    assert set(y.tolist()) <= {0.0, 5.0, 10.0}
    assert rldd_level([0, 5, 10]).tolist() == [0, 1, 2]
    blink_windows = BlinkWindows.from_arrays(np.ones((3, 4)), np.ones(3), [3], window=30)
    for name in ("labels", "labelled", "gather", "window", "__len__"):
        assert hasattr(windows, name) and hasattr(blink_windows, name)


def test_classical_baseline_windows_are_full_labelled_and_grouped_by_driver(data):
    from vigilance.blink.baselines import blink_window_features
    from vigilance.evaluation.folds import make_folds

    blinks, _, manifest = data
    columns = FEATURE_SETS["original"]
    stats = fit_stats(blinks, columns, manifest.loc[manifest["set"] == "train", "driver_id"])
    drivers = manifest.loc[manifest["pool"] == "finetune", "driver_id"]
    x, y, groups = blink_window_features(blinks, drivers, columns, stats, 20, 7, BINS)
    assert x.shape == (len(y), 6 * len(columns)) and np.isfinite(x).all()
    assert set(np.unique(y)) <= {0, 1, 2, 3}
    assert set(groups) <= set(drivers)
    for train, test in make_folds("grouped", y, groups, 3, seed=0):
        assert not set(groups[train]) & set(groups[test])
