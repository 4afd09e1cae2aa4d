"""Claim rows of the T-SCAF findings, by the project's evidence standard (no torch).

One row per claim: its words and source, the quantity, the direction, the unit of
replication, the paired estimate with its 95 % t-interval, the paired t-test's p-value (raw
and Holm-adjusted over the table), the document's own number (labelled as the document's) and
the verdict: ``reproduced`` when the interval of the paired difference lies wholly on the
claimed side of 0, ``not reproduced`` when wholly on the other, ``inconclusive`` otherwise
(:func:`vigilance.evaluation.stats.verdict`). A comparison whose outcome is fixed by how it is
built gets no verdict; a claim the grid cannot test says ``not tested`` and why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vigilance.evaluation.stats import paired_comparison, verdict

COLUMNS = [
    "claim",
    "source",
    "quantity",
    "direction",
    "unit of replication",
    "estimate",
    "95% CI",
    "test",
    "p",
    "p (Holm)",
    "document's number",
    "verdict",
]


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjustment of p-values (NaN entries stay NaN, and do not count).

    Holm (1979), "A simple sequentially rejective multiple test procedure", Scand. J. Statist.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    finite = np.flatnonzero(np.isfinite(p))
    order = finite[np.argsort(p[finite], kind="stable")]
    m = len(order)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def paired_claim(
    claim: str,
    source: str,
    quantity: str,
    direction: str,
    a: pd.Series,
    b: pd.Series,
    document: str,
    unit: str,
) -> dict:
    """A claim judged on the paired differences a - b (Series indexed by replicate)."""
    a, b = a.align(b, join="inner")
    result = paired_comparison(a.to_numpy(), b.to_numpy())
    diff = (a - b).dropna()
    finite = np.isfinite(result["low"])
    return {
        "claim": claim,
        "source": source,
        "quantity": quantity,
        "direction": direction,
        "unit of replication": f"{result['n']} {unit}",
        "estimate": result["difference"],
        "95% CI": f"[{result['low']:.3f}, {result['high']:.3f}]" if finite else "",
        "test": "paired t-test",
        "p": result["p_value"],
        "document's number": document,
        "verdict": verdict(diff, direction) if len(diff) else "not tested: not in this grid",
    }


def fixed_claim(claim: str, source: str, quantity: str, document: str, why: str) -> dict:
    """A row without a verdict: fixed by construction, or not testable here (``why``)."""
    return {
        "claim": claim,
        "source": source,
        "quantity": quantity,
        "direction": "",
        "unit of replication": "",
        "estimate": np.nan,
        "95% CI": "",
        "test": "",
        "p": np.nan,
        "document's number": document,
        "verdict": why,
    }


def claims_table(rows: list[dict]) -> pd.DataFrame:
    """The rows with Holm-adjusted p-values over the table, in the standard's column order."""
    table = pd.DataFrame(rows)
    table["p (Holm)"] = holm(table["p"])
    return table[COLUMNS]
