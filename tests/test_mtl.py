"""Multi-task part: adapters on generated files, windows, splits, models, trace norm, metrics."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
from sklearn.metrics import f1_score

from vigilance.core.errors import VigilanceError
from vigilance.mtl import deap, opportunity
from vigilance.mtl.data import split
from vigilance.mtl.metrics import scores
from vigilance.mtl.models import tensor_trace_norm
from vigilance.mtl.registry import build_model, registry
from vigilance.mtl.windows import (
    clip_spikes,
    fill_missing,
    group_split,
    majority_labels,
    recording_holdout_split,
    window_count,
)

torch.set_num_threads(1)
ARCH = {
    "filters": [4, 4],
    "kernels": [5, 3],
    "pools": [2, 2],
    "dense": [8],
    "head": [6],
    "lstm_hidden": 4,
}


@pytest.fixture(scope="module")
def opp_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("opportunity")
    opportunity.generate(folder, rows=200, seed=3)
    return folder


@pytest.fixture(scope="module")
def deap_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("deap")
    deap.generate(folder, subjects=1, seed=3)
    return folder


def test_generated_opportunity_files_have_the_exact_format(opp_dir):
    files = opportunity.find_files(opp_dir)
    assert len(files) == 24 and (1, "Drill") in files and (4, "ADL5") in files
    values = opportunity.read_dat(files[(1, "ADL1")])
    assert values.shape[1] == 250
    assert np.isnan(values[-1, 1:243]).all(), "a trailing stretch of NaN rows"
    assert 406516 in values[:, 249] or 404516 in values[:, 249] or (values[:, 249] > 0).any()


def test_channel_selection_remapping_and_nan_filling(opp_dir):
    values = opportunity.read_dat(opportunity.find_files(opp_dir)[(2, "ADL2")])
    assert len(opportunity.CHANNELS) == 107
    assert opportunity.CHANNELS[0] == 1 and opportunity.CHANNELS[-1] == 133
    assert 13 not in opportunity.CHANNELS and 134 not in opportunity.CHANNELS
    signal, labels = opportunity.preprocess(values, clip=False, sigmas=10)
    assert signal.shape == (200, 107), "trailing NaN rows cut"
    assert not np.isnan(signal).any()
    raw = values[:200, opportunity.CHANNELS]
    ok = ~np.isnan(raw)
    assert np.array_equal(signal[ok], raw[ok])
    assert labels.shape == (200, 7)
    for k, track in enumerate(opportunity.TRACKS):
        assert labels[:, k].max() < opportunity.N_CLASSES[track]
    assert opportunity.N_CLASSES["ML_Both_Arms"] == 18
    raw_ml = values[:200, 249]
    assert np.array_equal(labels[:, 6] == 0, raw_ml == 0)
    assert opportunity.remap_labels(np.array([[4, 105, 213, 323, 401, 501, 405506]]))[
        0
    ].tolist() == [
        4,
        5,
        13,
        23,
        1,
        1,
        17,
    ]


def test_fill_forward_and_leading_with_first_valid():
    x = np.array([[np.nan, 1.0], [2.0, np.nan], [np.nan, np.nan], [5.0, 3.0]])
    assert fill_missing(x).tolist() == [[2.0, 1.0], [2.0, 1.0], [2.0, 1.0], [5.0, 3.0]]


@pytest.mark.parametrize(
    ("n", "length", "step"), [(200, 64, 3), (64, 64, 3), (63, 64, 1), (1000, 128, 64)]
)
def test_window_count_formula(n, length, step):
    labels = np.zeros((n, 1), dtype=int)
    expected = 0 if n < length else (n - length) // step + 1
    assert window_count(n, length, step) == expected == len(majority_labels(labels, length, step))


def test_majority_ties_go_to_the_smaller_id():
    labels = np.array([[5], [5], [2], [2], [7], [7], [7], [2]])
    assert majority_labels(labels, 4, 4)[:, 0].tolist() == [2, 7]


def test_clipping_applies_and_bounds_hold():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (2000, 3))
    x[100, 1] = 1e4
    clipped, bounds = clip_spikes(x, 10)
    assert clipped[100, 1] == pytest.approx(bounds[1, 1]) and clipped[100, 1] < 1e4 / 2
    assert (clipped >= bounds[0]).all() and (clipped <= bounds[1]).all()
    assert np.array_equal(clipped[:, 0], x[:, 0]), "a channel without spikes is unchanged"


def test_opportunity_windows_and_the_thesis_split(opp_dir):
    settings = {"train_runs": ["Drill", "ADL1", "ADL2"], "validation_runs": ["ADL3"]}
    settings["test_runs"] = ["ADL4", "ADL5"]
    clipped = opportunity.load_windows(opp_dir, 64, 3, True, 10)
    raw = opportunity.load_windows(opp_dir, 64, 3, False, 10)
    assert clipped["x"].shape == (24 * window_count(200, 64, 3), 64, 107)
    assert np.abs(raw["x"]).max() > np.abs(clipped["x"]).max(), "the clipping reaches the windows"
    sides = split("opportunity", clipped, settings, seed=1)
    assert set(clipped["run"][sides == 2]) == {"ADL4", "ADL5"}
    assert set(clipped["run"][sides == 1]) == {"ADL3"}


def test_deap_shapes_119_windows_per_trial_and_binarised(deap_dir):
    data, labels = deap.read_subject(deap_dir / "s01.dat")
    assert data.shape == (40, 40, 8064) and labels.shape == (40, 4)
    windows = deap.load_windows(deap_dir, 128, 64, threshold=5.0)
    assert windows["x"].shape == (40 * 119, 128, 40)
    assert (np.bincount(windows["trial"])[np.unique(windows["trial"])] == 119).all()
    first = windows["y"][windows["trial"] == 100]
    assert (first == (labels[0] >= 5)).all()
    assert np.allclose(windows["x"][0, :, 3], data[0, 3, 384:512])


def test_trial_wise_split_has_no_trial_on_both_sides(deap_dir):
    windows = deap.load_windows(deap_dir, 128, 64, threshold=5.0)
    settings = {"test_share": 0.3, "validation_share": 0.15}
    sides = split("deap-trials", windows, settings, seed=2)
    for trial in np.unique(windows["trial"]):
        assert len(set(sides[windows["trial"] == trial])) == 1
    leaky = split("deap-windows", windows, settings, seed=2)
    assert any(len(set(leaky[windows["trial"] == t])) > 1 for t in np.unique(windows["trial"]))
    assert set(sides) == {0, 1, 2}


def test_group_split_keeps_training_groups_per_stratum():
    groups = np.repeat(np.arange(10), 5)
    with pytest.raises(VigilanceError, match="too few groups"):
        group_split(groups[:10], np.zeros(10), 0.5, 0.5, np.random.default_rng(0))


def test_recording_holdout_holds_out_whole_recordings_and_rotates():
    observers = np.repeat(np.arange(3), 40)
    recording = np.array([f"{img}_{o}" for o in range(3) for img in "abcd" for _ in range(10)])
    tests = []
    for seed in range(4):
        sides = recording_holdout_split(observers, recording, seed)
        for rec in np.unique(recording):
            assert len(set(sides[recording == rec])) == 1
        for o in range(3):
            assert sorted(sides[observers == o][::10]) == [0, 0, 1, 2]
        tests.append(set(recording[sides == 2]))
    assert set.union(*tests) == set(recording), "over 4 seeds every recording is tested"


def _write(path, obj):
    with open(path, "wb") as handle:
        pickle.dump(obj, handle)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"labels": np.ones((40, 4))}, "field 'data': missing key"),
        ({"data": np.zeros((40, 32, 8064)), "labels": np.ones((40, 4))}, "wrong shape"),
        ({"data": np.zeros((40, 40, 8064)), "labels": np.ones((40, 3))}, "field 'labels'"),
        (
            {"data": np.zeros((40, 40, 8064)), "labels": np.full((40, 4), 12.0)},
            "rating out of range",
        ),
        ([1, 2], "no dict"),
    ],
)
def test_malformed_deap_files_name_file_and_field(tmp_path, content, message):
    path = tmp_path / "s01.dat"
    _write(path, content)
    with pytest.raises(VigilanceError, match=message) as info:
        deap.read_subject(path)
    assert str(path) in str(info.value)


def test_malformed_opportunity_files_name_file_row_and_column(opp_dir, tmp_path):
    lines = (opp_dir / "S1-ADL1.dat").read_text().splitlines()
    short = tmp_path / "S1-ADL1.dat"
    short.write_text("\n".join([*lines[:5], " ".join(lines[5].split()[:249])]) + "\n")
    with pytest.raises(VigilanceError, match=r"row 6.*has value 249: wrong number of columns"):
        opportunity.read_dat(short)
    cells = lines[3].split()
    cells[249] = "999"
    bad = tmp_path / "S1-ADL2.dat"
    bad.write_text("\n".join([*lines[:3], " ".join(cells)]) + "\n")
    with pytest.raises(
        VigilanceError, match=r"column 249 ML_Both_Arms \(row 4\).*unknown label code"
    ):
        opportunity.read_dat(bad)
    cells[249], cells[7] = "0", "abc"
    bad.write_text("\n".join([*lines[:3], " ".join(cells)]) + "\n")
    with pytest.raises(VigilanceError, match=r"column 7 \(row 4\).*not a number"):
        opportunity.read_dat(bad)


@pytest.mark.parametrize("name", sorted(registry()))
def test_every_registry_model_gives_one_logit_tensor_per_task_and_learns(name):
    torch.manual_seed(0)
    model = build_model(name, 24, 5, [3, 2], ARCH)
    x = torch.randn(16, 24, 5)
    y = torch.stack([torch.randint(0, 3, (16,)), torch.randint(0, 2, (16,))], dim=1)
    out = model(x)
    assert [o.shape for o in out] == [(16, 3), (16, 2)]
    optim = torch.optim.Adam(model.parameters(), lr=0.01)
    first = float(model.loss(model(x), y).detach())
    for _ in range(30):
        optim.zero_grad()
        model.loss(model(x), y).backward()
        optim.step()
    assert float(model.loss(model(x), y).detach()) < first


def test_stl_columns_are_independent_networks():
    torch.manual_seed(0)
    model = build_model("STL", 24, 5, [3, 2], ARCH)
    x = torch.randn(8, 24, 5)
    model(x)[0].sum().backward()
    w = model.trunk.convs[0].weight.grad.view(2, -1)
    assert w[0].abs().sum() > 0 and w[1].abs().sum() == 0


def test_cross_stitch_at_identity_keeps_task_columns_independent_at_the_first_step():
    torch.manual_seed(0)
    model = build_model("CSN", 24, 5, [3, 2], ARCH)
    assert all(torch.equal(a, torch.eye(2)) for a in model.stitch_weights())
    x = torch.randn(8, 24, 5)
    logits = model(x)
    logits[0].sum().backward(retain_graph=True)
    for conv in model.trunk.convs:
        grad = conv.weight.grad.view(2, -1)
        assert grad[0].abs().sum() > 0 and grad[1].abs().sum() == 0
    # The stitch itself does learn from the other column.
    assert model.trunk.stitches[0].alpha.grad[0, 1] != 0
    # Perturbing column 1's first kernels leaves task 0's output unchanged.
    with torch.no_grad():
        model.trunk.convs[0].weight.view(2, -1)[1] += 1.0
    assert torch.allclose(model(x)[0], logits[0])


def _reference_trace_norm(w: np.ndarray) -> float:
    total = 0.0
    for mode in range(w.ndim):
        unfolded = np.moveaxis(w, mode, 0).reshape(w.shape[mode], -1)
        total += np.linalg.svd(unfolded, compute_uv=False).sum()
    return total


def test_trace_norm_equals_a_reference_and_its_gradient_matches_finite_differences():
    torch.manual_seed(0)
    w = torch.randn(4, 3, 5, 1, 2, dtype=torch.float64, requires_grad=True)
    assert float(tensor_trace_norm(w).detach()) == pytest.approx(
        _reference_trace_norm(w.detach().numpy())
    )
    assert torch.autograd.gradcheck(tensor_trace_norm, (w,), eps=1e-6, atol=1e-5)


def test_sps_adds_the_weighted_trace_norm_of_the_stacked_kernels():
    torch.manual_seed(0)
    model = build_model("SPS", 24, 5, [3, 2], ARCH, trace_norm_weight=0.5)
    expected = 0.0
    for conv in model.trunk.convs:
        w = conv.weight.detach().numpy()  # (T * F_out, F_in, k, 1), column-major over tasks
        stacked = w.reshape(2, w.shape[0] // 2, *w.shape[1:]).transpose(1, 2, 3, 4, 0)
        expected += _reference_trace_norm(stacked)
    assert float(model.regulariser()) == pytest.approx(0.5 * expected, rel=1e-5)


def test_hps_loss_is_the_weighted_sum_of_task_losses():
    torch.manual_seed(0)
    model = build_model("HPS", 24, 5, [3, 2], ARCH, loss_weights=[2.0, 0.0])
    x = torch.randn(8, 24, 5)
    y = torch.stack([torch.randint(0, 3, (8,)), torch.randint(0, 2, (8,))], dim=1)
    logits = model(x)
    ce = [torch.nn.functional.cross_entropy(logits[t], y[:, t]) for t in range(2)]
    loss = model.loss(logits, y)
    assert float(loss) == pytest.approx(float(2 * ce[0]))
    loss.backward()
    assert all(p.grad is None or p.grad.abs().sum() == 0 for p in model.out[1].parameters())
    assert model.out[0].weight.grad.abs().sum() > 0


def test_hps_without_shared_dense_shares_only_the_convolutions():
    shared = build_model("HPS", 24, 5, [3, 2], ARCH)
    separate = build_model("HPS", 24, 5, [3, 2], {**ARCH, "dense": []})
    assert len(shared.shared) == 2 and len(separate.shared) == 0, "dense + ReLU, no dropout"
    assert len(separate.heads[0]) == len(shared.heads[0]) == 2


@pytest.mark.parametrize("seed", range(5))
def test_f1_scores_match_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 6, 200)
    y_pred = np.where(rng.random(200) < 0.5, y_true, rng.integers(0, 5, 200))
    got = scores(y_true, y_pred, 7)  # class 6 never occurs: it still counts in the macro mean
    for average in ("micro", "macro", "weighted"):
        assert got[f"f1_{average}"] == pytest.approx(
            f1_score(y_true, y_pred, labels=range(7), average=average, zero_division=0)
        )
    present = f1_score(y_true, y_pred, average="macro", zero_division=0)
    assert got["f1_macro"] == pytest.approx(present * 6 / 7)
    per_class = f1_score(y_true, y_pred, labels=range(7), average=None, zero_division=0)
    assert [got[f"f1_class{k}"] for k in range(7)] == pytest.approx(per_class)


def _loess_reference(x, y, span, degree):
    """R's loess (family gaussian, surface direct) written independently: for each point a
    weighted polynomial fit by numpy.polyfit with sqrt-tricube weights."""
    n = len(x)
    q = int(np.floor(span * n))
    out = []
    for x0 in x:
        d = np.abs(x - x0)
        h = np.sort(d)[q - 1]
        w = np.where(d < h, (1 - (d / h) ** 3) ** 3, 0.0)
        coef = np.polyfit(x - x0, y, degree, w=np.sqrt(w))
        out.append(coef[-1])
    return np.array(out)


def test_loess_uses_the_thesis_settings_and_matches_a_reference():
    import inspect

    from vigilance.mtl.figures import lowess

    defaults = inspect.signature(lowess).parameters
    assert defaults["span"].default == 0.75 and defaults["degree"].default == 2
    rng = np.random.default_rng(0)
    x = np.arange(1.0, 51.0)
    y = np.sin(x / 8) + rng.normal(0, 0.2, 50)
    assert lowess(x, y) == pytest.approx(_loess_reference(x, y, 0.75, 2), abs=1e-10)
    assert lowess(x, y, 0.3, 1) == pytest.approx(_loess_reference(x, y, 0.3, 1), abs=1e-10)
    # Degree 2 reproduces any quadratic exactly (a local linear fit would bend it).
    assert lowess(x, 3 - x + 0.05 * x**2) == pytest.approx(3 - x + 0.05 * x**2)
    assert not np.allclose(lowess(x, 0.05 * x**2, degree=1), 0.05 * x**2)


def test_loess_by_hand_on_five_points():
    from vigilance.mtl.figures import lowess

    # span 0.75 of 5 points: q = 3; at x = 0 the neighbours are 0, 1, 2 with h = 2 and
    # tricube weights 1, (1 - 1/8)^3 = 0.669921875, 0: a local line through (0, 0) and (1, 1)
    # (two points with weight), so the smooth value at 0 is y(0) = 0 whatever degree 1 gives.
    x = np.arange(5.0)
    y = np.array([0.0, 1.0, 0.0, 1.0, 0.0])
    assert lowess(x, y, 0.75, 1)[0] == pytest.approx(0.0)
    # At x = 2 (h = 1): the only weighted point is x = 2 itself, so the value is y(2).
    assert lowess(x, y, 0.75, 1)[2] == pytest.approx(0.0)
