"""The generated blink data: format, determinism, the labelling model, signal and no leak."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from blink_helpers import BINS, small_dataset

from vigilance.blink.describe import kss_scale_table, signal_check
from vigilance.blink.format import FEATURE_SETS, FEATURES, REQUIRED_COLUMNS
from vigilance.blink.generate import GeneratorConfig, generate
from vigilance.blink.load import add_calibration, clean_blinks, validate_blinks
from vigilance.blink.normalise import fit_stats
from vigilance.blink.splits import drivers_of, split_drivers
from vigilance.blink.windows import build_windows, window_means


def test_generator_writes_the_open_format_and_repeats_with_its_seed():
    blinks, drivers = small_dataset()
    assert list(blinks.columns) == REQUIRED_COLUMNS
    assert set(drivers["label_quality"]) <= {"high", "low", "none"}
    again, _ = generate(
        GeneratorConfig(
            drivers=24, recordings_per_driver=2, recording_minutes=30, seed=0, pretrain_ratio=1.0
        )
    )
    pd.testing.assert_frame_equal(blinks, again)
    other, _ = generate(
        GeneratorConfig(drivers=24, recordings_per_driver=2, recording_minutes=30, seed=1)
    )
    assert not blinks["t_s"].head(50).equals(other["t_s"].head(50))


def test_generated_data_passes_validation_and_has_realistic_artefacts():
    blinks, drivers = small_dataset()
    valid = validate_blinks(blinks, drivers, "generated")
    clean, report = clean_blinks(valid, "generated", max_missing_share=0.05)
    assert 0 < report["blinks_dropped_missing"] < 0.01 * len(blinks)
    rate = len(blinks) / (24 * 2 * 30)
    assert 10 < rate < 40, f"{rate:.1f} blinks a minute"
    # Phases add up to the blink, except where an outlier inflated one value.
    total = clean[["closing_duration_ms", "closed_duration_ms", "reopening_duration_ms"]].sum(
        axis=1
    )
    assert np.isclose(total, clean["blink_duration_ms"]).mean() > 0.99


def test_kss_reports_label_the_next_slot_and_follow_label_quality():
    blinks, drivers = small_dataset()
    assert blinks.loc[blinks["t_s"] < 300, "kss"].isna().all()
    quality = blinks.merge(drivers)["label_quality"]
    assert blinks.loc[quality.to_numpy() == "none", "kss"].isna().all()
    labelled = blinks.loc[quality.to_numpy() == "high", "kss"].dropna()
    assert set(labelled.unique()) <= set(range(1, 10)) and len(labelled) > 0
    # One report per 5-minute slot: the label is constant within a slot.
    slot = (blinks["t_s"] // 300).astype(int)
    per_slot = blinks.dropna(subset=["kss"]).groupby([blinks["recording_id"], slot])["kss"]
    assert (per_slot.nunique() == 1).all()


def test_drowsiness_moves_the_features_the_literature_says():
    # The population effect, with every driver responding alike (the default spreads drivers
    # around it: tests/test_evidence_blink.py).
    blinks, _ = generate(
        GeneratorConfig(
            drivers=24, recordings_per_driver=2, recording_minutes=30, effect_spread=0.0,
            pattern_sd=0.0, pretrain_ratio=1.0,
        )
    )  # fmt: skip
    labelled = blinks.dropna(subset=["kss"])
    rho = labelled[list(FEATURES)].corrwith(labelled["kss"].astype(float), method="spearman")
    assert rho["blink_duration_ms"] > 0.2 and rho["closed_duration_ms"] > 0.2
    assert rho["peak_closing_velocity_mm_s"] < -0.1
    assert rho["amplitude_velocity_ratio_ms"] > 0.1
    assert rho["inter_blink_interval_s"] < 0


def _signal(blinks, drivers):
    """Test MAE of the three models on held-out fine-tuning drivers (original features)."""
    valid = validate_blinks(blinks, drivers, "generated")
    clean, _ = clean_blinks(valid, "generated", 0.05)
    clean = add_calibration(clean, 5).sort_values(["driver_id", "recording_id", "t_s"])
    manifest = split_drivers(drivers, clean, BINS, 3, 0.15, 0.1, [1.0], seed=0)
    columns = FEATURE_SETS["original"]
    train = drivers_of(manifest, "finetune", "train")
    test = drivers_of(manifest, "finetune", "test")
    assert not set(train) & set(test)
    stats = fit_stats(clean, columns, manifest.loc[manifest["set"] == "train", "driver_id"])
    sets = [window_means(build_windows(clean, d, columns, stats, 30), 5) for d in (train, test)]
    return signal_check(sets[0], sets[1], seeds=[1, 2, 3]).set_index("model")["MAE"]


@pytest.mark.parametrize("seed", [0, 3])
def test_a_simple_model_finds_the_signal_and_shuffled_labels_do_not(seed):
    # Enough drivers that the held-out set is not a handful (between-driver spread is large);
    # every driver shows drowsiness alike, so the signal is there for the check to find (the
    # default spreads drivers around the population effect, which may hide it from a ridge).
    blinks, drivers = generate(
        GeneratorConfig(
            drivers=80, recordings_per_driver=1, recording_minutes=60, seed=seed,
            pretrain_ratio=1.0, effect_spread=0.0, pattern_sd=0.0,
        )
    )  # fmt: skip
    mae = _signal(blinks, drivers)
    mean, ridge = mae["training mean"], mae["ridge on window means"]
    shuffled = mae.filter(like="shuffled").iloc[0]
    assert ridge < 0.85 * mean, mae
    assert shuffled > 0.97 * mean, mae


def test_kss_scale_table_follows_the_configured_bins():
    table = kss_scale_table(BINS)
    assert list(table["KSS"]) == list(range(1, 10))
    assert table.loc[table["KSS"] == 7, "level"].item() == "KSS 7"
    assert table.loc[table["KSS"] == 9, "level"].item() == "KSS 8-9"
    assert "fighting sleep" in table.loc[8, "description"]


@pytest.mark.parametrize("feature_set, n", [("original", 9), ("with_calibration", 18)])
def test_feature_sets_have_the_thesis_sizes(feature_set, n):
    assert len(FEATURE_SETS[feature_set]) == n


def test_the_readme_example_is_valid_open_format(tmp_path):
    from io import StringIO

    from conftest import REPO

    text = (REPO / "README.md").read_text()
    block = text.split("A small example:")[1].split("```")[1]
    blinks = pd.read_csv(StringIO(block.strip()), dtype={"driver_id": str, "recording_id": str})
    drivers = pd.DataFrame({"driver_id": ["D001"], "label_quality": ["high"]})
    valid = validate_blinks(blinks, drivers, "README.md")
    assert list(valid.columns) == REQUIRED_COLUMNS
    assert valid["kss"].isna().sum() == 2
