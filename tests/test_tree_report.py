"""T-SCAF evaluation: claim rows and verdicts, baselines, tables, Grad-CAM, sequence pairs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from vigilance.tree import report as tree_report
from vigilance.tree.claims import claims_table, fixed_claim, paired_claim
from vigilance.tree.findings import findings
from vigilance.tree.gradcam import grad_cam
from vigilance.tree.report import auc_table, table2, table3

torch.set_num_threads(1)


@pytest.mark.parametrize(
    "gain,verdict",
    [(0.05, "reproduced"), (-0.05, "not reproduced"), (0.0, "inconclusive")],
)
def test_a_direction_claim_reaches_each_verdict(gain, verdict):
    b = pd.Series([0.70, 0.74, 0.66, 0.71])
    noise = (
        pd.Series([0.004, -0.003, 0.002, -0.004]) if gain else pd.Series([0.03, -0.03, 0.02, -0.02])
    )
    row = paired_claim(
        "A beats B", "doc", "accuracy", "higher", b + gain + noise, b, "1 vs 0", "pairs"
    )
    assert row["verdict"] == verdict
    assert row["unit of replication"] == "4 pairs"
    assert np.isfinite(row["p"])


def test_a_claim_fixed_by_construction_gets_no_verdict_and_no_p_value():
    rows = [
        fixed_claim(
            "tree < own pair", "Table 1", "params", "43.92 M", "no verdict: by construction"
        ),
        paired_claim(
            "a", "d", "q", "higher", pd.Series([1.0, 1.1, 1.2]), pd.Series([0.0, 0.1, 0.1]), "", "u"
        ),
    ]
    table = claims_table(rows)
    assert table.loc[0, "verdict"].startswith("no verdict") and np.isnan(table.loc[0, "p (Holm)"])
    assert table.loc[1, "p (Holm)"] == table.loc[1, "p"]  # one test: Holm changes nothing


def _final(gap=0.1, leak=0.1):
    """Metrics of a small grid: the tree beats the baselines by ``gap``; frames add ``leak``."""
    rows = []
    arms = [("tree", "both", "alternating", gap), ("tree", "none", "alternating", gap - 0.02),
            ("tree", "la", "alternating", gap), ("tree", "se", "alternating", gap - 0.05),
            ("tree", "both", "accum0.5", gap - 0.01), ("separate", "both", "alternating", gap),
            ("classical", "-", "-", 0.0), ("trivial", "-", "-", -0.2)]  # fmt: skip
    for seed, base in ((1, 0.70), (2, 0.72), (3, 0.69)):
        for split in ("drivers", "frames"):
            for style, attention, training, up in arms:
                if (
                    split == "frames"
                    and style in ("tree", "separate")
                    and (style, attention, training) != ("tree", "both", "alternating")
                ):
                    continue
                value = base + up + (leak if split == "frames" else 0) + 0.001 * seed
                for metric in ("fatigue_accuracy", "verification_accuracy", "mean_accuracy",
                               "fatigue_auc", "verification_auc"):  # fmt: skip
                    rows.append((split, style, attention, training, seed, metric, value))
    columns = ["split", "style", "attention", "training", "seed", "metric", "value"]
    return pd.DataFrame(rows, columns=columns)


COSTS = pd.DataFrame(
    [
        {"root": "configured", "style": "tree", "params_m": 1.0, "gflops": 0.1},
        {"root": "configured", "style": "pair", "params_m": 1.5, "gflops": 0.2},
    ]
)


def test_table2_puts_both_splits_with_their_baselines_beside_the_paper():
    table = table2(_final(), "MobileNetV2Root", ("drivers", "frames"))
    assert table["split"].tolist()[:6] == ["driver-wise"] * 3 + ["frames 9:1 (frame-leaky)"] * 3
    assert any("trivial" in m for m in table["model"]) and any(
        "classical" in m for m in table["model"]
    )
    tree = table[table["model"].str.startswith("T-SCAF (MobileNetV2Root")]
    assert tree["fatigue"].iloc[1] - tree["fatigue"].iloc[0] == pytest.approx(0.1)
    assert (table["replicates"].iloc[:6] == 3).all()


def test_the_ablation_and_auc_tables_carry_the_baselines():
    final = _final()
    assert {"trivial (majority state; constant similarity)"} <= set(
        table3(final, "drivers")["branches"]
    )
    auc = auc_table(final, "drivers").set_index("model")
    assert auc.loc["LASE-Net - Basic (paired)", "fatigue AUC"] == pytest.approx(0.02)


def test_intervals_stay_inside_the_measures_range():
    from vigilance.evaluation.stats import mean_ci

    # Two AUCs of 0.99 and 0.90: the t-interval reaches 1.56; no replicate can pass 1.
    _, low, high = mean_ci([0.99, 0.90])
    assert high > 1
    assert mean_ci([0.99, 0.90], bounds=(0, 1))[1:] == (pytest.approx(low), 1.0)
    per_seed = pd.DataFrame({"fatigue_auc": [0.99, 0.90], "verification_auc": [0.1, -0.8]})
    row = tree_report._stats({}, per_seed, {"fatigue_auc": "f"})
    assert row["f 95% CI"].endswith("1.000]")
    row = tree_report._stats({}, per_seed, {"verification_auc": "v"}, bounds=(-1, 1))
    assert row["v 95% CI"].startswith("[-1.000")


def test_the_findings_reach_verdicts_and_measure_the_leak():
    table = findings(_final(gap=0.1, leak=0.1), COSTS, ("drivers", "frames")).set_index("claim")
    assert table.filter(like="own branches", axis=0)["verdict"].iloc[0].startswith("no verdict")
    assert table.loc["T-SCAF beats the classical baseline on fatigue", "verdict"] == "reproduced"
    leak = "the paper's 9:1 frame split scores T-SCAF higher than new drivers do"
    assert table.loc[leak, "verdict"] == "reproduced"
    assert table.loc[leak, "estimate"] == pytest.approx(0.1)
    losing = findings(_final(gap=-0.1, leak=-0.05), COSTS, ("drivers", "frames")).set_index("claim")
    assert (
        losing.loc["T-SCAF beats the classical baseline on fatigue", "verdict"] == "not reproduced"
    )
    assert losing.loc[leak, "verdict"] == "not reproduced"
    assert table["p (Holm)"].dropna().ge(table["p"].dropna()).all()


def test_baselines_are_scored_on_the_models_test_items():
    from vigilance.tree.baselines import score_baselines

    rng = np.random.default_rng(0)
    labels = np.r_[np.zeros(30, int), np.ones(10, int)]
    images = rng.integers(0, 255, (40, 112, 112, 3), dtype=np.uint8)
    images[labels == 1, :56] = 255  # drowsy images: a bright top half
    test = np.zeros(40, bool)
    test[::4] = True
    who = np.repeat(np.arange(8), 2)
    pairs = {"images": images[:16], "a": np.arange(0, 16, 2), "b": np.arange(1, 16, 2),
             "same": np.array([True, False] * 4), "fold": np.repeat(np.arange(4), 2)}  # fmt: skip
    assert len(who) == 16
    metrics, predictions = score_baselines({"images": images, "labels": labels}, test, pairs, 0)
    m = metrics.set_index(["model", "metric"])["value"]
    assert m["trivial", "fatigue_accuracy"] == pytest.approx(labels[test].tolist().count(0) / 10)
    assert m["trivial", "verification_accuracy"] == 0.5 and m["trivial", "fatigue_auc"] == 0.5
    assert m["classical", "fatigue_accuracy"] == 1.0
    for _, rows in predictions.groupby("model"):
        assert rows["item"].tolist() == np.flatnonzero(test).tolist()


class _Branch(nn.Module):
    def __init__(self):
        super().__init__()
        self.lase = nn.Identity()


class _Known(nn.Module):
    """A model whose evidence is known: its feature map is the image itself; the drowsy logit
    is the mean of channel 0, the embedding the channel means."""

    def __init__(self):
        super().__init__()
        self.fatigue, self.face = _Branch(), _Branch()

    def fatigue_logits(self, x):
        return self.fatigue.lase(x)[:, 0].mean(dim=(1, 2))

    def embed(self, x):
        return self.face.lase(x).mean(dim=(2, 3))


def _image(value):
    """(1, 3, 16, 16): zero but for a patch in the top-left corner of channel 0."""
    x = torch.zeros(1, 3, 16, 16)
    x[0, 0, :4, :4] = value
    return x


def test_grad_cam_explains_the_predicted_class_where_the_evidence_is():
    model = _Known()
    for value in (1.0, -1.0):  # drowsy evidence; alert evidence (a negative logit)
        cam = grad_cam(model, _image(value), "fatigue")[0]
        assert cam[:4, :4].mean() > 0.9 and cam[6:, 6:].max() < 0.05
    # The drowsy logit on the alert image would show nothing: ReLU of negative evidence.
    x = _image(-1.0).requires_grad_(True)
    assert model.fatigue_logits(x).item() < 0


def test_grad_cam_of_the_face_branch_follows_the_similarity_to_the_identity_centre():
    model = _Known()
    x = _image(1.0)
    x[0, 1, 12:, 12:] = 1.0  # a second patch, on a channel the identity's centre lacks
    centre = torch.tensor([[1.0, 0.0, 0.0]])
    cam = grad_cam(model, x, "face", centre)[0]
    # The patch that makes the face like its owner lights up, the one that makes it unlike not.
    assert cam[:4, :4].mean() > 0.9 and cam[12:, 12:].max() < 0.05
    with pytest.raises(ValueError, match="centres"):
        grad_cam(model, _image(1.0), "face")


def test_sequence_verification_folds_are_driver_disjoint_balanced_and_non_overlapping():
    from vigilance.tree.sequence import verification_pairs

    rng = np.random.default_rng(0)
    who = np.repeat(np.arange(12), 30)
    starts = np.concatenate([d * 100 + np.arange(30) for d in range(12)])  # step-1 windows
    sizes = np.full(len(who), 10)
    a, b, same, fold = verification_pairs(who, starts, sizes, rng, 10, 20)
    assert sorted(np.unique(fold)) == list(range(6))  # 12 drivers: at most 2 per fold
    for f in np.unique(fold):
        assert same[fold == f].sum() == (~same[fold == f]).sum() == 10
    drivers = {f: set(who[a[fold == f]]) | set(who[b[fold == f]]) for f in np.unique(fold)}
    for f in drivers:
        for g in drivers:
            assert f == g or not drivers[f] & drivers[g]
    assert (who[a[same]] == who[b[same]]).all() and (who[a[~same]] != who[b[~same]]).all()
    gap = np.abs(starts[a[same]] - starts[b[same]])
    assert (gap >= 10).all()  # the two windows of a matched pair share no blink
