"""The measures reproduce the ETRA 2021 tutorial's worked examples and agree with scikit-learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support

from vigilance.evaluation.comparison import compare
from vigilance.evaluation.measures import (
    accuracy,
    cohen_kappa,
    confusion_matrix,
    per_class,
    summary,
)

# (confusion matrix rows = true class, accuracy, kappa) from the tutorial's "Measures" slides.
TWO_CLASS = [
    ([[81, 1], [17, 1]], 0.82, 0.07),
    ([[80, 2], [15, 3]], 0.83, 0.20),
    ([[66, 16], [2, 16]], 0.82, 0.53),
    ([[64, 18], [0, 18]], 0.82, 0.56),
]
THREE_CLASS = [[24, 3, 9], [3, 24, 24], [2, 15, 49]]


@pytest.mark.parametrize(("cm", "acc", "kappa"), TWO_CLASS)
def test_two_class_examples(cm, acc, kappa):
    assert round(accuracy(cm), 2) == acc
    assert round(cohen_kappa(cm), 2) == kappa


def test_two_class_per_class_measures_of_the_first_example():
    table = per_class([[81, 1], [17, 1]], ["H", "S"]).round(2)
    assert table.loc["H"].tolist() == [0.83, 0.99, 0.90, 82]
    assert table.loc["S"].tolist() == [0.50, 0.06, 0.10, 18]


def test_three_class_example():
    table = per_class(THREE_CLASS).round(2)
    assert table["precision"].tolist() == [0.83, 0.57, 0.60]
    assert table["recall"].tolist() == [0.67, 0.47, 0.74]
    assert table["f1"].tolist() == [0.74, 0.52, 0.66]
    assert table["support"].tolist() == [36, 51, 66]
    scores = {k: round(v, 2) for k, v in summary(THREE_CLASS).items()}
    assert scores["accuracy"] == 0.63
    assert (scores["macro_precision"], scores["macro_recall"], scores["macro_f1"]) == (
        0.67,
        0.63,
        0.64,
    )
    assert (scores["weighted_precision"], scores["weighted_recall"]) == (0.64, 0.63)
    assert scores["weighted_f1"] == 0.63


def _expand(cm):
    """Label vectors whose confusion matrix is ``cm``."""
    pairs = [(i, j) for (i, j), n in np.ndenumerate(np.asarray(cm)) for _ in range(n)]
    true, pred = map(np.array, zip(*pairs, strict=True))
    return true, pred


@pytest.mark.parametrize("cm", [row[0] for row in TWO_CLASS] + [THREE_CLASS])
def test_agrees_with_scikit_learn(cm):
    true, pred = _expand(cm)
    assert np.array_equal(confusion_matrix(true, pred, len(cm)), cm)
    assert cohen_kappa(cm) == pytest.approx(cohen_kappa_score(true, pred))
    p, r, f, support = precision_recall_fscore_support(true, pred, zero_division=0)
    table = per_class(cm)
    assert np.allclose(table[["precision", "recall", "f1"]].to_numpy().T, [p, r, f])
    assert table["support"].tolist() == support.tolist()
    for average in ("macro", "weighted"):
        expected = precision_recall_fscore_support(true, pred, average=average, zero_division=0)
        got = summary(cm)
        assert [got[f"{average}_{m}"] for m in ("precision", "recall", "f1")] == pytest.approx(
            expected[:3]
        )


def test_absent_class_is_left_out_of_the_macro_average():
    # Class 2 has no true sample in this fold (and is never predicted): it must not count as 0.
    cm = [[3, 1, 0], [1, 3, 0], [0, 0, 0]]
    table = per_class(cm)
    assert np.isnan(table.loc[2, "recall"]) and table.loc[2, "support"] == 0
    assert summary(cm)["macro_recall"] == pytest.approx(0.75)


def test_kappa_is_zero_for_a_constant_classifier_and_one_when_perfect():
    assert cohen_kappa([[50, 0], [10, 0]]) == pytest.approx(0.0)
    assert cohen_kappa([[5, 0, 0], [0, 7, 0], [0, 0, 9]]) == pytest.approx(1.0)


def test_compare_ranks_models_and_pools_the_best_models_predictions():
    rng = np.random.default_rng(0)
    rows = []
    for family, model, skill in [
        ("classical", "good", 0.9),
        ("classical", "bad", 0.3),
        ("deep", "net", 0.6),
    ]:
        for scheme in ("grouped", "leaky"):
            for seed in (1, 2):
                for fold in range(3):
                    true = rng.integers(0, 3, 40)
                    pred = np.where(rng.random(40) < skill, true, rng.integers(0, 3, 40))
                    rows.append(
                        pd.DataFrame(
                            {
                                "family": family,
                                "model": model,
                                "scheme": scheme,
                                "seed": seed,
                                "fold": fold,
                                "true": true,
                                "pred": pred,
                            }
                        )
                    )
    predictions = pd.concat(rows, ignore_index=True)
    result = compare(predictions, ["a", "b", "c"], ["family", "model", "scheme"])
    table = result["table"]
    assert table["model"].tolist() == ["good", "net", "bad"]
    assert (table["grouped_accuracy_sd"] > 0).all() and "leaky_kappa_mean" in table
    assert set(result["per_class"]["model"]) == {"good", "net"}
    good = result["confusion"][result["confusion"]["model"] == "good"]
    assert good["count"].sum() == 2 * 3 * 40  # every grouped test prediction of both seeds
    assert result["per_class"].groupby("model")["support"].sum().tolist() == [120, 120]
    scores = result["scores"]
    assert len(scores) == 3 * 2 * 2 * 3 * 8  # models x schemes x seeds x folds x measures
