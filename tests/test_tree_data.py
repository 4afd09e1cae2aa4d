"""T-SCAF data: the LFW protocol files in their real layouts, fatigue layouts, the splits."""

from __future__ import annotations

import numpy as np
import pytest
from tree_helpers import _png, make_folders

from vigilance.core.errors import VigilanceError
from vigilance.tree import data
from vigilance.tree.folders import read_fatigue
from vigilance.tree.lfw import parse_pairs, verification_accuracy
from vigilance.tree.splits import assign_folds, held_out


def _lfw_view2(path, folds=2, per_fold=3):
    """A pairs.txt as LFW distributes it: 'folds<TAB>per_fold', then per fold per_fold
    matched lines 'name<TAB>i<TAB>j' and per_fold mismatched 'name1<TAB>i<TAB>name2<TAB>j'."""
    lines = [f"{folds}\t{per_fold}"]
    for f in range(folds):
        lines += [f"P{f}_{k}\t1\t2" for k in range(per_fold)]
        lines += [f"P{f}_{k}\t1\tQ{f}_{k}\t3" for k in range(per_fold)]
    path.write_text("\n".join(lines) + "\n")


def _lfw_view1(path, n):
    """pairsDevTrain.txt / pairsDevTest.txt: a header 'n', n matched then n mismatched."""
    lines = [str(n)] + [f"A{path.stem}{k}\t1\t2" for k in range(n)]
    lines += [f"A{path.stem}{k}\t1\tB{path.stem}{k}\t1" for k in range(n)]
    path.write_text("\n".join(lines) + "\n")


def test_pairs_txt_in_the_lfw_layout_gives_folds_of_matched_then_mismatched(tmp_path):
    _lfw_view2(tmp_path / "pairs.txt", folds=10, per_fold=300)  # the real header: 10 300
    rows = parse_pairs(tmp_path / "pairs.txt")
    assert len(rows) == 6000
    fold = np.array([r[5] for r in rows])
    same = np.array([r[4] for r in rows])
    assert np.bincount(fold).tolist() == [600] * 10
    for f in range(10):
        assert same[fold == f].tolist() == [True] * 300 + [False] * 300
    assert rows[0] == ("P0_0", 1, "P0_0", 2, True, 0)
    assert rows[300] == ("P0_0", 1, "Q0_0", 3, False, 0)
    assert rows[600][5] == 1


def test_the_development_view_fits_on_devtrain_and_tests_devtest(tmp_path):
    _lfw_view1(tmp_path / "pairsDevTrain.txt", 4)
    _lfw_view1(tmp_path / "pairsDevTest.txt", 2)
    rows = parse_pairs(tmp_path / "pairsDevTrain.txt")
    assert [r[4] for r in rows] == [True] * 4 + [False] * 4 and {r[5] for r in rows} == {0}
    for name1, i, name2, j, *_ in rows + parse_pairs(tmp_path / "pairsDevTest.txt"):
        for name, k in ((name1, i), (name2, j)):
            if not (tmp_path / "lfw" / name / f"{name}_{k:04d}.jpg").exists():
                _png(tmp_path / "lfw" / name / f"{name}_{k:04d}.jpg")
    _, _, _, same, fold, tested = data.read_pairs(
        tmp_path / "pairsDevTest.txt", tmp_path / "lfw", str(tmp_path / "pairsDevTrain.txt")
    )
    assert np.bincount(fold).tolist() == [8, 4] and tested.tolist() == [1]
    assert same.tolist() == [True] * 4 + [False] * 4 + [True] * 2 + [False] * 2
    # The threshold comes from DevTrain only: DevTrain says 'same' above 0.5, so DevTest's
    # matched pairs at 0.4 are called different even though DevTest alone would separate them.
    scores = np.r_[[0.9] * 4, [0.1] * 4, [0.4, 0.4], [0.2, 0.2]]
    result = verification_accuracy(scores, same, fold, tested)
    assert result["fold_accuracy"] == [0.5] and result["accuracy"] == 0.5


@pytest.mark.parametrize(
    "text,message",
    [
        ("10 300\nA 1 2\n", "wrong number of pairs"),
        ("1 2\nA 1 2\nA 1 B 1\nA 1 2\nB 1 A 2\n", "matched pair"),
        ("2\nA 1 2\nB 1 2\nA 1 B 1\nA 1 3\n", "line 5.*mismatched pair"),
        ("10 three\n", "cannot read the header"),
    ],
)
def test_a_pairs_file_off_the_lfw_layout_is_refused_with_its_line(tmp_path, text, message):
    (tmp_path / "pairs.txt").write_text(text)
    with pytest.raises(VigilanceError, match=message) as err:
        parse_pairs(tmp_path / "pairs.txt")
    assert "pairs.txt" in str(err.value)


def test_a_manifest_names_drivers_and_states(tmp_path):
    for k in range(4):
        _png(tmp_path / "img" / f"{k}.png", 40 * k)
    (tmp_path / "m.csv").write_text(
        "image,driver,state\nimg/0.png,ann,alert\nimg/1.png,ann,drowsy\n"
        f"{tmp_path}/img/2.png,bob,alert\nimg/3.png,bob,drowsy\n"
    )
    fatigue = read_fatigue(manifest=str(tmp_path / "m.csv"))
    assert fatigue["labels"].tolist() == [0, 1, 0, 1]
    assert fatigue["driver"].tolist() == [0, 0, 1, 1]
    (tmp_path / "m.csv").write_text("image,driver,state\nimg/0.png,ann,sleepy\n")
    with pytest.raises(VigilanceError, match="bad manifest row") as err:
        read_fatigue(manifest=str(tmp_path / "m.csv"))
    assert "sleepy" in str(err.value) and "row 2" in str(err.value)


def test_images_without_drivers_allow_only_the_frame_split(tmp_path):
    for state in ("alert", "drowsy"):
        for k in range(5):
            _png(tmp_path / "f" / state / f"{k}.png")
    fatigue = read_fatigue(folder=str(tmp_path / "f"))
    assert (fatigue["driver"] == -1).all()
    with pytest.raises(VigilanceError, match="drivers are unknown") as err:
        assign_folds(fatigue["labels"], fatigue["driver"], 2, 0, need_drivers=True)
    assert "tree.splits" in str(err.value)
    folds = assign_folds(fatigue["labels"], fatigue["driver"], 2, 0, need_drivers=False)
    assert (folds["drivers_fold"] == -1).all() and folds["frames_fold"].min() == 0
    with pytest.raises(VigilanceError, match="no such split"):
        held_out({**fatigue, **folds}, "drivers", 0)


def test_driver_folders_mixed_with_loose_images_are_refused(tmp_path):
    make_folders(tmp_path)
    _png(tmp_path / "fatigue" / "alert" / "loose.png")
    with pytest.raises(VigilanceError, match="mixed"):
        read_fatigue(folder=str(tmp_path / "fatigue"))


def test_driver_wise_replicates_hold_out_whole_drivers_stratified_on_state():
    rng = np.random.default_rng(0)
    driver = np.repeat(np.arange(12), 20)
    labels = (rng.random(len(driver)) < 0.5).astype(int)
    folds = assign_folds(labels, driver, 4, 0, need_drivers=True)
    fatigue = {"labels": labels, "driver": driver, **folds}
    tested = np.zeros(len(driver), int)
    for r in range(4):
        test = held_out(fatigue, "drivers", r)
        assert not set(driver[test]) & set(driver[~test])  # no driver on both sides
        assert 0.3 < labels[test].mean() < 0.7  # both states in every test fold
        tested += test
        frames = held_out(fatigue, "frames", r)
        assert abs(frames.mean() - 0.1) < 0.01  # the paper's 9:1
        assert set(driver[frames]) & set(driver[~frames])  # the leak: drivers on both sides
    assert (tested == 1).all()  # four replicates test every image once
    np.testing.assert_array_equal(held_out(fatigue, "drivers", 5), held_out(fatigue, "drivers", 1))
