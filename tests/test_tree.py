"""T-SCAF: blocks, ArcFace, both training schemes, FLOPs, the LFW protocol, data and adapters."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch
from torch import nn
from tree_helpers import make_folders

from vigilance.core.errors import VigilanceError
from vigilance.tree import data, faces
from vigilance.tree.blocks import BLOCKS, LASENet, SubCenterArcFace
from vigilance.tree.costs import count_flops, model_costs
from vigilance.tree.lfw import best_threshold, verification_accuracy
from vigilance.tree.model import build_model
from vigilance.tree.roots import ROOTS, IResNetRoot, MobileNetV2Root
from vigilance.tree.train import accumulation_step, alternating_step, task_step, to_tensor

torch.set_num_threads(1)

ROOT = {
    "name": "MobileNetV2Root",
    "mobilenet": {"width": 0.25, "stages": 3, "last_channels": 0},
    "iresnet": {"depth": 10, "width": 4},
}
MODEL = {
    "root": ROOT,
    "attention": "both",
    "la_reduction": 4,
    "embedding": 16,
    "arcface": {"subcenters": 3, "margin": 0.5, "scale": 20.0},
}
SHAPES = {"FatigueHead": (2,), "FaceHead": (2, 32), "FatigueBranch": (2,), "FaceBranch": (2, 32)}


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_every_block_has_the_documented_shape(name):
    x = torch.randn(2, 16, 7, 7)
    out = BLOCKS[name](16, 7, 7)(x)
    assert out.shape == SHAPES.get(name, x.shape)


@pytest.mark.parametrize("name", sorted(ROOTS))
def test_every_root_maps_112_images_to_a_feature_map(name):
    root = MobileNetV2Root(0.25, 3, 0) if name == "MobileNetV2Root" else IResNetRoot(10, 4)
    out = root(torch.randn(2, 3, 112, 112))
    assert out.shape == (2, root.out_channels, 7, 7) if name == "IResNetRoot" else out.ndim == 4
    assert out.shape[1] == root.out_channels


def test_lase_net_with_zeroed_attention_weights_is_twice_its_residual_path():
    lase = LASENet(16, "both")
    for p in lase.parameters():
        nn.init.zeros_(p)
    x = torch.randn(2, 16, 5, 5)
    # Eq. 4 with both attentions at sigmoid(0) = 1/2: x + x/2 + x/2.
    torch.testing.assert_close(lase(x), 2 * x)
    torch.testing.assert_close(LASENet(16, "none")(x), x)
    se_only = LASENet(16, "se")
    for p in se_only.parameters():
        nn.init.zeros_(p)
    torch.testing.assert_close(se_only(x), 1.5 * x)


def test_arcface_adds_the_margin_to_the_target_class_only():
    arc = SubCenterArcFace(4, classes=3, subcenters=1, margin=0.5, scale=20.0)
    with torch.no_grad():
        arc.weight.copy_(torch.eye(4)[:3])
    emb = torch.tensor([[0.6, 0.8, 0.0, 0.0]])
    logits = arc.logits(emb, torch.tensor([1]))
    cos = torch.tensor([0.6, 0.8, 0.0])
    expected = 20.0 * cos
    expected[1] = 20.0 * math.cos(math.acos(0.8) + 0.5)
    torch.testing.assert_close(logits[0], expected, atol=1e-4, rtol=0)


def test_arcface_takes_the_best_sub_centre_of_each_class():
    arc = SubCenterArcFace(2, classes=2, subcenters=3)
    with torch.no_grad():  # class 0: sub-centres at 0, 90 and 180 degrees; class 1: all at 45
        arc.weight.copy_(
            torch.tensor([[1.0, 0], [0, 1], [-1, 0], [1, 1], [1, 1], [1, 1]], dtype=torch.float)
        )
    cos = arc.cosines(torch.tensor([[0.0, 2.0]]))
    torch.testing.assert_close(cos[0], torch.tensor([1.0, math.sqrt(0.5)]))


def test_arcface_falls_back_where_theta_plus_m_passes_pi():
    m = 0.5
    arc = SubCenterArcFace(2, classes=2, subcenters=1, margin=m, scale=1.0)
    with torch.no_grad():
        arc.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
    # Angles to the target class 0 on both sides of pi - m.
    theta = torch.tensor([1.0, 2.0, math.pi - m - 0.05, math.pi - m + 0.05, 2.9, 3.1])
    emb = torch.stack([torch.cos(theta), torch.sin(theta)], dim=1)
    target = arc.logits(emb, torch.zeros(6, dtype=torch.long))[:, 0]
    cos = torch.cos(theta)
    below = theta < math.pi - m
    torch.testing.assert_close(target[below], torch.cos(theta[below] + m), atol=1e-5, rtol=0)
    torch.testing.assert_close(target[~below], cos[~below] - m * math.sin(m), atol=1e-5, rtol=0)
    # Without the fallback cos(theta + m) would rise again past pi - m; with it the target
    # logit keeps falling as the angle grows.
    assert (torch.diff(target) < 0).all()


def _model(style="tree", seed=0):
    torch.manual_seed(seed)
    return build_model(style, MODEL, identities=5)


def _batches(seed=0):
    g = torch.Generator().manual_seed(seed)
    images = torch.randn(6, 3, 112, 112, generator=g)
    return (images, torch.tensor([0, 1, 0, 1, 1, 0])), (images.flip(0), torch.arange(6) % 5)


def _state(module):
    return {k: v.clone() for k, v in module.state_dict().items()}


def _same(a, b):
    return all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("task,other", [("fatigue", "face"), ("face", "fatigue")])
def test_an_alternating_update_leaves_the_other_branch_unchanged(task, other):
    model = _model()
    fat, face = _batches()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    alternating_step(model, optimizer, fat, face)  # Adam now has momentum for every weight
    frozen = [_state(getattr(model, other))] + ([_state(model.arcface)] if other == "face" else [])
    root, own = _state(model.root), _state(getattr(model, task))
    task_step(model, optimizer, task, fat if task == "fatigue" else face)
    after = [_state(getattr(model, other))] + ([_state(model.arcface)] if other == "face" else [])
    assert all(_same(a, b) for a, b in zip(frozen, after, strict=True))
    assert not _same(root, _state(model.root))
    assert not _same(own, _state(getattr(model, task)))


def test_a_gradient_accumulation_step_is_the_weighted_sum_of_both_gradients():
    w = 0.3
    model = _model().double()  # float64: the sums agree to rounding, whatever the order
    (x, y), (xf, yf) = _batches()
    fat, face = (x.double(), y), (xf.double(), yf)
    reference = copy.deepcopy(model)
    params = list(reference.parameters())
    lf = reference.fatigue.head.loss(reference.fatigue_logits(fat[0]), fat[1])
    g_f = torch.autograd.grad(lf, params, allow_unused=True)
    lface = reference.arcface(reference.embed(face[0]), face[1])
    g_face = torch.autograd.grad(lface, params, allow_unused=True)
    accumulation_step(model, torch.optim.SGD(model.parameters(), lr=0.0), fat, face, w)
    for p, a, b in zip(model.parameters(), g_f, g_face, strict=True):
        expected = sum(c * g for c, g in ((w, a), (1 - w, b)) if g is not None)
        torch.testing.assert_close(
            p.grad, expected, atol=1e-7, rtol=1e-6
        )  # BN backward cancels large terms


def test_the_flop_count_of_known_layers():
    # Conv 3 -> 8, 3x3, on 10x10 (same padding): 8 * 100 * 27 multiply-adds = 2 * 21600 FLOPs.
    assert count_flops(nn.Conv2d(3, 8, 3, padding=1), torch.zeros(1, 3, 10, 10)) == 43200
    assert count_flops(nn.Linear(10, 5), torch.zeros(4, 10)) == 2 * 4 * 10 * 5


def test_the_tree_is_cheaper_than_the_pair():
    tree, pair = model_costs(_model("tree")), model_costs(_model("separate"))
    assert tree["params_m"] < pair["params_m"]
    assert tree["gflops"] < pair["gflops"]


def test_both_styles_serve_both_tasks():
    for style in ("tree", "separate"):
        model = _model(style).eval()
        logits, emb = model(torch.randn(3, 3, 112, 112))
        assert logits.shape == (3,) and emb.shape == (3, 16)


def test_the_lfw_protocol_fits_the_threshold_on_the_other_folds():
    # Ten folds of two pairs; fold 0 holds a 'same' pair scored 0.4, below the threshold that
    # the other nine folds (same >= 0.8, different <= 0.2) agree on: one error in fold 0 only.
    scores = np.array([0.4, 0.1] + [0.9, 0.2] * 9)
    same = np.array([True, False] * 10)
    folds = np.repeat(np.arange(10), 2)
    result = verification_accuracy(scores, same, folds)
    assert result["fold_accuracy"][0] == 0.5
    assert result["fold_accuracy"][1:] == [1.0] * 9
    assert result["accuracy"] == pytest.approx(0.95)
    assert 0.2 < result["thresholds"][0] < 0.9
    assert best_threshold(np.array([0.1, 0.5, 0.9]), np.array([False, True, True])) == 0.3


def test_the_lfw_protocol_needs_two_folds():
    with pytest.raises(VigilanceError, match="at least 2 folds"):
        verification_accuracy([0.1, 0.2], [True, False], [0, 0])


def test_the_generator_gives_drivers_both_splits_and_balanced_pairs(tmp_path):
    cfg = {
        "drivers": 6,
        "frames_per_driver": 10,
        "identities": 3,
        "images_per_identity": 2,
        "pair_identities": 20,
        "images_per_pair_identity": 2,
        "folds": 10,
        "pairs_per_fold": 4,
        "nuisance": 1.0,
    }
    out = {k: tmp_path / f"{k}.npz" for k in ("fatigue", "identity", "pairs")}
    data.generate(cfg, data.SplitSettings(("drivers", "frames"), 3, 0), out)
    fatigue, pairs = data.load_npz(out["fatigue"]), data.load_npz(out["pairs"])
    assert fatigue["images"].shape == (60, 112, 112, 3) and fatigue["images"].dtype == np.uint8
    assert list(np.unique(fatigue["driver"])) == list(range(6))
    # Driver-wise: every driver in exactly one fold; frames: 10 folds of about a tenth each.
    per_driver = {d: set(fatigue["drivers_fold"][fatigue["driver"] == d]) for d in range(6)}
    assert all(len(f) == 1 for f in per_driver.values())
    assert sorted(np.unique(fatigue["drivers_fold"])) == [0, 1, 2]
    assert np.bincount(fatigue["frames_fold"]).tolist() == [6] * 10
    assert sorted(np.unique(pairs["fold"])) == list(range(10))
    assert list(pairs["tested"]) == list(range(10))
    assert pairs["same"].sum() == 20 and (~pairs["same"]).sum() == 20
    assert (pairs["a"] != pairs["b"]).all()


def test_drivers_show_fatigue_each_in_their_own_way():
    styles = faces.draw_styles(np.random.default_rng(0), 16)
    # One driver's drowsy eyes are as open as another's alert eyes: no single threshold works.
    assert styles["eyes_drowsy"].max() > styles["eyes_alert"].min()
    assert (styles["eyes_alert"] - styles["eyes_drowsy"] > 0.25).all()
    assert styles["yawn"].max() - styles["yawn"].min() > 0.5


def test_eyes_close_when_drowsy():
    rng = np.random.default_rng(0)
    states = faces.draw_states(rng, np.array([True] * 200 + [False] * 200))
    assert states["eyes"][:200].mean() < 0.3 < 0.7 < states["eyes"][200:].mean()


def _import(cfg, tmp_path, splits=("drivers", "frames")):
    out = {k: tmp_path / f"{k}.npz" for k in ("fatigue", "identity", "pairs")}
    return data.import_folders(cfg, data.SplitSettings(splits, 2, 0), out), out


def test_the_adapters_read_driver_folders_and_an_lfw_pairs_file(tmp_path):
    sizes, out = _import(make_folders(tmp_path), tmp_path)
    assert sizes == {"fatigue": 8, "drivers": 2, "identity": 4, "pairs": 4}
    fatigue = data.load_npz(out["fatigue"])
    assert fatigue["images"].shape == (8, 112, 112, 3)
    assert list(fatigue["labels"]) == [0, 0, 0, 0, 1, 1, 1, 1]
    assert list(fatigue["driver"]) == [0, 0, 1, 1, 0, 0, 1, 1]
    assert sorted(np.unique(fatigue["drivers_fold"])) == [0, 1]
    pairs = data.load_npz(out["pairs"])
    assert len(pairs["images"]) == 4  # each image read once
    assert list(pairs["same"]) == [True, False, True, False]
    assert list(pairs["fold"]) == [0, 0, 1, 1]


@pytest.mark.parametrize(
    "breakage,message",
    [
        (lambda r: (r / "fatigue" / "drowsy").rename(r / "fatigue" / "sleepy"), "wrong class"),
        (lambda r: (r / "fatigue" / "alert" / "d1" / "0.png").write_text("x"), "cannot read"),
        (lambda r: (r / "pairs.txt").write_text("2 2\ncid 1 2\n"), "wrong number of pairs"),
        (lambda r: (r / "pairs.txt").write_text("1 1\ncid one two\nc 1 d 1\n"), "malformed"),
        (lambda r: (r / "pairs.txt").write_text("1 1\ncid 1 9\ncid 1 dee 1\n"), "is missing"),
        (lambda r: (r / "pairs.txt").write_text("two\n"), "cannot read the header"),
        # A mismatched pair where the protocol puts a matched one.
        (lambda r: (r / "pairs.txt").write_text("1 1\ncid 1 dee 1\ncid 1 2\n"), "matched pair"),
    ],
)
def test_malformed_folders_give_clear_errors(tmp_path, breakage, message):
    cfg = make_folders(tmp_path)
    breakage(tmp_path)
    with pytest.raises(VigilanceError, match=message) as err:
        _import(cfg, tmp_path)
    assert str(tmp_path) in str(err.value)


def test_images_become_tensors_in_minus_one_to_one():
    x = to_tensor(np.array([[[[0, 255, 127]]]], dtype=np.uint8))
    assert x.shape == (1, 3, 1, 1)
    torch.testing.assert_close(x.flatten(), torch.tensor([-1.0, 1.0, 127 / 127.5 - 1]))


def test_resizing_is_antialiased():
    from vigilance.tree.images import resize

    flat = np.full((40, 30, 3), 77, dtype=np.uint8)
    np.testing.assert_array_equal(resize(flat), 77)
    # A one-pixel checkerboard shrunk 4x: an antialiased filter averages it to mid-grey, point
    # sampling (no antialiasing) would keep pure black and white pixels.
    board = ((np.indices((448, 448)).sum(0) % 2) * 255).astype(np.uint8)
    out = resize(np.repeat(board[..., None], 3, axis=2))
    assert out.shape == (112, 112, 3)
    assert np.abs(out.astype(int) - 127).max() <= 3


def _sequence_data(rng, drivers, per_driver=60, n=9, window=10, kss=True):
    from vigilance.blink.windows import BlinkWindows

    who = np.repeat(np.arange(drivers), per_driver)
    features = rng.normal(size=(len(who), n)) + who[:, None] * 0.5
    labels = rng.integers(1, 10, len(who)).astype(float) if kss else np.full(len(who), np.nan)
    windows = BlinkWindows.from_arrays(features, labels, [per_driver] * drivers, window)
    return windows, torch.as_tensor(who[windows.starts.numpy()])


SEQUENCE = {
    "d_model": 8,
    "n_blocks": 1,
    "n_heads": 2,
    "embedding": 8,
    "arcface": {"subcenters": 3, "margin": 0.5, "scale": 20.0},
    "learning_rate": 1e-3,
    "steps": 3,
    "batch_size": 8,
    "drowsy_kss": 7,
    "test_stride": 2,
    "pair_windows": 60,
    "pairs_per_fold": 4,
}


@pytest.mark.parametrize("tasks", ["drowsiness", "drowsiness+identity"])
def test_the_sequence_variant_trains_and_reports_both_tasks(tasks):
    from vigilance.tree.sequence import run_sequence

    rng = np.random.default_rng(0)
    data = {
        "drowsy_train": _sequence_data(rng, 3),
        "drowsy_test": _sequence_data(rng, 2),
        "identity_train": _sequence_data(rng, 4, kss=False),
        "unseen": _sequence_data(rng, 4, kss=False),
    }
    rows, metrics = run_sequence(data, SEQUENCE, tasks, seed=1)
    assert set(metrics) == {"drowsiness_accuracy", "drowsiness_auc", "verification_accuracy"}
    assert all(0 <= v <= 1 for v in metrics.values())
    identity = [r["value"] for r in rows if r["metric"] == "identity_loss"]
    assert all(math.isnan(v) for v in identity) == (tasks == "drowsiness")


def test_too_few_unseen_drivers_leave_verification_not_computable():
    from vigilance.tree.sequence import run_sequence

    rng = np.random.default_rng(0)
    data = {
        "drowsy_train": _sequence_data(rng, 3),
        "drowsy_test": _sequence_data(rng, 2),
        "identity_train": _sequence_data(rng, 4, kss=False),
        "unseen": _sequence_data(rng, 3, kss=False),  # 3 drivers: no 2 folds of 2
    }
    _, metrics = run_sequence(data, SEQUENCE, "drowsiness+identity", seed=1)
    assert math.isnan(metrics["verification_accuracy"])
    assert 0 <= metrics["drowsiness_accuracy"] <= 1


def test_the_1d_lase_branch_keeps_shapes_and_ignores_padding():
    from vigilance.tree.sequence import ChannelSE, DrowsinessHead, SequenceBranch

    branch = SequenceBranch(8, DrowsinessHead(8)).eval()
    h = torch.randn(2, 5, 8)
    mask = torch.tensor([[True] * 5, [True] * 3 + [False] * 2])
    out = branch(h, mask)
    assert out.shape == (2,)
    changed = h.clone()
    changed[1, 3:] = 100.0  # padded steps must not change the second window's output
    torch.testing.assert_close(branch(changed, mask), out)
    assert ChannelSE(8)(h, mask).shape == h.shape


@pytest.mark.parametrize(
    ("gains", "verdict"),
    [
        ((0.051, 0.052, 0.053), "reproduced"),
        ((-0.051, -0.052, -0.053), "not reproduced"),
        ((0.05, -0.06, 0.01), "inconclusive"),
        ((0.05,), "not tested"),  # one seed: no interval, no test
    ],
)
def test_the_sequence_table_judges_the_paired_difference(gains, verdict):
    import pandas as pd

    from vigilance.tree.report import identity_helps

    rows = []
    bases = (0.70, 0.74, 0.66)[: len(gains)]
    for seed, (base, gain) in enumerate(zip(bases, gains, strict=True), start=1):
        for tasks, plus in (("drowsiness", 0.0), ("drowsiness+identity", gain)):
            row = {"tasks": tasks, "seed": seed, "metric": "drowsiness_accuracy"}
            rows.append({**row, "value": base + plus})
    table = identity_helps(pd.DataFrame(rows)).set_index("metric")
    assert table.loc["drowsiness_accuracy", "identity helps drowsiness?"] == verdict
    mean = sum(gains) / len(gains)
    assert table.loc["drowsiness_accuracy", "tree - single (paired)"] == pytest.approx(mean)
