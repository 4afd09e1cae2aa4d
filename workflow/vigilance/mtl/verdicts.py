"""Verdicts on the thesis' claims by the project's evidence standard (../shared/design/evidence.md).

Direction claims (A higher / lower than B) are judged on the 95 % t-interval of the paired
differences (by seed): ``reproduced`` when it lies wholly on the claimed side, ``not
reproduced`` when wholly on the other, ``inconclusive`` otherwise; the test is the one-sample
t-test of the differences. Equality claims (A and B do not differ) are judged by two one-sided
tests (TOST, Schuirmann 1987) against a margin declared in config: ``reproduced`` when the
interval lies inside +-margin, ``not reproduced`` when wholly outside, ``inconclusive``
otherwise; an interval that merely contains 0 is never enough. p-values are Holm-adjusted
over a table (Holm, "A simple sequentially rejective multiple test procedure", 1979).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from vigilance.evaluation.stats import mean_ci

DIRECTIONS = ("higher", "lower", "equal")


def _clean(differences) -> np.ndarray:
    values = np.asarray(differences, dtype=float)
    return values[np.isfinite(values)]


def direction_test(differences, claim: str) -> tuple[str, float]:
    """(verdict, two-sided p) of a direction claim on paired differences A - B."""
    d = _clean(differences)
    _, low, high = mean_ci(d)
    if len(d) < 2:
        return "not tested (fewer than 2 seeds)", math.nan
    p = _t_p(d, 0.0, "two-sided")
    if low <= 0 <= high:
        return "inconclusive", p
    above = low > 0
    return ("reproduced" if above == (claim == "higher") else "not reproduced"), p


def tost(differences, margin: float) -> tuple[str, float]:
    """(verdict, p) of an equality claim: TOST of the paired differences against +-margin.

    The p-value is the larger of the two one-sided t-tests (H0: mean <= -margin, and
    H0: mean >= +margin); the verdict follows the 95 % interval against the margin.
    """
    d = _clean(differences)
    if len(d) < 2:
        return "not tested (fewer than 2 seeds)", math.nan
    _, low, high = mean_ci(d)
    p = max(_t_p(d, -margin, "greater"), _t_p(d, margin, "less"))
    if -margin < low and high < margin:
        return "reproduced", p
    if low >= margin or high <= -margin:
        return "not reproduced", p
    return "inconclusive", p


def _t_p(d: np.ndarray, value: float, alternative: str) -> float:
    if np.ptp(d) == 0:  # a constant difference: the t statistic is infinite (or undefined)
        side = {"greater": d[0] > value, "less": d[0] < value, "two-sided": d[0] != value}
        return 0.0 if side[alternative] else 1.0
    return float(stats.ttest_1samp(d, value, alternative=alternative).pvalue)


def judge(differences, claim: str, margin: float | None = None) -> tuple[str, float]:
    """The verdict and p-value of a claim (``higher``, ``lower`` or ``equal`` with a margin)."""
    if claim not in DIRECTIONS:
        raise ValueError(f"claim {claim!r}: expected one of {DIRECTIONS}")
    if claim == "equal":
        if margin is None:
            raise ValueError("an equality claim needs a margin")
        return tost(differences, margin)
    return direction_test(differences, claim)


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjustment of a family of p-values (NaN stays NaN)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    keep = np.flatnonzero(np.isfinite(p))
    order = keep[np.argsort(p[keep])]
    m, running = len(order), 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        out[index] = running
    return out
