"""The eye-tracking findings: its tests driven to each verdict, and the claim table.

The verdict functions themselves are the shared ones (vigilance.evaluation.verdicts), tested
in test_verdicts.py; here every wrapper and every claim row reaches its outcomes.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from vigilance.eyetracking.findings import against_number, findings, paired, welch

SETTINGS = {"margin_accuracy": 0.05, "margin_kappa": 0.05, "almost_perfect": 0.95}


def test_intervals_and_tests_come_from_scipy():
    values = np.array([0.40, 0.42, 0.41, 0.43, 0.39])
    result = against_number(values, 0.41, 0.05)
    assert result["estimate"] == pytest.approx(0.0) and result["low"] < 0 < result["high"]
    assert result["test"] == "TOST, margin 0.05" and result["p_value"] < 0.01
    assert result["verdict"] == "reproduced"
    far = against_number(values + 0.3, 0.41, 0.05)
    assert far["p_value"] > 0.99 and far["verdict"] == "not reproduced"
    above = against_number(values + 0.3, 0.41, None)
    assert above["verdict"] == "reproduced" and above["level"] == 0.95
    index = pd.MultiIndex.from_product([[1, 2], [0, 1, 2]], names=["seed", "fold"])
    a = pd.Series([0.9, 0.8, 0.85, 0.95, 0.9, 0.8], index=index)
    b = pd.Series([0.5, 0.45, 0.55, 0.5, 0.6, 0.4], index=index)
    assert paired(a, b, "higher")["estimate"] == pytest.approx(2.2 / 6)
    assert paired(a, b, "higher")["verdict"] == "reproduced"
    assert paired(a, b, "lower")["verdict"] == "not reproduced"
    assert paired(a, b.iloc[:3], "higher")["n"] == 3  # only shared (seed, fold) pairs
    result = welch(a.to_numpy(), b.to_numpy(), "higher")
    assert result["test"] == "Welch t-test" and result["low"] > 0
    assert result["verdict"] == "reproduced"
    assert welch(b.to_numpy(), a.to_numpy(), "higher")["verdict"] == "not reproduced"
    assert welch(a.to_numpy(), a.to_numpy() + 0.001, "higher")["verdict"] == "inconclusive"
    assert math.isnan(welch([1.0], [0.0], "higher")["low"])


def fold_scores(tree_acc, cnn_acc, protocols=("leaky", "recording"), folds=5, seeds=(1, 2)):
    """Image-task fold scores as score_gaze_classifiers writes them."""
    rng = np.random.default_rng(0)
    rows = []
    for protocol in protocols:
        for seed in seeds:
            for fold in range(folds):
                for ident, acc in (
                    (
                        {
                            "family": "classical",
                            "model": "DecisionTreeClassifier",
                            "inputs": "flat",
                        },
                        tree_acc[protocol],
                    ),
                    (
                        {"family": "deep", "model": "CNN", "inputs": "velocity sequence"},
                        cnn_acc[protocol],
                    ),
                ):
                    noise = rng.normal(0, 0.01)
                    for metric, value in (("accuracy", acc + noise), ("kappa", acc - 0.3 + noise)):
                        rows.append(
                            {
                                **ident,
                                "protocol": protocol,
                                "seed": seed,
                                "fold": fold,
                                "metric": metric,
                                "value": value,
                            }
                        )
    return pd.DataFrame(rows)


def test_the_findings_table_reaches_each_verdict_from_synthetic_scores():
    image = fold_scores({"leaky": 0.41, "recording": 0.30}, {"leaky": 0.99, "recording": 0.50})
    regression = pd.DataFrame(
        [
            {
                "protocol": "recording",
                "model": model,
                "seed": s,
                "fold": f,
                "metric": "mae",
                "value": value + 0.1 * f,
            }
            for s in (1, 2)
            for f in range(4)
            for model, value in (("LSTM", 10.0), ("LastPoint", 12.0))
        ]
    )
    table = findings(image, regression, SETTINGS)
    verdict = {(row.claim, row.protocol): row.verdict for row in table.itertuples()}
    tree_acc = "decision tree on flattened chunks: accuracy 0.41"
    assert verdict[(tree_acc, "leaky (the document's)")] == "reproduced"
    assert verdict[(tree_acc, "recording")] == "not reproduced"
    perfect = "the CNN is almost perfect after 10 iterations"
    assert verdict[(perfect, "leaky (the document's)")] == "reproduced"
    assert verdict[(perfect, "recording")] == "not reproduced"
    assert verdict[("the CNN beats the decision tree (repeating patterns)", "recording")] == (
        "reproduced"
    )
    leak = [v for (c, p), v in verdict.items() if p == "leaky vs recording"]
    assert leak == ["reproduced"]
    lstm = [v for (c, p), v in verdict.items() if "LSTM" in c]
    assert lstm == ["reproduced"]
    assert table["p (Holm)"].dropna().ge(table["p"].dropna()).all()
    assert set(table.columns) >= {"unit of replication", "document", "CI low", "test"}


def test_claims_without_their_runs_are_not_tested():
    table = findings(None, None, SETTINGS)
    assert (table["verdict"] == "not tested").all()
    assert table["test"].str.startswith("not tested: ").all()
    only_leaky = fold_scores({"leaky": 0.41}, {"leaky": 0.99}, protocols=("leaky",))
    table = findings(only_leaky[only_leaky["model"] != "CNN"], None, SETTINGS)
    assert (table["verdict"] == "not tested").sum() >= 3
