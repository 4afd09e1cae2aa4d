"""The KSS measures and the public KPI (quadratic-weighted kappa on 4 levels)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from vigilance.finetune.measures import kss_measures


def test_hand_computed_example():
    y = np.array([2, 5, 7, 8, 9, 3])
    p = np.array([2.4, 5.6, 2.9, 8.2, 6.6, 3.0])
    m = kss_measures(y, p)
    assert math.isclose(m["mae"], np.mean([0.4, 0.6, 4.1, 0.2, 2.4, 0.0]))
    # Rounded: 2, 6, 3, 8, 7, 3 -> right at 2, 8, 3 (3 of 6).
    assert m["accuracy_9"] == 0.5
    # Levels true 0,1,2,3,3,0 vs predicted 0,1,0,3,2,0 -> 4 of 6.
    assert math.isclose(m["accuracy_4"], 4 / 6)
    # True 7-9: KSS 7 predicted 3 is a critical miss; 8 and 9 are not -> 1 of 3.
    assert math.isclose(m["critical_miss_rate"], 1 / 3)
    # Warnings at p >= 7: only 8.2. True >= 8: 8 (warned), 9 (not) -> 1/2.
    assert m["warning_sensitivity"] == 0.5
    # True <= 6: 2, 5, 3 -> none warned.
    assert m["false_warning_rate"] == 0.0


def test_the_kpi_is_sklearns_quadratic_kappa_on_the_levels():
    rng = np.random.default_rng(0)
    y = rng.integers(1, 10, 400)
    p = np.clip(y + rng.normal(0, 1.5, 400), 1, 9)
    levels = lambda v: np.digitize(v, [3.5, 6.5, 7.5])  # noqa: E731
    expected = cohen_kappa_score(levels(y), levels(np.round(p)), weights="quadratic")
    assert math.isclose(kss_measures(y, p)["kappa_4"], expected)
    assert kss_measures(y, y.astype(float))["kappa_4"] == 1.0


def test_empty_reference_groups_are_nan_not_perfect():
    m = kss_measures([2, 3, 4], [2.0, 3.0, 4.0])
    assert math.isnan(m["critical_miss_rate"]) and math.isnan(m["warning_sensitivity"])
    assert m["false_warning_rate"] == 0.0


def test_predictions_outside_the_scale_are_clipped_before_rounding():
    m = kss_measures([1, 9], [-3.0, 14.0])
    assert m["accuracy_9"] == 1.0 and m["mae"] == 4.5


def test_mismatched_inputs_are_refused():
    with pytest.raises(ValueError, match="equal, non-empty"):
        kss_measures([1, 2], [1.0])
