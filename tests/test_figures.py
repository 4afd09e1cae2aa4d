"""Every figure function writes a readable image: no text over another, annotations that contrast.

Each changed plotting function is drawn from a small synthetic input, saved, and checked with
:func:`vigilance.plots.overlapping_labels` (text bounding boxes from the renderer) and, for the
annotated heat maps, the contrast of each number with its cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

from vigilance.plots import (
    confusion_heatmap,
    fit_tick_labels,
    grouped_bars,
    heatmap,
    overlapping_labels,
    save_figure,
    use_style,
)

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def plt():
    return use_style(dpi=60)


def saved(fig, path) -> None:
    """The figure is written as a non-empty PNG."""
    save_figure(fig, path)
    data = path.read_bytes()
    assert data[:8] == PNG and len(data) > 2000


def luminance(colour) -> float:
    """WCAG relative luminance of a colour."""
    channels = np.asarray(to_rgb(colour))
    linear = np.where(channels <= 0.03928, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def worst_contrast(ax) -> float:
    """The lowest contrast ratio between a heat map's annotation and its cell's colour."""
    cells = ax.collections[0].get_facecolors()
    assert len(ax.texts) == len(cells)  # seaborn annotates the cells in mesh order
    ratios = []
    for text, cell in zip(ax.texts, cells, strict=True):
        a, b = sorted((luminance(text.get_color()), luminance(cell[:3])))
        ratios.append((b + 0.05) / (a + 0.05))
    return min(ratios)


def stitch_table(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    tasks_of = {
        "CSN": ["ML_Both_Arms", "Locomotion"],
        "CSN3": ["ML_Both_Arms", "HL_Activity", "Locomotion"],
    }
    for method, tasks in tasks_of.items():
        for depth in (1, 2, 3):
            for seed_ in (1, 2):
                # Near-identity weights with one slightly negative entry (shown as -0.00 once).
                w = np.eye(len(tasks)) + rng.uniform(-0.004, 0.2, (len(tasks), len(tasks)))
                w[0, -1] = -0.001
                for i, to in enumerate(tasks):
                    for j, source in enumerate(tasks):
                        rows.append((method, depth, seed_, to, source, w[i, j]))
    return pd.DataFrame(rows, columns=["method", "depth", "seed", "to", "from", "value"])


def test_the_overlap_check_finds_labels_over_a_neighbouring_panel(plt):
    # The old cross-stitch layout: long row labels on every panel, panels packed tight.
    fig, axes = plt.subplots(1, 3, figsize=(6, 2))
    for ax in axes:
        ax.imshow(np.eye(2))
        ax.set_yticks([0, 1], ["ML_Both_Arms_long_name", "Locomotion"])
    assert overlapping_labels(fig)
    fig2, ax = plt.subplots(figsize=(2, 2))
    ax.set_xticks([0, 0.05], ["first label", "second label"])
    assert ("first label", "second label") in overlapping_labels(fig2)
    plt.close("all")


def test_heatmap_annotations_contrast_with_their_cells_and_show_no_negative_zero(plt):
    fig, ax = plt.subplots()
    data = pd.DataFrame([[1.0, -0.001], [0.0004, 0.5]], index=["a", "b"], columns=["a", "b"])
    heatmap(ax, data, vmin=0, vmax=1)
    assert [t.get_text() for t in ax.texts] == ["1.00", "0.00", "0.00", "0.50"]
    assert worst_contrast(ax) > 2.0  # white text on a yellow cell is about 1.2
    assert not ax.xaxis.get_gridlines()[0].get_visible()
    plt.close(fig)


def test_heatmap_rotates_column_labels_only_when_they_would_collide(plt):
    fig, (short, long) = plt.subplots(1, 2, figsize=(6, 3))
    heatmap(short, pd.DataFrame(np.eye(3), columns=list("abc"), index=list("abc")))
    names = [f"a rather long class name {k}" for k in range(3)]
    heatmap(long, pd.DataFrame(np.eye(3), columns=names, index=list("abc")))
    assert {t.get_rotation() for t in long.get_xticklabels()} == {0.0}  # not laid out yet
    fit_tick_labels(fig)
    assert {t.get_rotation() for t in short.get_xticklabels()} == {0.0}
    assert {t.get_rotation() for t in long.get_xticklabels()} == {90.0}
    plt.close(fig)


def test_confusion_heatmap_shows_row_shares_or_counts(plt):
    _, (shares, counts) = plt.subplots(1, 2)
    cm = np.array([[8, 2], [0, 0]])
    confusion_heatmap(shares, cm, ["H", "S"])
    confusion_heatmap(counts, cm, ["H", "S"], normalise=False)
    assert [t.get_text() for t in shares.texts] == ["0.80", "0.20", "0.00", "0.00"]
    assert [t.get_text() for t in counts.texts] == ["8", "2", "0", "0"]
    assert shares.get_xlabel() == "predicted" and shares.get_ylabel() == "true"
    _, many = plt.subplots()
    confusion_heatmap(many, np.eye(18), [str(k) for k in range(18)])
    assert not many.texts  # 18 classes: colours only, numbers would be unreadable
    plt.close("all")


def test_grouped_bars_put_each_error_bar_on_its_bar(plt):
    fig, ax = plt.subplots()
    table = pd.DataFrame(
        {
            "model": ["m1", "m2", "m1", "m2"],
            "scheme": ["fair", "fair", "leaky", "leaky"],
            "mean": [0.5, 0.2, 0.9, 0.6],
            "sd": [0.1, 0.05, np.nan, 0.02],
        }
    )
    grouped_bars(ax, table, "model", "mean", "scheme", sd="sd")
    bars = [bar for container in ax.containers[:2] for bar in container]
    assert [round(bar.get_width(), 2) for bar in bars] == [0.5, 0.2, 0.9, 0.6]
    centres = [c.lines[0].get_ydata()[0] for c in ax.containers[2:]]  # the error bars
    assert centres == pytest.approx([b.get_y() + b.get_height() / 2 for b in bars])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["m1", "m2"]  # table order, top down
    plt.close(fig)


def test_cross_stitch_heat_maps_are_readable(plt, tmp_path):
    from vigilance.mtl.figures import plot_stitches

    fig = plot_stitches(plt, stitch_table(), "opportunity - Fig 4.5: cross-stitch weights")
    heat = [ax for ax in fig.axes if ax.texts]
    assert len(heat) == 6  # 2 methods x 3 depths
    assert overlapping_labels(fig) == []
    assert min(worst_contrast(ax) for ax in heat) > 2.0
    assert not any(t.get_text().startswith("-0.00") for ax in heat for t in ax.texts)
    assert len(fig.axes) == 7  # one shared colour bar
    saved(fig, tmp_path / "stitch.png")
    saved(plot_stitches(plt, stitch_table().iloc[:0], "none"), tmp_path / "empty.png")


def test_fine_tuning_confusion_matrices_are_readable(plt, tmp_path):
    from vigilance.finetune.report import plot_confusion

    rng = np.random.default_rng(0)
    counts = rng.integers(0, 300, (4, 4)) + np.diag([900, 700, 300, 500])
    names = ["KSS 1-3", "KSS 4-6", "KSS 7", "KSS 8-9"]
    fig = plot_confusion(plt, counts, names, "Pre-trained on all drivers: 3 seeds pooled")
    assert overlapping_labels(fig) == []
    panels = [ax for ax in fig.axes if ax.texts]
    assert len(panels) == 2 and min(worst_contrast(ax) for ax in panels) > 2.0
    assert panels[0].texts[0].get_text() == str(counts[0, 0])
    saved(fig, tmp_path / "confusion.png")


def gaze_confusion(classes: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for family, label in (("classical", "Random forest (gaze features)"), ("deep", "CNN (flat)")):
        for i, true in enumerate(classes):
            counts = rng.integers(0, 20, len(classes))
            counts[i] += 120
            rows += [
                {"family": family, "label": label, "true": true, "pred": p, "count": int(n)}
                for p, n in zip(classes, counts, strict=True)
            ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("classes", [["bus", "kot", "nap", "rab"], [str(k) for k in range(10, 28)]])
def test_gaze_confusion_matrices_are_readable(plt, tmp_path, classes):
    from vigilance.eyetracking.figures import plot_confusion_matrices

    fig = plot_confusion_matrices(plt, gaze_confusion(classes), "image", "recording")
    assert overlapping_labels(fig) == []
    for ax in fig.axes[:2]:
        assert [t.get_text() for t in ax.get_yticklabels()] == classes
        if ax.texts:
            assert worst_contrast(ax) > 2.0
    saved(fig, tmp_path / "gaze_confusion.png")


def test_protocol_bars_are_readable(plt, tmp_path):
    from vigilance.eyetracking.figures import plot_protocols

    rng = np.random.default_rng(2)
    labels = [
        "Random forest (gaze features)",
        "CNN (flattened chunk)",
        "Decision tree (flattened chunk)",
        "Majority class (gaze features)",
    ]
    tables = []
    protocols = {"image": ["recording", "leave_observer_out"], "observer": ["leave_image_out"]}
    for task in protocols:
        columns = {"label": labels}
        for scheme in protocols[task]:
            for metric in ("accuracy", "kappa"):
                columns[f"{scheme}_{metric}_mean"] = rng.uniform(-0.1, 0.9, len(labels))
                columns[f"{scheme}_{metric}_sd"] = rng.uniform(0, 0.1, len(labels))
        tables.append(pd.DataFrame(columns))
    fig = plot_protocols(plt, tables, protocols)
    assert overlapping_labels(fig) == []
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == labels  # best on top
    assert len(fig.legends) == 1
    saved(fig, tmp_path / "bars.png")


def test_importance_bars_are_readable_and_sorted(plt, tmp_path):
    from vigilance.pretrain.report import plot_importances

    table = pd.DataFrame(
        {
            "parameter": ["dropout", "learning_rate", "n_blocks", "mask_share", "weight_decay"],
            "importance": [0.07, 0.51, 0.22, 0.2, np.nan],
        }
    )
    fig = plot_importances(plt, table, "fine-tuning")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "learning_rate",
        "n_blocks",
        "mask_share",
        "dropout",
    ]
    assert [t.get_text() for t in ax.texts] == ["0.51", "0.22", "0.20", "0.07"]
    assert overlapping_labels(fig) == []
    saved(fig, tmp_path / "importance.png")
    saved(plot_importances(plt, table.iloc[:0], "fine-tuning"), tmp_path / "none.png")


def mtl_curves() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = [
        (method, seed, epoch, "test", task, "f1_macro", 0.5 - 0.3 / epoch + rng.normal(0, 0.02))
        for method in ("STL", "HPS", "SPS", "CSN", "STL_nodropout", "STL_unclipped")
        for seed in (1, 2)
        for epoch in range(1, 21)
        for task in ("ML_Both_Arms", "Locomotion")
    ]
    return pd.DataFrame(
        rows, columns=["method", "seed", "epoch", "split", "task", "metric", "value"]
    )


def test_multi_task_curves_keep_titles_and_legend_clear_of_each_other(plt, tmp_path):
    from vigilance.mtl.figures import plot_curves, plot_last_epochs

    curves = mtl_curves()
    tasks = ["ML_Both_Arms", "Locomotion"]
    fig = plot_curves(plt, curves, ["STL", "HPS"], "f1_macro", tasks, "Fig 4.1: hard sharing")
    assert overlapping_labels(fig) == []  # the figure title used to sit on the panel titles
    assert len(fig.legends) == 1 and not any(ax.get_legend() for ax in fig.axes)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["HPS", "STL"]
    saved(fig, tmp_path / "curves.png")
    fig = plot_last_epochs(plt, curves, "f1_macro", tasks, 10, "Fig 4.2")
    assert overlapping_labels(fig) == []
    assert len(fig.legends[0].get_texts()) == 6
    saved(fig, tmp_path / "last.png")
    saved(plot_curves(plt, curves, ["LSTM"], "f1_macro", tasks, "none"), tmp_path / "none.png")
