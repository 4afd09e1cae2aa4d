"""Aggregating over seeds: means with 95 % confidence intervals, and verdicts on claims.

Intervals use Student's t with n - 1 degrees of freedom (n seeds); with one seed there is no
interval. A claim that A is lower than B is judged on the paired differences A - B over seeds:
*reproduced* when the whole interval is below 0, *not reproduced* when it is above 0, and
*inconclusive* when it contains 0. A claim of *no difference* is reproduced when the interval
contains 0 and not reproduced otherwise (a wide interval from few seeds makes this weak
evidence, which the report says).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def mean_ci(values) -> tuple[float, float, float]:
    """(mean, lower, upper) of the 95 % t-interval; NaN bounds for fewer than 2 values."""
    values = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if len(values) == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if len(values) < 2:
        return mean, math.nan, math.nan
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values))
    return mean, mean - half, mean + half


def verdict(differences, claim: str) -> str:
    """Judge a claim on paired differences (A - B) over seeds.

    Args:
        differences: A - B per seed.
        claim: ``lower`` (A < B), ``higher`` (A > B) or ``equal`` (no difference).
    """
    _, low, high = mean_ci(differences)
    if math.isnan(low):
        return "inconclusive (fewer than 2 seeds)"
    if claim == "equal":
        return "reproduced" if low <= 0 <= high else "not reproduced"
    if low <= 0 <= high:
        return "inconclusive"
    lower = high < 0
    return "reproduced" if lower == (claim == "lower") else "not reproduced"
