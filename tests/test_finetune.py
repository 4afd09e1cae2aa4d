"""Fine-tuning: freezing and the unfreezing schedule, the last real row, the trainer's model
selection, determinism and resume, the sweep, confusion matrices, paired tests, findings."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import stats as scipy_stats

from vigilance.blink.windows import BlinkWindows
from vigilance.evaluation.claims import COLUMNS
from vigilance.evaluation.stats import paired_comparison
from vigilance.finetune.data import LabelledWindows
from vigilance.finetune.model import FinetuneModel, RegressionHeadConfig, last_real
from vigilance.finetune.report import (
    confusion,
    findings,
    label_efficiency,
    paired_table,
    results_table,
    results_wide,
    row_normalise,
)
from vigilance.finetune.run import build_model, label_mean, make_trainer
from vigilance.finetune.sweep import best_params, run_sweep
from vigilance.finetune.train import FinetuneConfig, FinetuneTrainer
from vigilance.finetune.unfreeze import effective_schedule, trainable_blocks
from vigilance.models.backbone import BackboneConfig

CPU = torch.device("cpu")
BINS = [[1, 3], [4, 6], [7, 7], [8, 9]]


def _data(seed=0, n_rec=6, length=40, window=8, n=9) -> LabelledWindows:
    """Windows whose KSS follows the mean of the first feature (learnable)."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n_rec * length, n)).astype(np.float32)
    level = rng.integers(1, 10, size=n_rec)
    features[:, 0] += np.repeat((level - 5) / 2, length)
    kss = np.repeat(level, length).astype(np.float32)
    kss[::7] = np.nan  # some blinks without a report
    windows = BlinkWindows.from_arrays(features, kss, [length] * n_rec, window)
    return LabelledWindows(windows, windows.labelled())


def _model(n_blocks=4, seed=0) -> FinetuneModel:
    torch.manual_seed(seed)
    backbone = BackboneConfig(n_features=9, max_len=8, d_model=8, n_blocks=n_blocks, n_heads=2)
    return FinetuneModel(backbone, RegressionHeadConfig(hidden=[8], dropout=0.0))


def _trainer(schedule=((1, 1), (2, 2)), scratch=False, seed=0, **cfg) -> FinetuneTrainer:
    settings = {"epochs": 3, "steps_per_epoch": 3, "batch_size": 16, "patience": 100, **cfg}
    return FinetuneTrainer(
        _model(seed=seed),
        FinetuneConfig(**settings),
        [list(s) for s in schedule],
        scratch,
        seed,
        CPU,
    )


@pytest.mark.parametrize("k, steps", [(1, 3), (2, 2), (3, 1)])
def test_accumulation_keeps_the_windows_per_epoch_and_divides_the_steps(k, steps):
    # 3 batches of 16 per epoch whatever accumulate is; k = 2 steps twice (2 batches, then 1).
    data = _data()
    trainer = _trainer(accumulate=k)
    drawn, stepped, gather, step = [], [], data.windows.gather, trainer.optimizer.step
    data.windows.gather = lambda idx: (drawn.append(len(idx)), gather(idx))[1]
    trainer.optimizer.step = lambda *a, **kw: (stepped.append(1), step(*a, **kw))[1]
    trainer.train_epoch(data)
    assert (sum(drawn), len(stepped)) == (3 * 16, steps)


def _snapshot(module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.named_parameters()}


def _changed(before, module) -> set[str]:
    return {k for k, v in module.named_parameters() if not torch.equal(before[k], v)}


def test_the_schedule_counts_top_blocks_per_epoch():
    schedule = [[3, 1], [6, 2]]
    assert [trainable_blocks(schedule, e, 4) for e in range(8)] == [0, 0, 0, 1, 1, 1, 2, 2]
    assert trainable_blocks([[10, 4]], 12, 2) == 2  # clipped to the encoder's depth
    assert effective_schedule([[3, 1], [6, 2], [9, 3], [12, 4]], 2) == [[3, 1], [6, 2]]
    assert trainable_blocks([], 100, 4) == 0


def test_freezing_really_freezes_and_switches_at_the_configured_epochs():
    data = _data()
    trainer = _trainer(schedule=[[1, 1], [2, 2]])
    blocks = trainer.model.backbone.blocks
    expected = {0: set(), 1: {3}, 2: {2, 3}}
    for epoch, trained in expected.items():
        before = _snapshot(trainer.model)
        trainer.fit(data, data, stop_after=1)
        changed = _changed(before, trainer.model)
        for i, block in enumerate(blocks):
            names = {f"backbone.blocks.{i}.{k}" for k, _ in block.named_parameters()}
            if i in trained:
                assert names & changed, f"epoch {epoch}: block {i} should train"
            else:
                assert not names & changed, f"epoch {epoch}: block {i} must stay frozen"
        assert not any(k.startswith(("backbone.upscaling", "backbone.position")) for k in changed)
        assert any(k.startswith("head.") for k in changed)
    rows = pd.DataFrame(trainer.rows)
    per_epoch = rows[rows["metric"] == "trainable_blocks"].set_index("epoch")["value"]
    assert per_epoch.to_dict() == {0: 0, 1: 1, 2: 2}


def test_scratch_trains_every_parameter_from_the_first_epoch():
    data = _data()
    trainer = _trainer(schedule=[], scratch=True)
    before = _snapshot(trainer.model)
    trainer.fit(data, data, stop_after=1)
    unchanged = set(before) - _changed(before, trainer.model)
    assert not unchanged


@pytest.mark.parametrize("length", range(1, 9))
def test_the_last_real_row_is_picked_for_every_padding_length(length):
    h = torch.arange(3 * 8 * 2, dtype=torch.float32).view(3, 8, 2)
    real = torch.arange(8)[None].expand(3, 8) < torch.tensor([length, 8, 1])[:, None]
    picked = last_real(h, real)
    torch.testing.assert_close(picked[0], h[0, length - 1])
    torch.testing.assert_close(picked[1], h[1, 7])
    torch.testing.assert_close(picked[2], h[2, 0])
    front = torch.arange(8)[None] >= 8 - length  # RLDD pads at the front
    torch.testing.assert_close(last_real(h[:1], front)[0], h[0, 7])


def test_padding_does_not_change_the_prediction():
    model = _model().eval()
    x = torch.randn(1, 8, 9)
    real = torch.arange(8)[None] < 5
    padded = x * real[..., None]
    other = padded.clone()
    other[:, 5:] = 0.0
    torch.testing.assert_close(model(padded, real), model(other, real))
    # What sits in the padded rows does not matter either: attention ignores them.
    other[:, 5:] = 3.0
    torch.testing.assert_close(model(padded, real), model(other, real))


def test_scoring_full_and_padded_windows_apart_changes_no_prediction():
    # Recordings shorter than the window give padded windows beside the full ones.
    rng = np.random.default_rng(3)
    lengths = [40, 5, 30, 3, 20]
    features = rng.normal(size=(sum(lengths), 9)).astype(np.float32)
    windows = BlinkWindows.from_arrays(features, np.full(sum(lengths), 5.0, np.float32), lengths, 8)
    data = LabelledWindows(windows, windows.labelled())
    trainer = _trainer()
    _, real, _ = data.windows.gather(data.index)
    assert real.all(dim=1).any() and not real.all(dim=1).all()
    _, predicted = trainer.predict(data, batch_size=16)
    model = trainer.model.eval()
    with torch.no_grad():  # one window at a time, each with its own mask
        alone = [model(*data.windows.gather(i[None])[:2]).item() for i in data.index]
    np.testing.assert_allclose(predicted, alone, rtol=1e-5, atol=1e-5)


def test_the_selected_epoch_is_the_best_validation_kpi_and_the_test_uses_it(tmp_path):
    data = _data()
    trainer = _trainer(epochs=5, learning_rate=3e-3)
    rows = pd.DataFrame(trainer.fit(data, data))
    kpi = rows[(rows["split"] == "val") & (rows["metric"] == "kappa_4")].set_index("epoch")["value"]
    mse = rows[(rows["split"] == "val") & (rows["metric"] == "loss")].set_index("epoch")["value"]
    kpi = kpi.fillna(-np.inf)
    ties = kpi[kpi == kpi.max()].index
    assert trainer.best_epoch == int(mse[ties].idxmin())  # best KPI, then lowest MSE
    measures, _, p = trainer.test(data)
    trainer.save_model(tmp_path / "model.pt")
    saved = torch.load(tmp_path / "model.pt", weights_only=False)
    again = _model()
    again.load_state_dict(saved["state"])
    again.eval()
    x, real, _ = data.windows.gather(data.index)
    np.testing.assert_allclose(again(x, real).detach().numpy(), p, rtol=1e-5, atol=1e-5)
    assert math.isclose(measures["kappa_4"], kpi[trainer.best_epoch], abs_tol=1e-9)


def _frame(rows):
    frame = pd.DataFrame(rows)
    return frame[frame["metric"] != "seconds"].reset_index(drop=True)


def test_one_seed_gives_identical_metrics_on_the_cpu():
    data = _data()
    first = _frame(_trainer(seed=3).fit(data, data))
    pd.testing.assert_frame_equal(first, _frame(_trainer(seed=3).fit(data, data)))
    assert not _frame(_trainer(seed=4).fit(data, data))["value"].equals(first["value"])


def test_resuming_matches_an_uninterrupted_run(tmp_path):
    data = _data()
    full = _frame(_trainer(epochs=4).fit(data, data))
    state = tmp_path / "state" / "last.pt"
    _trainer(epochs=4).fit(data, data, state_path=state, stop_after=2)
    pd.testing.assert_frame_equal(
        _frame(_trainer(epochs=4).fit(data, data, state_path=state)), full
    )


def test_a_pretrained_backbone_is_copied_and_a_mismatch_refused(tmp_path):
    source = _model(seed=1)
    torch.save({"arch": source.arch, "state": source.state_dict()}, tmp_path / "encoder.pt")
    model = build_model(
        "pretrained_all", RegressionHeadConfig(hidden=[8]), 0, tmp_path / "encoder.pt"
    )
    for key, value in source.backbone.state_dict().items():
        torch.testing.assert_close(model.backbone.state_dict()[key], value)
    other = _model(n_blocks=2)
    with pytest.raises(ValueError, match="differs"):
        other.load_backbone(tmp_path / "encoder.pt")


def test_the_head_starts_at_the_training_mean():
    data = _data()
    model = _model()
    make_trainer(
        model, FinetuneConfig(), "scratch", [], 0, CPU, BINS, 7.0, label_mean=label_mean(data)
    )
    model.eval()
    x, real, y = data.windows.gather(data.index[:4])
    with torch.no_grad():
        model.head[-1].weight.zero_()
        np.testing.assert_allclose(
            model(x, real).numpy(), float(np.nanmean(y.numpy() * 0) + label_mean(data)), rtol=1e-6
        )


def _finetune_section(trials=3):
    return {
        "head": {"hidden": [8], "batch_norm": True, "dropout": 0.1},
        "training": {
            "epochs": 2, "steps_per_epoch": 2, "batch_size": 16, "learning_rate": 1e-3,
            "weight_decay": 0.0, "decay": 1.0, "gradient_clip": 1.0, "accumulate": 1,
            "patience": 10,
        },
        "strategies": {"top1": [[1, 1]]},
        "best_strategy": "top1",
        "evaluation": {"val_stride": 1, "test_stride": 1, "warning_threshold": 7.0},
        "sweep": {
            "trials": trials, "startup_trials": 2, "seed": 0, "epochs": 2, "steps_per_epoch": 2,
            "pruner_warmup_epochs": 1,
            "space": {"head_hidden": [[8], [4, 4]], "head_dropout": [0.0, 0.2, 0.1],
                      "head_batch_norm": [True, False]},
        },
    }  # fmt: skip


def test_the_sweep_runs_its_trials_and_keeps_the_highest_kpi(tmp_path):
    source = _model()
    torch.save({"arch": source.arch, "state": source.state_dict()}, tmp_path / "encoder.pt")
    section = _finetune_section()
    data = {"train": _data(0), "val": _data(1)}
    storage = f"sqlite:///{tmp_path / 'study.sqlite'}"
    study = run_sweep(section, data, tmp_path / "encoder.pt", CPU, "auto", storage, "s", BINS)
    assert len(study.trials) == 3
    best = best_params(study, section)
    values = [t.value for t in study.trials if t.value is not None and math.isfinite(t.value)]
    if values:
        assert best["best_value"] == max(values)
    # Resuming with more trials runs only the missing ones.
    section["sweep"]["trials"] = 4
    study = run_sweep(section, data, tmp_path / "encoder.pt", CPU, "auto", storage, "s", BINS)
    assert len(study.trials) == 4


def test_confusion_matrices_and_row_normalisation():
    y = [1, 2, 5, 7, 8, 9, 9]
    p = [1.2, 5.4, 4.6, 2.0, 7.4, 8.6, 12.0]  # levels 0, 1, 1, 0, 2, 3, 3 (12 clipped to 9)
    counts = confusion(y, p, BINS)
    expected = np.zeros((4, 4), dtype=int)
    for t, q in [(0, 0), (0, 1), (1, 1), (2, 0), (3, 2), (3, 3), (3, 3)]:
        expected[t, q] += 1
    np.testing.assert_array_equal(counts, expected)
    shares = row_normalise(counts)
    np.testing.assert_allclose(shares.sum(axis=1), [1, 1, 1, 1])
    np.testing.assert_allclose(shares[3], [0, 0, 1 / 3, 2 / 3])
    empty = row_normalise(np.zeros((2, 2)))
    assert (empty == 0).all()


def test_the_paired_comparison_matches_scipy_and_a_hand_interval():
    a = np.array([0.50, 0.55, 0.60, 0.52, 0.58])
    b = np.array([0.40, 0.50, 0.45, 0.47, 0.50])
    result = paired_comparison(a, b)
    d = a - b
    half = scipy_stats.t.ppf(0.975, 4) * d.std(ddof=1) / math.sqrt(5)
    assert math.isclose(result["difference"], d.mean())
    assert math.isclose(result["low"], d.mean() - half) and math.isclose(
        result["high"], d.mean() + half
    )
    assert math.isclose(result["p_value"], scipy_stats.ttest_rel(a, b).pvalue)
    assert result["significant"] and result["n"] == 5
    same = paired_comparison(a, a)
    assert same["difference"] == 0 and not same["significant"]
    partial = paired_comparison([1.0, np.nan, 2.0], [0.5, 1.0, 1.0])
    assert partial["n"] == 2
    with pytest.raises(ValueError):
        paired_comparison([1, 2], [1, 2, 3])


def _test_frame(scratch_gain=0.1, replicates=((0, 1), (0, 2), (1, 1), (1, 2))):
    """Runs of every point on (outer fold, seed) replicates: seeds repeat across folds."""
    rng = np.random.default_rng(0)
    rows = []
    for fold, seed in replicates:
        base = 0.4 + rng.normal(0, 0.01)
        points = [
            ("pretrained_all", "top2", 1.0, base),
            ("pretrained_half", "top2", 1.0, base - 0.05),
            ("scratch", "full", 1.0, base + scratch_gain),
            ("pretrained_all", "top2", 0.1, base - 0.1),
            ("scratch", "full", 0.1, base - 0.2),
            ("pretrained_all", "frozen", 1.0, base - 0.2),
        ]
        for init, strategy, share, kpi in points:
            measures = {m: kpi for m in ("mse", "mae", "rmse", "accuracy_9", "accuracy_4",
                        "macro_f1_4", "critical_miss_rate", "warning_sensitivity",
                        "false_warning_rate")}  # fmt: skip
            kappa = kpi + rng.normal(0, 0.005)
            rows.append({"init": init, "strategy": strategy, "share": share, "fold": fold,
                         "seed": seed, "kappa_4": kappa, **measures})  # fmt: skip
    return pd.DataFrame(rows)


def _curves(test):
    rows = []
    for r in test.itertuples():
        for epoch in range(3):
            rows.append({"init": r.init, "strategy": r.strategy, "share": r.share, "fold": r.fold,
                         "seed": r.seed, "epoch": epoch, "split": "val", "metric": "kappa_4",
                         "value": r.kappa_4 - 0.1 * (2 - epoch)})  # fmt: skip
    return pd.DataFrame(rows)


def _verdicts(table):
    """Verdict by the start of the quantity compared (unique per row)."""
    pairs = zip(table["quantity (A - B)"], table["verdict"], strict=True)
    return {q.split(",")[1].strip(): v for q, v in pairs}


def test_findings_give_plain_verdicts():
    test = _test_frame(scratch_gain=0.1)
    strategies = {"frozen": [], "top2": [[3, 1], [6, 2]]}
    table = findings(test, _curves(test), strategies, "top2")
    assert list(table.columns) == COLUMNS
    verdicts = _verdicts(table)
    assert verdicts["top2 - frozen"] == "reproduced"
    assert verdicts["scratch - pretrained_all (top2)"] == "reproduced"
    assert verdicts["pretrained_all - pretrained_half (top2)"] == "reproduced"
    assert verdicts["pretrained_all (top2) - scratch at labelled share 0.1"] == "reproduced"
    assert table["p (Holm)"].dropna().ge(table["p"].dropna()).all()
    worse = _verdicts(findings(_test_frame(scratch_gain=-0.1), _curves(test), strategies, "top2"))
    assert worse["scratch - pretrained_all (top2)"] == "not reproduced"
    # Without baseline scores the baseline claims say why they are not tested.
    assert verdicts["pretrained_all (top2) - training-mean predictor"] == "not tested"


@pytest.mark.parametrize("gain, verdict", [(0.15, "reproduced"), (-0.15, "not reproduced")])
def test_each_pretext_of_the_axis_gets_its_scarce_label_claim(gain, verdict):
    test = _test_frame()
    # pretrained-feature: the feature pretext's encoder, gain above scratch at the scarce share.
    scarce = test[(test["init"] == "scratch") & (test["share"] == 0.1)]
    feature = scarce.assign(init="pretrained-feature", strategy="top2",
                            kappa_4=scarce["kappa_4"] + gain)  # fmt: skip
    test = pd.concat([test, feature], ignore_index=True)
    strategies = {"frozen": [], "top2": [[3, 1], [6, 2]]}
    table = findings(test, _curves(test), strategies, "top2", pretext="row")
    verdicts = _verdicts(table)
    assert verdicts["pretrained-feature (top2) - scratch at labelled share 0.1"] == verdict
    assert verdicts["pretrained_all (top2) - scratch at labelled share 0.1"] == "reproduced"
    claims = " ".join(table["claim"])
    assert "with the row pretext" in claims and "with the feature pretext" in claims
    paired = paired_table(test, "top2", [0.1])
    assert "pretrained-feature - scratch, share 0.1" in set(paired["comparison"])
    assert list(label_efficiency(test, "top2")) == ["pretrained_all", "pretrained-feature",
                                                   "scratch"]  # fmt: skip


def test_the_results_and_paired_tables_cover_every_point_and_measure():
    test = _test_frame()
    long = results_table(test)
    assert len(long) == 6 * 10 and (long["runs (folds x seeds)"] == 4).all()
    wide = results_wide(long)
    assert len(wide) == 6 and "[" in wide.iloc[0, -1]
    paired = paired_table(test, "top2", [0.1, 1.0])
    assert set(paired["comparison"]) == {
        "pretrained_all - scratch, share 0.1",
        "pretrained_all - scratch, share 1",
        "pretrained_all - pretrained_half, share 1",
    }
    row = paired[
        (paired["comparison"] == "pretrained_all - scratch, share 0.1")
        & (paired["measure"] == "MSE")
    ]
    assert math.isclose(float(row["difference"].iloc[0]), 0.1, abs_tol=1e-9)
    # Pairs are (fold, seed): seed 1 of fold 0 is not paired with seed 1 of fold 1.
    assert (paired["n"] == 4).all()
    curves = label_efficiency(test, "top2")
    assert list(curves["scratch"]["share"]) == [0.1, 1.0]
