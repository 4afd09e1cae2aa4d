"""Other blink data sets' pre-training pools as RLDD-shaped windows (vigilance.blink.rldd_pool)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from blink_helpers import BINS, small_dataset
from conftest import run_snakemake

from vigilance.blink.format import FEATURE_SETS
from vigilance.blink.rldd import RLDD_FEATURES, RLDD_WINDOW, RLDDWindows
from vigilance.blink.rldd_pool import (
    OPEN_SOURCES,
    StackedWindows,
    baseline_normalised,
    mapped_features,
    pool_windows,
)
from vigilance.blink.splits import split_drivers
from vigilance.core.errors import VigilanceError
from vigilance.finetune.rldd import fold_views

RLDD_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "rldd-dev"


@pytest.fixture(scope="module")
def pool_files(tmp_path_factory):
    blinks, drivers = small_dataset(drivers=24, minutes=20, seed=3)
    blinks = blinks.dropna(subset=list(FEATURE_SETS["original"]))
    blinks = blinks.sort_values(["driver_id", "recording_id", "t_s"]).reset_index(drop=True)
    manifest = split_drivers(drivers, blinks, BINS, 3, 0.15, 0.1, [1.0, 0.5], seed=0)
    folder = tmp_path_factory.mktemp("pool")
    blinks.to_parquet(folder / "blinks.parquet", index=False)
    manifest.to_csv(folder / "drivers.csv", index=False)
    return folder / "blinks.parquet", folder / "drivers.csv", blinks, manifest


def test_the_mapping_follows_rldds_column_order_and_turns_intervals_into_a_rate():
    blinks = pd.DataFrame({c: [1.0, 2.0] for c in OPEN_SOURCES.values()})
    blinks["inter_blink_interval_s"] = [2.0, 4.0]
    blinks["amplitude_mm"] = [7.0, 8.0]
    out = mapped_features(blinks)
    assert out.shape == (2, len(RLDD_FEATURES))
    assert RLDD_FEATURES[0] == "blink_frequency"
    assert out[:, 0].tolist() == [30.0, 15.0]  # blinks per minute
    assert out[:, RLDD_FEATURES.index("amplitude")].tolist() == [7.0, 8.0]


def test_each_driver_is_scaled_against_their_own_baseline():
    t = np.array([0, 60, 120, 600, 900, 0, 30, 700], dtype=float)
    blinks = pd.DataFrame({"driver_id": ["a"] * 5 + ["b"] * 3, "t_s": t})
    features = np.array([[1.0], [2.0], [3.0], [10.0], [20.0], [5.0], [5.0], [9.0]])
    out = baseline_normalised(blinks, features, minutes=5)
    # a's baseline: its first 5 minutes (1, 2, 3): mean 2, SD sqrt(2/3).
    assert out[:3, 0] == pytest.approx((np.array([1, 2, 3]) - 2) / np.sqrt(2 / 3))
    assert out[3, 0] == pytest.approx(8 / np.sqrt(2 / 3))
    # b's baseline is constant (SD 0): the SD of all of b's blinks instead, as the authors.
    assert out[5:, 0] == pytest.approx((np.array([5, 5, 9]) - 5) / np.std([5, 5, 9]))


def test_the_pool_holds_only_unlabelled_drivers_every_stride_th_window(pool_files):
    blinks_path, manifest_path, blinks, manifest = pool_files
    every = pool_windows(blinks_path, manifest_path, 5, RLDD_WINDOW, 1, None)
    strided = pool_windows(blinks_path, manifest_path, 5, RLDD_WINDOW, 7, None)
    pool = set(manifest.loc[manifest["pool"] == "pretrain", "driver_id"])
    assert pool and set(manifest["driver_id"]) - pool  # both pools exist
    n_pool = blinks["driver_id"].isin(pool).sum()
    assert len(every.features) == n_pool  # the labelled drivers' blinks are not there
    assert len(strided) == -(-len(every) // 7)
    x, mask, y = strided.gather(torch.arange(len(strided)))
    assert x.shape[1:] == (RLDD_WINDOW, len(RLDD_FEATURES)) and mask.all()
    assert torch.isnan(y).all()  # labels are never used


def test_rldds_training_statistics_are_applied_after_the_baseline(pool_files):
    blinks_path, manifest_path, *_ = pool_files
    plain = pool_windows(blinks_path, manifest_path, 5, RLDD_WINDOW, 3, None)
    stats = {"mean": [1.0, -1.0, 0.5, 0.0], "sd": [2.0, 4.0, 1.0, 0.5]}
    scaled = pool_windows(blinks_path, manifest_path, 5, RLDD_WINDOW, 3, stats)
    expected = (plain.features - torch.tensor(stats["mean"])) / torch.tensor(stats["sd"])
    assert torch.allclose(scaled.features, expected, atol=1e-5)


def test_a_pool_without_a_mapped_column_is_refused_naming_file_and_column(pool_files, tmp_path):
    _, manifest_path, blinks, _ = pool_files
    broken = tmp_path / "blinks.parquet"
    blinks.drop(columns=["peak_reopening_velocity_mm_s"]).to_parquet(broken, index=False)
    with pytest.raises(VigilanceError, match="peak_reopening_velocity_mm_s") as err:
        pool_windows(broken, manifest_path, 5, RLDD_WINDOW, 1, None)
    assert str(broken) in str(err.value)


def test_stacked_windows_gather_each_index_from_its_source_in_order():
    a = RLDDWindows(
        torch.arange(3 * 30 * 4, dtype=torch.float32).view(3, 30, 4),
        torch.ones(3, 30, dtype=torch.bool),
        torch.tensor([0.0, 5.0, 10.0]),
        np.array([1, 1, 2]),
    )
    b = RLDDWindows(-torch.ones(2, 30, 4), torch.zeros(2, 30, dtype=torch.bool),
                    torch.tensor([5.0, 5.0]), np.array([3, 3]))  # fmt: skip
    stack = StackedWindows([a, b])
    assert len(stack) == 5
    idx = torch.tensor([4, 0, 3, 2, 2])
    x, mask, y = stack.gather(idx)
    assert torch.equal(x[1], a.x[0]) and torch.equal(x[3], a.x[2]) and torch.equal(x[4], a.x[2])
    assert (x[0] == -1).all() and (x[2] == -1).all()
    assert mask.tolist() == [[False] * 30, [True] * 30, [False] * 30, [True] * 30, [True] * 30]
    assert y.tolist() == [5.0, 0.0, 5.0, 10.0, 10.0]


@pytest.mark.skipif(not RLDD_DEV.is_dir(), reason="../shared/data/rldd-dev is absent")
def test_the_fold_views_keep_the_training_statistics_the_pools_are_scaled_with():
    views = fold_views(RLDD_DEV, [1, 2, 3], 1, normalise=True)
    stats = views["train"].windows.stats
    assert stats is not None and len(stats["mean"]) == len(RLDD_FEATURES)
    assert fold_views(RLDD_DEV, [1, 2, 3], 1, normalise=False)["train"].windows.stats is None


def test_a_pool_that_is_no_enabled_blink_data_set_stops_before_any_job(tmp_path):
    extra = tmp_path / "bad.yaml"
    extra.write_text("blink:\n  rldd:\n    pretrain_pools: [nonesuch]\n")
    proc = run_snakemake("-n", "--configfile", str(extra), timeout=300)
    assert proc.returncode != 0
    assert "'blink.rldd.pretrain_pools' has value 'nonesuch'" in proc.stderr + proc.stdout
    assert "generated" in proc.stderr + proc.stdout  # what would have been accepted
