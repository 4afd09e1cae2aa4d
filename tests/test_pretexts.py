"""Pretext tasks (row, feature, next_sequence) and the fine-tuning heads' pooling: masking
statistics, pair drawing, a few training steps per pretext, padding-blind pooling."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vigilance.blink.windows import BlinkWindows
from vigilance.core.errors import VigilanceError
from vigilance.finetune.model import POOLING, FinetuneModel, RegressionHeadConfig, last_real
from vigilance.models.backbone import Backbone, BackboneConfig, mlp
from vigilance.pretrain.data import with_continuations
from vigilance.pretrain.masking import MaskingConfig
from vigilance.pretrain.model import HeadConfig
from vigilance.pretrain.pretexts import PRETEXTS, make_pretext
from vigilance.pretrain.pretexts.feature import (
    FeatureMaskingConfig,
    element_baselines,
    mask_features,
    span_masks,
)
from vigilance.pretrain.pretexts.next_sequence import draw_pairs
from vigilance.pretrain.train import TrainConfig, Trainer, load_encoder

CPU = torch.device("cpu")


def _windows(seed=0, n_rec=6, length=40, n=9, window=10):
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(n_rec, 1, n))
    # Smooth within a recording, so every pretext has something to learn.
    walk = np.cumsum(0.3 * rng.normal(size=(n_rec, length, n)), axis=1)
    features = (base + walk).reshape(-1, n)
    lengths = [length] * n_rec
    windows = BlinkWindows.from_arrays(features, np.full(len(features), np.nan), lengths, window)
    return with_continuations(windows, lengths)


def _trainer(pretext, epochs=6, seed=0):
    backbone = BackboneConfig(9, 10, "linear", d_model=16, n_blocks=1, n_heads=2, dropout=0.0)
    head = HeadConfig(hidden=[16], batch_norm=True, dropout=0.0)
    cfg = TrainConfig(
        epochs=epochs,
        steps_per_epoch=6,
        batch_size=32,
        val_batches=2,
        warmup_epochs=0,
        learning_rate=3e-3,
        decay=1.0,
        patience=100,
    )
    return Trainer(
        backbone, head, cfg, MaskingConfig(), seed=seed, device=CPU, pretext=make_pretext(pretext)
    )


# ---- the registry ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PRETEXTS))
def test_every_pretext_declares_its_task(name):
    cls = PRETEXTS[name]
    assert cls.name == name
    for attribute in ("inputs", "targets", "loss"):
        assert isinstance(getattr(cls, attribute), str) and getattr(cls, attribute)
    assert "loss" in cls.measures and cls.baselines


@pytest.mark.parametrize("name", sorted(PRETEXTS))
def test_every_pretext_trains_with_decreasing_loss(name):
    windows = _windows(0)
    rows = _trainer(name).fit(windows, _windows(1))
    train = [r["value"] for r in rows if r["split"] == "train" and r["metric"] == "loss"]
    assert np.isfinite(train).all()
    assert np.mean(train[-2:]) < np.mean(train[:2])
    metrics = {r["metric"] for r in rows if r["split"] == "val"}
    for baseline in PRETEXTS[name].baselines:
        assert any(m.startswith("baseline_") or m.endswith("_majority") for m in metrics)
        assert any(baseline in m for m in metrics), baseline


@pytest.mark.parametrize("name", sorted(PRETEXTS))
def test_every_pretext_encoder_reloads_and_its_backbone_fine_tunes(name, tmp_path):
    trainer = _trainer(name, epochs=1)
    trainer.fit(_windows(0), _windows(1))
    trainer.save_encoder(tmp_path / "encoder.pt")
    model = load_encoder(tmp_path / "encoder.pt")
    assert type(model) is PRETEXTS[name].model_class
    finetune = FinetuneModel(trainer.model.backbone.cfg, RegressionHeadConfig())
    finetune.load_backbone(tmp_path / "encoder.pt")
    for key, value in trainer.model.backbone.state_dict().items():
        assert torch.equal(finetune.backbone.state_dict()[key], value)


def test_an_unknown_pretext_is_a_clear_error():
    with pytest.raises(VigilanceError, match="unknown pretext"):
        make_pretext("rows")


# ---- feature: span masking ---------------------------------------------------------------


def _spans(mask: torch.Tensor) -> list[int]:
    """Lengths of the runs of True along dim 1 (one sequence per (batch, variable))."""
    flat = mask.permute(0, 2, 1).reshape(-1, mask.shape[1]).numpy()
    spans = []
    for row in flat:
        padded = np.concatenate([[0], row.astype(int), [0]])
        edges = np.flatnonzero(np.diff(padded))
        spans += list(edges[1::2] - edges[::2])
    return spans


def test_feature_masks_15_percent_in_spans_of_mean_3():
    generator = torch.Generator().manual_seed(0)
    cfg = FeatureMaskingConfig()
    mask = span_masks(256, 400, 9, cfg, generator, "cpu")
    assert abs(mask.float().mean().item() - 0.15) < 0.01
    # Long sequences: few spans are cut at the edges.
    assert abs(np.mean(_spans(mask)) - 3.0) < 0.1
    # Variables are masked independently (not whole rows).
    rows = mask.all(-1).float().mean().item()
    assert rows < 0.01


def test_feature_masking_never_touches_pad_rows_and_sets_the_mask_value():
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(64, 30, 9)
    real = torch.arange(30)[None] < torch.randint(2, 31, (64, 1), generator=generator)
    x = x * real[..., None]
    cfg = FeatureMaskingConfig(mask_value=-7.0)
    shares = []
    for _ in range(20):
        x_masked, masked = mask_features(x, real, cfg, generator)
        assert not (masked & ~real[..., None]).any()
        assert (x_masked[masked] == -7.0).all()
        assert torch.equal(x_masked[~masked], x[~masked])
        shares.append(masked.sum().item() / (real.sum().item() * 9))
    assert abs(np.mean(shares) - 0.15) < 0.015


def test_feature_loss_covers_exactly_the_masked_elements():
    windows = _windows(0)
    trainer = _trainer("feature", epochs=1)
    idx = torch.arange(32)
    generator = torch.Generator().manual_seed(5)
    errors, original = trainer._errors(windows, idx, generator)
    x, real, _ = windows.gather(idx)
    _, masked = mask_features(x, real, FeatureMaskingConfig(), torch.Generator().manual_seed(5))
    assert errors["loss"].numel() == masked.sum().item()
    assert errors["baseline_mean"].numel() == masked.sum().item()
    assert original.all()  # 9 features, all original


def test_feature_baselines_read_visible_elements_only():
    x = torch.tensor([[[1.0], [5.0], [3.0], [0.0]]])
    real = torch.tensor([[True, True, True, False]])
    masked = torch.tensor([[[False], [True], [False], [False]]])
    guess = element_baselines(x, real, masked)
    assert guess["mean"][0, 1, 0].item() == 2.0  # (1 + 3) / 2, the masked 5 unseen
    assert guess["previous"][0, 1, 0].item() == 1.0
    first = torch.tensor([[[True], [False], [False], [False]]])
    assert element_baselines(x, real, first)["previous"][0, 0, 0].item() == 5.0  # next visible


# ---- next_sequence: pairs ----------------------------------------------------------------


def test_continuations_stay_within_a_recording():
    windows = _windows(0, n_rec=3, length=25)  # 16 windows per recording, 6 with a successor
    assert len(windows.anchors) == 3 * 6
    a = windows.anchors
    b = windows.continuation[a]
    assert torch.equal(windows.starts[b], windows.starts[a] + 10)
    assert torch.equal(windows.recording[b], windows.recording[a])
    assert (windows.continuation[windows.continuation < 0] == -1).all()


def test_next_sequence_pairs_half_positive_negatives_from_elsewhere():
    windows = _windows(0, n_rec=5, length=40)
    generator = torch.Generator().manual_seed(0)
    labels = []
    for _ in range(50):
        idx = torch.randint(0, len(windows), (64,), generator=generator)
        a, b, label = draw_pairs(windows, idx, generator)
        assert label.sum().item() == 32
        assert torch.equal(b[label], windows.continuation[a[label]])
        assert torch.equal(windows.recording[b[label]], windows.recording[a[label]])
        negative = ~label
        assert (b[negative] != windows.continuation[a[negative]]).all()
        assert (windows.recording[b[negative]] != windows.recording[a[negative]]).all()
        # Negatives come from the positives' pool: windows that follow a full window.
        assert torch.isin(b[negative], windows.continuation[windows.anchors]).all()
        labels.append(label.float().mean().item())
    assert np.mean(labels) == 0.5


def test_next_sequence_needs_two_recordings_and_continuations():
    one = _windows(0, n_rec=1, length=40)
    with pytest.raises(VigilanceError, match="another recording"):
        draw_pairs(one, torch.arange(8), torch.Generator().manual_seed(0))
    plain = BlinkWindows.from_arrays(np.zeros((40, 9)), np.zeros(40), [40], 10)
    with pytest.raises(VigilanceError, match="continuations"):
        draw_pairs(plain, torch.arange(8), torch.Generator().manual_seed(0))


# ---- fine-tuning heads: pooling ------------------------------------------------------------


def _head_model(pooling, seed=0):
    torch.manual_seed(seed)
    backbone = BackboneConfig(n_features=9, max_len=8, d_model=8, n_blocks=2, n_heads=2)
    return FinetuneModel(backbone, RegressionHeadConfig(hidden=[8], pooling=pooling)).eval()


def _padded(front: bool):
    generator = torch.Generator().manual_seed(3)
    x = torch.randn(6, 8, 9, generator=generator)
    sizes = torch.tensor([8, 5, 3, 1, 7, 2])
    steps = torch.arange(8)[None]
    real = steps >= 8 - sizes[:, None] if front else steps < sizes[:, None]
    return x * real[..., None], real


@pytest.mark.parametrize("front", [False, True], ids=["end", "front"])
@pytest.mark.parametrize("pooling", sorted(POOLING))
def test_heads_ignore_padded_rows(pooling, front):
    model = _head_model(pooling)
    x, real = _padded(front)
    with torch.no_grad():
        before = model(x, real)
        changed = torch.where(real[..., None], x, torch.randn_like(x) * 100)
        after = model(changed, real)
    torch.testing.assert_close(before, after, rtol=0, atol=1e-5)
    # ... while a real row does count (but for `last`, only the last real row does).
    bumped = x.clone()
    last = (real.long().cumsum(1) == real.sum(1, keepdim=True)) & real
    bumped[last] += 5.0
    with torch.no_grad():
        assert not torch.allclose(model(bumped, real), before)


def test_the_last_head_is_the_thesis_model_unchanged():
    model = _head_model("last", seed=4)
    assert not any(k.startswith("pool") for k in model.state_dict())
    torch.manual_seed(4)
    backbone = Backbone(model.backbone.cfg)
    head = mlp([backbone.width, 8, 1], True, 0.16)
    for mine, theirs in zip(
        model.parameters(), [*backbone.parameters(), *head.parameters()], strict=True
    ):
        assert torch.equal(mine, theirs)
    x, real = _padded(front=False)
    with torch.no_grad():
        expected = head.eval()(last_real(backbone.eval()(x, ~real), real)).squeeze(-1)
        assert torch.equal(model(x, real), expected)


def test_mean_and_attention_pooling_differ_from_last():
    x, real = _padded(front=False)
    with torch.no_grad():
        outputs = {p: _head_model(p)(x, real) for p in ("last", "mean", "attention")}
    assert not torch.allclose(outputs["last"], outputs["mean"])
    assert not torch.allclose(outputs["mean"], outputs["attention"])


def test_an_unknown_pooling_is_refused():
    with pytest.raises(ValueError, match="pooling"):
        _head_model("max")
