"""The shared verdict module: every verdict function driven to each of its outcomes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vigilance.evaluation.verdicts import (
    adjust_holm,
    direction_verdict,
    equivalence_verdict,
    judge,
    not_tested,
    t_interval,
)


@pytest.mark.parametrize(
    ("low", "high", "claim", "expected"),
    [
        (-0.3, -0.1, "lower", "reproduced"),
        (0.1, 0.3, "lower", "not reproduced"),
        (-0.1, 0.1, "lower", "inconclusive"),
        (0.1, 0.3, "higher", "reproduced"),
        (-0.3, -0.1, "higher", "not reproduced"),
        (-0.1, 0.1, "higher", "inconclusive"),
        (math.nan, math.nan, "lower", "inconclusive"),
    ],
)
def test_direction_verdicts(low, high, claim, expected):
    assert direction_verdict(low, high, claim) == expected


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (-0.01, 0.01, "reproduced"),
        (0.03, 0.05, "not reproduced"),
        (-0.06, -0.02, "not reproduced"),
        (-0.01, 0.03, "inconclusive"),  # contains 0, yet not inside the margin
        (-0.5, 0.5, "inconclusive"),  # a wide interval is never "no difference"
        (math.nan, math.nan, "inconclusive"),
    ],
)
def test_equivalence_verdicts(low, high, expected):
    assert equivalence_verdict(low, high, margin=0.02) == expected


def test_judge_reaches_every_verdict_from_data():
    rng = np.random.default_rng(0)
    small = rng.normal(0, 0.001, 12)
    noisy = np.array([-1.0, 0.8, -0.6, 0.9, -0.7, 0.5])  # mean 0.15, spread far wider
    assert judge(small - 0.1, "lower")["verdict"] == "reproduced"
    assert judge(small + 0.1, "lower")["verdict"] == "not reproduced"
    assert judge(noisy, "lower")["verdict"] == "inconclusive"
    assert judge(small, "equal", margin=0.02)["verdict"] == "reproduced"
    assert judge(small + 0.1, "equal", margin=0.02)["verdict"] == "not reproduced"
    assert judge(noisy, "equal", margin=0.02)["verdict"] == "inconclusive"
    one = judge([0.1], "lower")  # one replicate: no interval, no test
    assert one["verdict"] == "not tested" and "1 replicate" in one["test"]
    assert judge([], "equal", margin=0.1)["verdict"] == "not tested"
    assert not_tested("the grid has one share")["verdict"] == "not tested"


def test_tost_p_agrees_with_the_90_percent_interval():
    rng = np.random.default_rng(1)
    for _ in range(200):
        d = rng.normal(rng.uniform(-0.05, 0.05), rng.uniform(0.005, 0.05), rng.integers(3, 12))
        row = judge(d, "equal", margin=0.03)
        assert row["level"] == pytest.approx(0.90)
        assert (row["verdict"] == "reproduced") == (row["p_value"] < 0.05)


def test_paired_t_p_matches_scipy_and_interval_matches_a_hand_computation():
    from scipy import stats

    d = [0.1, 0.3, 0.2, 0.4]
    row = judge(d, "higher")
    assert row["p_value"] == pytest.approx(stats.ttest_1samp(d, 0).pvalue)
    n, mean, low, high = t_interval(d)
    half = stats.t.ppf(0.975, 3) * np.std(d, ddof=1) / 2
    assert (n, mean) == (4, pytest.approx(0.25))
    assert (low, high) == (pytest.approx(0.25 - half), pytest.approx(0.25 + half))


def test_holm_on_a_worked_example():
    # sorted: 0.01 x 3 = 0.03; 0.03 x 2 = 0.06; 0.04 x 1 = 0.04 -> kept monotone at 0.06
    assert adjust_holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    adjusted = adjust_holm([0.5, math.nan, 0.6])
    assert math.isnan(adjusted[1]) and adjusted[0] == pytest.approx(1.0)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="margin"):
        judge([0.1, 0.2], "equal")
    with pytest.raises(ValueError, match="claim"):
        judge([0.1, 0.2], "same")
    with pytest.raises(ValueError, match="reason"):
        not_tested("")
