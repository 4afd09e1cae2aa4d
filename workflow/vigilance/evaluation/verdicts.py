"""Verdicts on claims by the evidence standard (``shared/design/evidence.md``), for every part.

One claim, one row: the quantity compared as paired differences A - B (paired by the unit of
replication, e.g. (driver fold, seed)), the estimate with its interval, a test, its p-value and
a verdict that could have come out otherwise:

- Direction claims (``lower``: A < B, ``higher``: A > B) use the two-sided 95 % t-interval of
  the mean paired difference: ``reproduced`` when it lies wholly on the claimed side,
  ``not reproduced`` when wholly on the other side, ``inconclusive`` otherwise. The test is the
  paired t-test (``scipy.stats.ttest_rel``, two-sided).
- Equality claims (``equal``: A and B do not differ) use two one-sided tests (TOST; Schuirmann
  1987, "A comparison of the two one-sided tests procedure ...") against a margin declared in
  config with its reason. TOST at level alpha corresponds to the (1 - 2 alpha) interval, here
  the 90 % t-interval: ``reproduced`` when that interval lies inside (-margin, +margin),
  ``not reproduced`` when it lies wholly outside it, ``inconclusive`` otherwise. An interval
  that merely contains 0 is never ``reproduced``. The p-value is TOST's (the larger of the two
  one-sided p-values).
- A claim the configured grid cannot test says ``not tested`` and why (:func:`not_tested`);
  so does one with fewer than 2 paired replicates (no interval, no test).

:func:`adjust_holm` adds Holm-adjusted p-values over a table (Holm 1979, "A simple
sequentially rejective multiple test procedure").
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

CLAIMS = ("lower", "higher", "equal")
VERDICTS = ("reproduced", "not reproduced", "inconclusive", "not tested")


def t_interval(differences, level: float = 0.95) -> tuple[int, float, float, float]:
    """(n, mean, low, high) of the two-sided t-interval at ``level``; NaN bounds below 2 values.

    Args:
        differences: Paired differences; missing or non-finite values are dropped.
        level: Coverage of the interval (0.95 for direction claims, 0.90 for TOST at 0.05).
    """
    d = np.asarray([v for v in differences if v is not None], dtype=float)
    d = d[np.isfinite(d)]
    if len(d) == 0:
        return 0, math.nan, math.nan, math.nan
    mean = float(d.mean())
    if len(d) < 2:
        return len(d), mean, math.nan, math.nan
    half = stats.t.ppf(0.5 + level / 2, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    return len(d), mean, mean - half, mean + half


def direction_verdict(low: float, high: float, claim: str) -> str:
    """Verdict of a direction claim (``lower`` or ``higher``) from the interval of A - B."""
    if claim not in ("lower", "higher"):
        raise ValueError(f"direction claims are 'lower' or 'higher', got {claim!r}")
    if not (math.isfinite(low) and math.isfinite(high)):
        return "inconclusive"
    if high < 0:
        return "reproduced" if claim == "lower" else "not reproduced"
    if low > 0:
        return "reproduced" if claim == "higher" else "not reproduced"
    return "inconclusive"


def equivalence_verdict(low: float, high: float, margin: float) -> str:
    """Verdict of an equality claim from the (1 - 2 alpha) interval of A - B and the margin."""
    if not margin > 0:
        raise ValueError(f"an equivalence margin must be > 0, got {margin!r}")
    if not (math.isfinite(low) and math.isfinite(high)):
        return "inconclusive"
    if -margin < low and high < margin:
        return "reproduced"
    if low >= margin or high <= -margin:
        return "not reproduced"
    return "inconclusive"


def _paired_t_p(d: np.ndarray) -> float:
    """Two-sided p of the one-sample t-test of d against 0 (NaN below 2 values)."""
    if len(d) < 2:
        return math.nan
    if np.ptp(d) == 0:
        return 1.0 if d[0] == 0 else 0.0  # constant differences: t is 0 or infinite
    return float(stats.ttest_1samp(d, 0.0).pvalue)


def _tost_p(d: np.ndarray, margin: float) -> float:
    """TOST p-value: the larger of the one-sided p-values against -margin and +margin."""
    if len(d) < 2:
        return math.nan
    if np.ptp(d) == 0:
        return 0.0 if abs(d[0]) < margin else 1.0
    p_low = stats.ttest_1samp(d, -margin, alternative="greater").pvalue
    p_high = stats.ttest_1samp(d, margin, alternative="less").pvalue
    return float(max(p_low, p_high))


def judge(differences, claim: str, margin: float | None = None, alpha: float = 0.05) -> dict:
    """Judge one claim on paired differences A - B.

    Args:
        differences: A - B per replicate (e.g. per (driver fold, seed) pair).
        claim: ``lower``, ``higher`` or ``equal``.
        margin: The equivalence margin (> 0), required for ``equal`` and ignored otherwise.
        alpha: Level of the test; the direction interval is (1 - alpha), TOST's (1 - 2 alpha).

    Returns:
        ``n``, ``estimate`` (mean difference), ``low``, ``high`` (the interval the verdict
        reads), ``level`` (its coverage), ``test``, ``p_value`` and ``verdict``.
    """
    if claim not in CLAIMS:
        raise ValueError(f"claim must be one of {CLAIMS}, got {claim!r}")
    d = np.asarray([v for v in differences if v is not None], dtype=float)
    d = d[np.isfinite(d)]
    if claim == "equal":
        if margin is None:
            raise ValueError("an equality claim needs its equivalence margin")
        level = 1 - 2 * alpha
        n, mean, low, high = t_interval(d, level)
        verdict = equivalence_verdict(low, high, margin)
        test, p_value = f"TOST, margin {margin:g}", _tost_p(d, margin)
    else:
        level = 1 - alpha
        n, mean, low, high = t_interval(d, level)
        verdict = direction_verdict(low, high, claim)
        test, p_value = "paired t-test", _paired_t_p(d)
    if n < 2:  # no interval, no test: the grid cannot judge the claim
        verdict = "not tested"
        test = f"not tested: {n} replicate{'' if n == 1 else 's'}, a paired test needs 2"
    return {
        "n": n,
        "estimate": mean,
        "low": low,
        "high": high,
        "level": level,
        "test": test,
        "p_value": p_value,
        "verdict": verdict,
    }


def not_tested(reason: str) -> dict:
    """The row of a claim the configured grid cannot test, with the reason as its test."""
    if not reason:
        raise ValueError("a 'not tested' verdict needs its reason")
    nan = math.nan
    return {
        "n": 0,
        "estimate": nan,
        "low": nan,
        "high": nan,
        "level": nan,
        "test": f"not tested: {reason}",
        "p_value": nan,
        "verdict": "not tested",
    }


def adjust_holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values, in the input order; NaN stays NaN and is not counted."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), math.nan)
    finite = np.flatnonzero(np.isfinite(p))
    m = len(finite)
    order = finite[np.argsort(p[finite], kind="stable")]
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        out[index] = running
    return out.tolist()
