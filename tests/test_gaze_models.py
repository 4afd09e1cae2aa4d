"""Folds that never leak a recording, the classical registry, the PyTorch sequence classifiers."""

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
from vigilance.eyetracking.models import REGISTRY, build
from vigilance.eyetracking.reader import TASKS, make_chunks, read_recordings, task_labels
from vigilance.eyetracking.train import TrainSettings, fit_predict


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
    folds = make_folds("grouped", y, chunks.recording, n_folds=10, seed=3)
    assert len(folds) == 10
    tested = np.concatenate([test for _, test in folds])
    assert np.array_equal(np.sort(tested), np.arange(len(y)))  # every chunk tested once
    for train, test in folds:
        assert not set(chunks.recording[train]) & set(chunks.recording[test])
        assert len(np.intersect1d(train, test)) == 0
    if task == "image":  # stratified: every image in every test fold
        assert all(len(np.unique(y[test])) == len(classes) for _, test in folds)
    leaky = make_folds("leaky", y, chunks.recording, n_folds=10, seed=3)
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
