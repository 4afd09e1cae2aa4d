"""Claim rows of the T-SCAF findings, by the project's evidence standard (no torch).

One row per claim: its words and source, the quantity, the direction, the unit of
replication, the paired estimate with its 95 % t-interval, the paired t-test's p-value (raw
and Holm-adjusted over the table), the document's own number (labelled as the document's) and
the verdict: ``reproduced`` when the interval of the paired difference lies wholly on the
claimed side of 0, ``not reproduced`` when wholly on the other, ``inconclusive`` otherwise
(:func:`vigilance.evaluation.verdicts.judge`; Holm's adjustment from the same module). A
comparison whose outcome is fixed by how it is built gets no verdict; a claim the grid cannot
test says ``not tested`` and why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vigilance.evaluation.verdicts import adjust_holm, judge

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
    diff = (a - b).dropna()
    result = judge(diff.to_numpy(), direction)
    finite = np.isfinite(result["low"])
    return {
        "claim": claim,
        "source": source,
        "quantity": quantity,
        "direction": direction,
        "unit of replication": f"{result['n']} {unit}",
        "estimate": result["estimate"],
        "95% CI": f"[{result['low']:.3f}, {result['high']:.3f}]" if finite else "",
        "test": result["test"],
        "p": result["p_value"],
        "document's number": document,
        "verdict": result["verdict"] if len(diff) else "not tested: not in this grid",
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
    table["p (Holm)"] = adjust_holm(table["p"].astype(float).tolist())
    return table[COLUMNS]
