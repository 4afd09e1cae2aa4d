"""Folds that never leak a group, protocols, trivial rows, classical registry, PyTorch models."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from etra import ETRA_DIR, needs_etra

from vigilance.core.errors import VigilanceError
from vigilance.evaluation.classical import (
    CLASSICAL,
    LABELS,
    ClassicalSettings,
    cross_validate,
    flatten,
    window_statistics,
)
from vigilance.evaluation.folds import check_disjoint_groups, make_folds
from vigilance.eyetracking.forecast import ForecastSettings, make_windows
from vigilance.eyetracking.forecast import cross_validate as forecast_cv
from vigilance.eyetracking.forecast import fit_predict as forecast_fit
from vigilance.eyetracking.forecast_measures import scores
from vigilance.eyetracking.models import REGISTRY, build
from vigilance.eyetracking.protocols import PROTOCOLS, check_protocol, fold_count, protocol_folds
from vigilance.eyetracking.reader import (
    TASKS,
    Recording,
    make_chunks,
    read_recordings,
    task_labels,
)
from vigilance.eyetracking.train import TrainSettings, fit_predict
from vigilance.eyetracking.trivial import cross_validate_trivial


def toy(n_groups=12, per_group=8, classes=3, length=20, seed=0):
    """Windows (N, L, 2) whose class shifts the mean of channel 0; groups of 8 windows."""
    rng = np.random.default_rng(seed)
    groups = np.repeat([f"rec{g}" for g in range(n_groups)], per_group)
    y = np.repeat(np.arange(n_groups) % classes, per_group)
    x = rng.normal(size=(len(y), length, 2)).astype(np.float32)
    x[..., 0] += 2.0 * y[:, None]
    return x, y, groups


@needs_etra
@pytest.mark.parametrize("task", TASKS)
def test_grouped_folds_of_the_real_chunks_never_share_a_recording(task):
    chunks = make_chunks(read_recordings(ETRA_DIR), length=100, step=10)
    y, classes = task_labels(chunks.image, chunks.observer, task)
    groups = {"recording": chunks.recording, "observer": chunks.observer, "image": chunks.image}
    folds = protocol_folds("recording", y, groups, n_folds=10, seed=3)
    assert len(folds) == 10
    tested = np.concatenate([test for _, test in folds])
    assert np.array_equal(np.sort(tested), np.arange(len(y)))  # every chunk tested once
    for train, test in folds:
        assert not set(chunks.recording[train]) & set(chunks.recording[test])
        assert len(np.intersect1d(train, test)) == 0
    if task == "image":  # stratified: every image in every test fold
        assert all(len(np.unique(y[test])) == len(classes) for _, test in folds)
    leaky = protocol_folds("leaky", y, groups, n_folds=10, seed=3)
    shared = [set(chunks.recording[tr]) & set(chunks.recording[te]) for tr, te in leaky]
    assert all(shared), "the leaky contrast should put chunks of a recording on both sides"


def test_fold_guards():
    _, y, groups = toy(n_groups=4)
    with pytest.raises(VigilanceError, match=r"fewer groups \(recordings or drivers\) than folds"):
        make_folds("grouped", y, groups, n_folds=5, seed=0)
    with pytest.raises(VigilanceError, match="unknown scheme"):
        make_folds("random", y, groups, n_folds=2, seed=0)
    leaking = [(np.array([0, 8]), np.array([1, 16]))]
    with pytest.raises(VigilanceError, match=r"fold 0.*rec0"):
        check_disjoint_groups(leaking, groups)
    same = make_folds("grouped", y, groups, n_folds=2, seed=7)
    again = make_folds("grouped", y, groups, n_folds=2, seed=7)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(same, again, strict=True))


def test_every_classical_model_cross_validates_any_windows():
    x, y, groups = toy()
    folds = make_folds("grouped", y, groups, n_folds=3, seed=0)
    assert set(LABELS) == set(CLASSICAL)
    for inputs in (flatten(x), window_statistics(x)):
        predictions = cross_validate(inputs, y, folds, list(CLASSICAL), ClassicalSettings(), 0)
        assert set(predictions["model"]) == set(CLASSICAL)
        for _, part in predictions.groupby("model"):
            assert sorted(part["index"]) == list(range(len(y)))
            assert (part["true"] == part["pred"]).mean() > 0.6, part["model"].iloc[0]
    assert window_statistics(x).shape == (len(x), 12)
    assert window_statistics(x)[0, 0] == pytest.approx(x[0, :, 0].mean())


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_sequence_classifier_shapes_and_a_training_step(name):
    torch.manual_seed(0)
    model = build(name, length=20, channels=2, classes=5, width=8, dropout=0.1)
    assert type(model).__name__ == name
    x = torch.randn(4, 20, 2)
    logits = model(x)
    assert logits.shape == (4, 5)
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor([0, 1, 2, 3]))
    loss.backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_sequence_classifier_learns_and_repeats_exactly(name):
    x, y, groups = toy(n_groups=12, per_group=10)
    train, test = make_folds("grouped", y, groups, n_folds=4, seed=0)[0]
    settings = TrainSettings(width=8, dropout=0.0, epochs=15, batch_size=16, learning_rate=0.01)
    cpu = torch.device("cpu")

    def run():
        return fit_predict(name, x[train], y[train], x[test], y[test], 3, settings, cpu, "fp32", 5)

    pred, history, state = run()
    again, _, _ = run()
    assert np.array_equal(pred, again)
    assert (pred == y[test]).mean() > 0.8
    losses = [v for e, split, m, v in history if split == "train" and m == "loss"]
    assert len(losses) == 15 and losses[-1] < losses[0]
    assert all(t.device.type == "cpu" for t in state.values())


def test_unknown_model_names():
    with pytest.raises(VigilanceError, match="unknown sequence classifier"):
        build("Transformer", length=2, channels=2, classes=2, width=2, dropout=0)


def grid_groups(observers=6, images=4, per_recording=5):
    """Items of observers x images recordings, ``per_recording`` chunks each."""
    obs = np.repeat([f"o{o}" for o in range(observers)], images * per_recording)
    img = np.tile(np.repeat([f"i{i}" for i in range(images)], per_recording), observers)
    rec = np.char.add(np.char.add(img, "_"), obs)
    return {"recording": rec, "observer": obs, "image": img}


@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
@pytest.mark.parametrize("task", [*TASKS, None])
def test_protocol_folds_never_share_their_group(protocol, task):
    groups = grid_groups()
    if task is not None and PROTOCOLS[protocol].group == task:
        with pytest.raises(VigilanceError, match="holds out every class"):
            check_protocol(task, protocol)
        return
    y = None if task is None else np.unique(groups[task], return_inverse=True)[1]
    folds = protocol_folds(protocol, y, groups, n_folds=5, seed=1)
    n = len(groups["recording"])
    tested = np.concatenate([test for _, test in folds])
    assert np.array_equal(np.sort(tested), np.arange(n))  # every item tested once
    group = PROTOCOLS[protocol].group
    expected = 5 if group is None else min(5, len(np.unique(groups[group])))
    assert len(folds) == fold_count(protocol, groups, 5) == expected
    for train, test in folds:
        assert len(np.intersect1d(train, test)) == 0
        if group is not None:
            assert not set(groups[group][train]) & set(groups[group][test])
    if group is None:  # the leaky contrast does put chunks of one recording on both sides
        rec = groups["recording"]
        assert any(set(rec[train]) & set(rec[test]) for train, test in folds)


def test_unknown_protocols_are_refused():
    with pytest.raises(VigilanceError, match="unknown protocol"):
        check_protocol("image", "random")
    check_protocol("image", "leave_observer_out")
    check_protocol("observer", "leave_image_out")


def test_trivial_rows_predict_the_training_majority_and_draw_by_frequency():
    y = np.array([0] * 30 + [1] * 10 + [2] * 60)
    folds = [
        (np.arange(0, 100, 2), np.arange(1, 100, 2)),
        (np.arange(1, 100, 2), np.arange(0, 100, 2)),
    ]
    predictions = cross_validate_trivial(y, folds, seed=3)
    majority = predictions[predictions["model"] == "majority class"]
    assert (majority["pred"] == 2).all() and sorted(majority["index"]) == list(range(100))
    stratified = predictions[predictions["model"] == "stratified random"]
    assert set(stratified["pred"]) == {0, 1, 2}
    again = cross_validate_trivial(y, folds, seed=3)
    assert again.equals(predictions)


def line_recording(name, n=60, speed=(3.0, 2.0), start=(100.0, 50.0)):
    """A straight-line scanpath at constant speed (pixels per sample)."""
    t = np.arange(n, dtype=np.float64)[:, None]
    gaze = np.asarray(start) + t * np.asarray(speed)
    return Recording(name, "img", name, 20.0 * t[:, 0], gaze)


@pytest.mark.parametrize("horizon", [1, 3])
def test_the_last_point_predictor_has_the_known_error_on_a_straight_line(horizon):
    recs = [line_recording(f"r{i}") for i in range(4)]
    windows = make_windows(recs, history=20, horizon=horizon, step=1)
    assert len(windows.start) == 4 * (60 - 20 - horizon + 1)
    groups = {k: getattr(windows, k) for k in ("recording", "observer", "image")}
    folds = protocol_folds("recording", None, groups, n_folds=2, seed=0)
    predictions, _ = forecast_cv("LastPoint", windows, folds, ForecastSettings())
    true = predictions[["true_x", "true_y"]].to_numpy()
    values = scores(true, predictions[["pred_x", "pred_y"]].to_numpy())
    # Off by (3k, 2k) pixels every time: MAE (3k + 2k) / 2, MSE (9k^2 + 4k^2) / 2.
    assert values["mae"] == pytest.approx(2.5 * horizon)
    assert values["mse"] == pytest.approx(6.5 * horizon**2)
    assert values["rmse"] == pytest.approx(2.5 * horizon)  # per coordinate, then averaged
    # A linear model of the displacement is exact on a straight line; the mean is not.
    ridge, _ = forecast_cv("Ridge", windows, folds, ForecastSettings(ridge_alpha=1e-6))
    assert scores(true, ridge[["pred_x", "pred_y"]].to_numpy())["mae"] < 0.01
    mean, _ = forecast_cv("TrainingMean", windows, folds, ForecastSettings())
    assert scores(true, mean[["pred_x", "pred_y"]].to_numpy())["r2"] < 0.1


def test_windows_never_cross_recordings_and_target_the_point_k_ahead():
    recs = [line_recording("a", n=10), line_recording("b", n=4), line_recording("c", n=7)]
    windows = make_windows(recs, history=3, horizon=2, step=2)
    # a: starts 0, 2, 4 (a window needs 3 + 2 samples); b is too short; c: starts 0, 2.
    assert windows.recording.tolist() == ["a", "a", "a", "c", "c"]
    assert windows.start.tolist() == [0, 2, 4, 0, 2]
    assert np.array_equal(windows.target[1], recs[0].gaze[2 + 3 - 1 + 2])
    assert np.array_equal(windows.past[4], recs[2].gaze[2:5])
    with pytest.raises(VigilanceError, match="no recording is long enough"):
        make_windows(recs, history=9, horizon=2, step=1)


@pytest.mark.parametrize("name", ["MLP", "LSTM"])
def test_network_predictors_learn_lines_and_repeat_exactly(name):
    rng = np.random.default_rng(0)
    recs = [
        line_recording(f"r{i}", n=40, speed=rng.uniform(-5, 5, 2), start=rng.uniform(0, 500, 2))
        for i in range(12)
    ]
    windows = make_windows(recs, history=10, horizon=1, step=2)
    groups = {k: getattr(windows, k) for k in ("recording", "observer", "image")}
    train, test = protocol_folds("recording", None, groups, n_folds=3, seed=0)[0]
    settings = ForecastSettings(width=16, epochs=15, batch_size=32, learning_rate=0.01)
    pred, history = forecast_fit(name, windows, train, test, settings, seed=4)
    again, _ = forecast_fit(name, windows, train, test, settings, seed=4)
    assert np.array_equal(pred, again) and pred.shape == (len(test), 2)
    assert len(history) == 15 and history[-1][-1] < history[0][-1]
    mean, _ = forecast_fit("TrainingMean", windows, train, test, settings)
    true = windows.target[test]
    assert scores(true, pred)["mae"] < 0.5 * scores(true, mean)["mae"]


@needs_etra
@pytest.mark.parametrize(
    ("task", "protocol"), [("image", "leave_observer_out"), ("observer", "leave_image_out")]
)
def test_the_real_chunks_under_the_protocols_that_answer_each_task(task, protocol):
    chunks = make_chunks(read_recordings(ETRA_DIR), length=100, step=20)
    y, classes = task_labels(chunks.image, chunks.observer, task)
    groups = {"recording": chunks.recording, "observer": chunks.observer, "image": chunks.image}
    folds = protocol_folds(protocol, y, groups, n_folds=10, seed=3)
    held = PROTOCOLS[protocol].group
    assert len(folds) == (10 if held == "observer" else 4)  # 18 observers; 4 images
    for train, test in folds:
        assert not set(groups[held][train]) & set(groups[held][test])
        assert set(y[test]) <= set(y[train])  # every test class is trained on
    if held == "image":  # one image per fold, every observer in it
        assert all(len(set(groups["image"][test])) == 1 for _, test in folds)
        assert all(len(set(y[test])) == len(classes) for _, test in folds)
