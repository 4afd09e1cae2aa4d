"""Aggregating over replicates: means with 95 % t-intervals, and paired comparisons.

Intervals use Student's t with n - 1 degrees of freedom (n replicates); with one there is no
interval. Verdicts on claims are :mod:`vigilance.evaluation.verdicts`' alone (one rule for every
part: direction claims on the 95 % interval, equality claims by TOST against a margin).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def mean_ci(values, bounds: tuple[float, float] | None = None) -> tuple[float, float, float]:
    """(mean, lower, upper) of the 95 % t-interval; NaN bounds for fewer than 2 values.

    Args:
        values: One value per replicate; missing and non-finite values are dropped.
        bounds: The measure's range, e.g. (0, 1) for an accuracy or an AUC, (-1, 1) for a
            difference of two: the interval is clipped to it (a t-interval on few bounded
            values can reach past the range, which no replicate can).
    """
    values = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if len(values) == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if len(values) < 2:
        return mean, math.nan, math.nan
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values))
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return mean, low, high


def paired_comparison(a, b, alpha: float = 0.05) -> dict:
    """A - B paired by seed: mean difference, its 95 % t-interval, a paired t-test.

    Args:
        a, b: Values of the two conditions, pairs at the same positions (same seed and split);
            pairs with a missing or non-finite value are dropped.
        alpha: Significance level of the two-sided test.

    Returns:
        ``n``, ``difference``, ``low``, ``high``, ``p_value`` (scipy's ``ttest_rel``; NaN for
        fewer than 2 pairs or identical pairs) and ``significant`` (p < alpha).
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired values need equal shapes, got {a.shape} and {b.shape}")
    keep = np.isfinite(a) & np.isfinite(b)
    diff = a[keep] - b[keep]
    mean, low, high = mean_ci(diff)
    p_value = math.nan
    if len(diff) >= 2 and np.ptp(diff) > 0:
        p_value = float(stats.ttest_rel(a[keep], b[keep]).pvalue)
    elif len(diff) >= 2 and mean != 0:
        p_value = 0.0  # a constant non-zero difference: the t statistic is infinite
    return {
        "n": len(diff),
        "difference": mean,
        "low": low,
        "high": high,
        "p_value": p_value,
        "significant": bool(p_value < alpha) if math.isfinite(p_value) else False,
    }
