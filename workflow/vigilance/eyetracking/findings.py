"""The tutorial's reported results on its gaze recordings against this run, with verdicts.

Document 002 (Kasprowski, ETRA 2021 tutorial, "Using Conv1D" / "Example code", ``paths.ipynb``)
reports on the image task, with chunks split at random (its own note: "the experiment is not
quite fair: sequences from the same file may be used in training and test set"): a decision
tree on flattened chunks reaches accuracy 0.41 and kappa 0.10, and the CNN is "almost perfect
after 10 iterations", because "when the same pattern repeats in data ... CNN deals with it
perfectly (and DecisionTrees does not)". Each claim is judged under the document's protocol
(``leaky``) and under every clean protocol the run has, side by side, by
``shared/design/evidence.md`` with the shared :mod:`vigilance.evaluation.verdicts`:

- equality with the document's number: two one-sided tests (TOST) against a margin declared
  in config, read on the 90 % interval of (this run - document);
- direction (A beats B, or beats a threshold): the side of 0 the 95 % interval lies on.

Intervals are Student t over test folds x seeds (paired by (seed, fold) within a protocol;
Welch between protocols, whose folds differ); p-values are Holm-adjusted over the table.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from vigilance.evaluation.verdicts import adjust_holm, direction_verdict, judge, not_tested


def against_number(values, reference: float, margin: float | None) -> dict:
    """This run's values against a number: TOST when ``margin`` is given, else a t-test."""
    diff = np.asarray(values, dtype=float) - reference
    claim = "equal" if margin is not None else "higher"
    return judge(diff, claim, margin)


def paired(a: pd.Series, b: pd.Series, claim: str) -> dict:
    """A - B over the (seed, fold) index both share, judged as ``claim``."""
    a, b = a.align(b, join="inner")
    return judge((a - b).to_numpy(), claim)


def welch(a, b, claim: str) -> dict:
    """A - B between independent sets of folds: Welch's t-test and its 95 % interval."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    mean = float(a.mean() - b.mean()) if len(a) and len(b) else math.nan
    if len(a) < 2 or len(b) < 2:
        low = high = p = math.nan
    else:
        result = stats.ttest_ind(a, b, equal_var=False)
        ci = result.confidence_interval(0.95)
        low, high, p = float(ci.low), float(ci.high), float(result.pvalue)
    return {
        "n": len(a) + len(b),
        "estimate": mean,
        "low": low,
        "high": high,
        "level": 0.95,
        "test": "Welch t-test",
        "p_value": p,
        "verdict": direction_verdict(low, high, claim),
    }


TREE = {"family": "classical", "model": "DecisionTreeClassifier", "inputs": "flat"}
CNN = {"family": "deep", "model": "CNN"}
DOCUMENT = "002, 'Using Conv1D' / 'Example code' (paths.ipynb)"


def _values(scores: pd.DataFrame, protocol: str, metric: str, ident: dict) -> pd.Series:
    """One model's fold values of a metric under a protocol, indexed by (seed, fold)."""
    rows = scores[(scores["protocol"] == protocol) & (scores["metric"] == metric)]
    for key, value in ident.items():
        rows = rows[rows[key] == value]
    return rows.set_index(["seed", "fold"])["value"].sort_index()


def _unit(values: pd.Series, protocol: str, pair: bool) -> str:
    seeds = values.index.get_level_values("seed").nunique() if len(values) else 0
    folds = values.index.get_level_values("fold").nunique() if len(values) else 0
    tail = ", paired by (seed, fold)" if pair else ""
    return f"{folds} {protocol} folds x {seeds} seeds{tail}"


def _row(claim, protocol, quantity, direction, document, unit, result) -> dict:
    return {
        "claim": claim,
        "protocol": protocol + (" (the document's)" if protocol == "leaky" else ""),
        "quantity": quantity,
        "direction": direction,
        "unit of replication": unit,
        "document": document,
        "this run": result["estimate"],
        "CI": f"{result['level']:.0%}" if math.isfinite(result["level"]) else "",
        "CI low": result["low"],
        "CI high": result["high"],
        "test": result["test"],
        "p": result["p_value"],
        "verdict": result["verdict"],
    }


def _not_tested(claim, protocol, quantity, direction, document, why) -> dict:
    return _row(claim, protocol, quantity, direction, document, "", not_tested(why))


def image_claims(scores: pd.DataFrame | None, settings: dict) -> list[dict]:
    """The tutorial's image-task claims under each protocol of the run (leaky first)."""
    claims = [
        ("decision tree on flattened chunks: accuracy 0.41", "accuracy", 0.41, "margin_accuracy"),
        ("decision tree on flattened chunks: kappa 0.10", "kappa", 0.10, "margin_kappa"),
    ]
    if scores is None:
        return [
            _not_tested(c, "-", f"{m} of the tree", "equal", d, "the image task is not run")
            for c, m, d, _ in claims
        ]
    protocols = sorted(set(scores["protocol"]), key=lambda p: (p != "leaky", p))
    rows = []
    for protocol in protocols:
        tree = {m: _values(scores, protocol, m, TREE) for m in ("accuracy", "kappa")}
        cnn = _values(scores, protocol, "accuracy", CNN)
        for claim, metric, number, key in claims:
            quantity = f"{metric} of the tree (flat) - {number}"
            if tree[metric].empty:
                rows.append(
                    _not_tested(
                        claim,
                        protocol,
                        quantity,
                        "equal",
                        number,
                        "no decision tree on flat chunks in the run",
                    )
                )
                continue
            result = against_number(tree[metric], number, settings[key])
            rows.append(
                _row(
                    claim,
                    protocol,
                    quantity,
                    f"equal (+-{settings[key]:g})",
                    number,
                    _unit(tree[metric], protocol, False),
                    result,
                )
            )
        claim = "the CNN is almost perfect after 10 iterations"
        quantity = f"CNN accuracy - {settings['almost_perfect']:g}"
        if cnn.empty:
            rows.append(
                _not_tested(
                    claim,
                    protocol,
                    quantity,
                    "higher",
                    "almost perfect",
                    "no CNN in eyetracking.deep.models",
                )
            )
            rows.append(
                _not_tested(
                    "the CNN beats the decision tree (repeating patterns)",
                    protocol,
                    "CNN - tree accuracy",
                    "higher",
                    "",
                    "no CNN in the run",
                )
            )
            continue
        result = against_number(cnn, settings["almost_perfect"], None)
        rows.append(
            _row(
                claim,
                protocol,
                quantity,
                "higher",
                "almost perfect",
                _unit(cnn, protocol, False),
                result,
            )
        )
        claim = "the CNN beats the decision tree (repeating patterns)"
        if tree["accuracy"].empty:
            rows.append(
                _not_tested(
                    claim,
                    protocol,
                    "CNN - tree accuracy",
                    "higher",
                    "",
                    "no decision tree on flat chunks in the run",
                )
            )
            continue
        result = paired(cnn, tree["accuracy"], "higher")
        rows.append(
            _row(
                claim,
                protocol,
                "CNN - tree (flat) accuracy",
                "higher",
                "0.41 vs almost perfect",
                _unit(cnn, protocol, True),
                result,
            )
        )
    claim = "the random split is not quite fair: chunks of a file on both sides inflate scores"
    quantity = "CNN accuracy, leaky - recording"
    if {"leaky", "recording"} <= set(protocols) and not _values(
        scores, "leaky", "accuracy", CNN
    ).empty:
        a = _values(scores, "leaky", "accuracy", CNN)
        b = _values(scores, "recording", "accuracy", CNN)
        result = welch(a, b, "higher")
        unit = f"{_unit(a, 'leaky', False)} vs {_unit(b, 'recording', False)}"
        rows.append(
            _row(
                claim,
                "leaky vs recording",
                quantity,
                "higher",
                "(said, not measured)",
                unit,
                result,
            )
        )
    else:
        rows.append(
            _not_tested(
                claim,
                "leaky vs recording",
                quantity,
                "higher",
                "",
                "needs the CNN under both the leaky and the recording protocol",
            )
        )
    return rows


def regression_claims(scores: pd.DataFrame | None) -> list[dict]:
    """The hypothesis behind the tutorial's scanpath LSTM: it beats the last point (MAE)."""
    claim = "the tutorial's LSTM predicts the next gaze point better than the last point"
    quantity = "MAE (px), LSTM - last point"
    if scores is None:
        return [_not_tested(claim, "-", quantity, "lower", "", "the regression task is off")]
    rows = []
    for protocol in sorted(set(scores["protocol"])):
        lstm = _values(scores, protocol, "mae", {"model": "LSTM"})
        last = _values(scores, protocol, "mae", {"model": "LastPoint"})
        if lstm.empty or last.empty:
            rows.append(
                _not_tested(
                    claim,
                    protocol,
                    quantity,
                    "lower",
                    "",
                    "needs LSTM and LastPoint in eyetracking.regression.models",
                )
            )
            continue
        result = paired(lstm, last, "lower")
        rows.append(
            _row(
                claim,
                protocol,
                quantity,
                "lower",
                "no number (other data)",
                _unit(lstm, protocol, True),
                result,
            )
        )
    return rows


def findings(image: pd.DataFrame | None, regression: pd.DataFrame | None, settings) -> pd.DataFrame:
    """Every claim row, with Holm-adjusted p-values over the table."""
    table = pd.DataFrame(image_claims(image, settings) + regression_claims(regression))
    table.insert(table.columns.get_loc("p") + 1, "p (Holm)", adjust_holm(table["p"]))
    return table
