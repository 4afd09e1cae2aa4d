"""Claim rows of a findings table, as ``shared/design/evidence.md`` lays them out.

One row per claim of a source document: the claim in the document's words with where it is
said, the quantity compared (A - B), the direction, the unit of replication, the estimate with
its interval, the test, raw and Holm-adjusted p-values, the document's own result (labelled as
the document's) and the verdict, from :mod:`vigilance.evaluation.verdicts`.
"""

from __future__ import annotations

import math

import pandas as pd

from vigilance.evaluation.verdicts import adjust_holm, judge, not_tested

COLUMNS = [
    "claim",
    "source",
    "quantity (A - B)",
    "direction",
    "unit of replication",
    "n",
    "estimate",
    "interval",
    "low",
    "high",
    "test",
    "p",
    "p (Holm)",
    "document's result",
    "verdict",
]


def paired(a: pd.Series, b: pd.Series) -> pd.Series:
    """A - B on the replicates both have (their shared index, e.g. seed or (fold, seed))."""
    joined = pd.concat([a, b], axis=1, keys=["a", "b"], join="inner").dropna()
    return joined["a"] - joined["b"]


def unit_of(differences: pd.Series) -> str:
    """The unit of replication a series of paired differences is indexed by."""
    names = [n for n in differences.index.names if n is not None]
    return " x ".join(names) + ", paired" if names else "paired"


def claim_row(
    claim: str,
    source: str,
    quantity: str,
    direction: str,
    differences: pd.Series | None,
    document: str,
    margin: dict | None = None,
    unit: str | None = None,
    reason: str | None = None,
) -> dict:
    """One claim row.

    Args:
        claim: The claim in the document's words.
        source: Document, section, figure or table (``000, section 4.1, Fig 4.3``).
        quantity: What A - B measures.
        direction: ``lower``, ``higher`` or ``equal``.
        differences: A - B per replicate; None with ``reason`` for a claim not tested.
        document: The document's own result, shown as the document's.
        margin: For ``equal``: ``{"value": ..., "reason": ...}`` from config.
        unit: The unit of replication (default: from the differences' index).
        reason: Why the claim is not tested (with ``differences`` None).
    """
    if differences is None:
        result = not_tested(reason or "the configured grid lacks a condition")
        unit = unit or ""
    else:
        value = margin["value"] if direction == "equal" else None
        result = judge(differences.to_numpy(), direction, value)
        unit = unit or unit_of(differences)
    test = result["test"]
    if direction == "equal" and margin is not None and differences is not None:
        test = f"{test} ({margin['reason']})"
    level = result["level"]
    return {
        "claim": claim,
        "source": source,
        "quantity (A - B)": quantity,
        "direction": direction,
        "unit of replication": unit,
        "n": result["n"],
        "estimate": result["estimate"],
        "interval": f"{level:.0%} t-interval" if math.isfinite(level) else "",
        "low": result["low"],
        "high": result["high"],
        "test": test,
        "p": result["p_value"],
        "p (Holm)": math.nan,
        "document's result": document,
        "verdict": result["verdict"],
    }


def findings_table(rows: list[dict]) -> pd.DataFrame:
    """The rows as a table, Holm-adjusted p-values over every tested row."""
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["p (Holm)"] = adjust_holm(table["p"].astype(float).tolist())
    return table
