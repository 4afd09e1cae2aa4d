"""The shared measures reproduce the ETRA 2021 tutorial's worked examples and agree with sklearn."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support

from vigilance.core.errors import VigilanceError
from vigilance.evaluation.comparison import compare, fold_scores
from vigilance.evaluation.measures import (
    SCALARS,
    accuracy,
    averaged,
    classification_scores,
    confusion_matrix,
    kappa,
    per_class,
    regression_scores,
    roc_auc,
)

# The tutorial's "Measures" slides (document 002): confusion matrix (rows = true class H, S),
# accuracy, kappa, and (precision, recall, F1) of H and of S.
TWO_CLASS = [
    ([[81, 1], [17, 1]], 0.82, 0.07, (0.83, 0.99, 0.90), (0.50, 0.06, 0.10)),
    ([[80, 2], [15, 3]], 0.83, 0.20, (0.84, 0.98, 0.90), (0.60, 0.17, 0.26)),
    ([[66, 16], [2, 16]], 0.82, 0.53, (0.97, 0.80, 0.88), (0.50, 0.89, 0.64)),
    ([[64, 18], [0, 18]], 0.82, 0.56, (1.00, 0.78, 0.88), (0.50, 1.00, 0.67)),
]
# "Example for three classes": its classification report.
THREE_CLASS = [[24, 3, 9], [3, 24, 24], [2, 15, 49]]


def expand(cm):
    """Label vectors whose confusion matrix is ``cm``."""
    pairs = [(i, j) for (i, j), n in np.ndenumerate(np.asarray(cm)) for _ in range(n)]
    true, pred = map(np.array, zip(*pairs, strict=True))
    return true, pred


@pytest.mark.parametrize(("cm", "acc", "kap", "healthy", "sick"), TWO_CLASS)
def test_the_tutorials_two_class_examples(cm, acc, kap, healthy, sick):
    true, pred = expand(cm)
    assert np.array_equal(confusion_matrix(true, pred, 2), cm)
    assert round(accuracy(true, pred), 2) == acc
    assert round(kappa(true, pred, 2), 2) == kap
    table = per_class(true, pred, 2, ["H", "S"]).round(2)
    assert tuple(table.loc["H", ["precision", "recall", "f1"]]) == healthy
    assert tuple(table.loc["S", ["precision", "recall", "f1"]]) == sick
    assert table["support"].tolist() == [82, 18]


def test_the_tutorials_three_class_example():
    true, pred = expand(THREE_CLASS)
    table = per_class(true, pred, 3).round(2)
    assert table["precision"].tolist() == [0.83, 0.57, 0.60]
    assert table["recall"].tolist() == [0.67, 0.47, 0.74]
    assert table["f1"].tolist() == [0.74, 0.52, 0.66]
    assert table["support"].tolist() == [36, 51, 66]
    scores = {k: round(v, 2) for k, v in classification_scores(true, pred, 3).items()}
    assert scores["accuracy"] == 0.63  # also the report's "micro avg" row
    assert (scores["macro_precision"], scores["macro_recall"], scores["macro_f1"]) == (
        0.67,
        0.63,
        0.64,
    )
    assert (scores["weighted_precision"], scores["weighted_recall"]) == (0.64, 0.63)
    assert scores["weighted_f1"] == 0.63
    assert list(scores) == list(SCALARS)


@pytest.mark.parametrize("cm", [row[0] for row in TWO_CLASS] + [THREE_CLASS])
def test_agrees_with_scikit_learn(cm):
    true, pred = expand(cm)
    assert kappa(true, pred, len(cm)) == pytest.approx(cohen_kappa_score(true, pred))
    p, r, f, support = precision_recall_fscore_support(true, pred, zero_division=0)
    table = per_class(true, pred, len(cm))
    assert np.allclose(table[["precision", "recall", "f1"]].to_numpy().T, [p, r, f])
    assert table["support"].tolist() == support.tolist()
    got = classification_scores(true, pred, len(cm))
    for average in ("macro", "weighted"):
        expected = precision_recall_fscore_support(true, pred, average=average, zero_division=0)
        assert [got[f"{average}_{m}"] for m in ("precision", "recall", "f1")] == pytest.approx(
            expected[:3]
        )


def test_weighted_kappa_by_hand():
    # Rows true 0,0,1,2 vs predicted 0,1,1,0; marginals true (2,1,1)/4, predicted (2,2,0)/4.
    true, pred = [0, 0, 1, 2], [0, 1, 1, 0]
    # Unweighted: p_o = 2/4, p_e = .5*.5 + .25*.5 = .375 -> (.5 - .375) / .625 = 0.2.
    assert kappa(true, pred, 3) == pytest.approx(0.2)
    # Linear |i-j|: observed disagreement (1 + 2) / 4 = .75, expected .75 -> 1 - 1 = 0.
    assert kappa(true, pred, 3, "linear") == pytest.approx(0.0)
    # Quadratic (i-j)^2: observed (1 + 4) / 4 = 1.25, expected 1.0 -> 1 - 1.25 = -0.25.
    assert kappa(true, pred, 3, "quadratic") == pytest.approx(-0.25)
    with pytest.raises(VigilanceError, match="weights"):
        kappa(true, pred, 3, "cubic")


def test_the_label_set_is_explicit_and_macro_averages_run_over_all_of_it():
    # Class 2 of the label set never occurs (not in truth, not predicted).
    true, pred = [0, 0, 0, 1, 1, 1, 0, 1], [0, 0, 0, 1, 1, 1, 1, 0]
    assert confusion_matrix(true, pred, 3).tolist() == [[3, 1, 0], [1, 3, 0], [0, 0, 0]]
    table = per_class(true, pred, 3)
    assert table.loc[2].tolist() == [0.0, 0.0, 0.0, 0]  # zero_division=0
    all_three = classification_scores(true, pred, 3)
    assert all_three["macro_recall"] == pytest.approx(0.75 * 2 / 3)
    assert all_three["macro_f1"] == pytest.approx(0.5)
    present = classification_scores(true, pred, 3, macro_over="support")
    assert present["macro_recall"] == pytest.approx(0.75)
    assert present["weighted_f1"] == all_three["weighted_f1"] == pytest.approx(0.75)
    assert averaged(true, pred, [0, 1], "macro") == pytest.approx((0.75, 0.75, 0.75))
    # Under "support", a class that is predicted but absent from the truth is left out too.
    assert classification_scores([0, 0, 1], [0, 2, 1], 3, macro_over="support")[
        "macro_recall"
    ] == pytest.approx(0.75)
    with pytest.raises(VigilanceError, match="macro_over"):
        classification_scores(true, pred, 3, macro_over="present")


def test_labels_outside_the_set_and_mismatched_inputs_are_refused():
    with pytest.raises(VigilanceError, match=r"y_pred.*3.*outside the label set"):
        confusion_matrix([0, 1, 2], [0, 1, 3], 3)
    with pytest.raises(VigilanceError, match=r"y_true.*'c'"):
        per_class(["a", "c"], ["a", "b"], ["a", "b"])
    with pytest.raises(VigilanceError, match="equal, non-empty"):
        classification_scores([0, 1], [0], 2)
    with pytest.raises(VigilanceError, match="equal, non-empty"):
        regression_scores([], [])


def test_kappa_is_zero_for_a_constant_classifier_one_when_perfect_nan_when_undefined():
    assert kappa(*expand([[50, 0], [10, 0]]), 2) == pytest.approx(0.0)
    assert kappa(*expand([[5, 0, 0], [0, 7, 0], [0, 0, 9]]), 3) == pytest.approx(1.0)
    assert math.isnan(kappa([1, 1, 1], [1, 1, 1], 3, "quadratic"))


def test_string_labels_keep_their_given_order():
    true, pred = ["b", "a", "b", "c"], ["b", "b", "b", "c"]
    assert confusion_matrix(true, pred, ["c", "b", "a"]).tolist() == [
        [1, 0, 0],
        [0, 2, 0],
        [0, 1, 0],
    ]


def test_regression_measures_by_hand():
    # Errors .5, 0, -1, 1: MAE 2.5/4, MSE 2.25/4, RMSE .75; SS_tot of 1..4 is 5 -> R^2 .55.
    got = regression_scores([1, 2, 3, 4], [1.5, 2, 2, 5])
    assert got == pytest.approx({"mae": 0.625, "mse": 0.5625, "rmse": 0.75, "r2": 0.55})
    assert regression_scores([1, 2], [1, 2])["r2"] == 1.0
    assert math.isnan(regression_scores([3, 3], [2, 4])["r2"])


def test_roc_auc_needs_both_classes():
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert math.isnan(roc_auc([1, 1], [0.2, 0.9]))


def test_fold_scores_leave_a_class_absent_from_the_fold_out_of_its_macro_average():
    # Fold 0 has no window of class 2 (its recordings sit in fold 1): macro recall 0.75, not 0.5.
    predictions = pd.DataFrame(
        {
            "model": "m",
            "seed": 1,
            "fold": [0] * 8 + [1] * 2,
            "true": [0, 0, 0, 1, 1, 1, 0, 1, 2, 2],
            "pred": [0, 0, 0, 1, 1, 1, 1, 0, 2, 2],
        }
    )
    scores = fold_scores(predictions, 3, ["model"]).set_index(["fold", "metric"])["value"]
    assert scores[(0, "macro_recall")] == pytest.approx(0.75)
    assert scores[(1, "macro_recall")] == pytest.approx(1.0)
    assert math.isnan(scores[(1, "kappa")])  # one class only in the fold: undefined


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
