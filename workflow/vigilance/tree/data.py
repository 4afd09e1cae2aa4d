"""The three data sets of the image variant, generated or read from a user's files.

- fatigue: images of drivers, drowsy (1) or not (0), with each image's driver and its fold
  under both splits (:mod:`vigilance.tree.splits`: driver-wise folds, the paper's 9:1);
- identity: images of training identities, one label per person (the CASIA-WebFace role);
- pairs: images of *unseen* identities and pairs of them, same person or not, in folds (the
  LFW role), with the folds that are tested.

Each is an .npz of uint8 images (N, 112, 112, 3) plus label arrays. A user's files are read by
:mod:`vigilance.tree.folders` (fatigue, identity) and :func:`vigilance.tree.lfw.parse_pairs`
(pairs: images at ``<pairs_folder>/<name>/<name>_<i:04d>.<ext>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vigilance.core.errors import VigilanceError
from vigilance.core.io import atomic_path
from vigilance.tree.faces import draw_identities, draw_states, draw_styles, render
from vigilance.tree.folders import read_class_folders, read_fatigue
from vigilance.tree.images import SUFFIXES, read_image
from vigilance.tree.lfw import parse_pairs
from vigilance.tree.splits import assign_folds


@dataclass(frozen=True)
class SplitSettings:
    """How the fatigue set is split: the splits run, the driver folds, the seed."""

    splits: tuple[str, ...]
    driver_folds: int
    seed: int


def save_npz(path, **arrays) -> None:
    """Write arrays atomically (a failed job leaves no partial file)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, **arrays)


def load_npz(path) -> dict[str, np.ndarray]:
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def save_fatigue(path, images, labels, driver, split: SplitSettings) -> None:
    """The fatigue set with its folds under both splits."""
    folds = assign_folds(labels, driver, split.driver_folds, split.seed, "drivers" in split.splits)
    save_npz(path, images=images, labels=labels, driver=driver, **folds)


def make_pairs(who: np.ndarray, rng: np.random.Generator, folds: int, per_fold: int):
    """Pairs (a, b, same, fold): identities disjoint across folds, per fold half matched."""
    people = rng.permutation(np.unique(who))
    groups = np.array_split(people, folds)
    if min(len(g) for g in groups) < 2:
        raise VigilanceError(
            "too few pair identities for the folds",
            field="tree.data.generator.pair_identities",
            value=len(people),
            expected=f"at least {2 * folds}",
        )
    rows = []
    for fold, group in enumerate(groups):
        images = {p: np.flatnonzero(who == p) for p in group}
        for k in range(per_fold):
            if k % 2 == 0:
                p = rng.choice(group)
                a, b = rng.choice(images[p], 2, replace=False)
                rows.append((a, b, True, fold))
            else:
                p, q = rng.choice(group, 2, replace=False)
                rows.append((rng.choice(images[p]), rng.choice(images[q]), False, fold))
    a, b, same, fold = map(np.array, zip(*rows, strict=True))
    return a, b, same, fold


def generate(cfg: dict, split: SplitSettings, out: dict) -> dict:
    """Generate the fatigue, identity and pairs sets into ``out`` paths; return their sizes.

    Args:
        cfg: ``tree.data.generator``.
        split: the splits (its seed is also the generator's).
        out: paths keyed fatigue, identity, pairs.
    """
    rng = np.random.default_rng(split.seed)
    drivers, people, unseen = cfg["drivers"], cfg["identities"], cfg["pair_identities"]
    ids = draw_identities(rng, drivers + people + unseen)
    nuisance = cfg["nuisance"]

    who = np.repeat(np.arange(drivers), cfg["frames_per_driver"])
    styles = draw_styles(rng, drivers)
    drowsy = rng.random(len(who)) < styles["drowsy_share"][who]
    per_image = {k: v[who] for k, v in styles.items()}
    images = render(ids, who, draw_states(rng, drowsy, per_image), rng, nuisance)
    save_fatigue(out["fatigue"], images, drowsy.astype(np.int64), who.astype(np.int64), split)

    who = np.repeat(np.arange(people), cfg["images_per_identity"])
    states = draw_states(rng, rng.random(len(who)) < 0.3)
    images = render(ids, drivers + who, states, rng, nuisance)
    save_npz(out["identity"], images=images, labels=who.astype(np.int64))

    who = np.repeat(np.arange(unseen), cfg["images_per_pair_identity"])
    states = draw_states(rng, rng.random(len(who)) < 0.3)
    images = render(ids, drivers + people + who, states, rng, nuisance)
    a, b, same, fold = make_pairs(who, rng, cfg["folds"], cfg["pairs_per_fold"])
    tested = np.unique(fold)
    save_npz(out["pairs"], images=images, a=a, b=b, same=same, fold=fold, tested=tested)
    return {
        "fatigue": drivers * cfg["frames_per_driver"],
        "identity": people * cfg["images_per_identity"],
        "pair_images": len(who),
        "pairs": len(a),
    }


def _image_of(folder: Path, name: str, i: int, path, line: int) -> Path:
    for suffix in SUFFIXES:
        candidate = folder / name / f"{name}_{i:04d}{suffix}"
        if candidate.exists():
            return candidate
    raise VigilanceError(
        "the pair's image is missing",
        file=path,
        field=f"pair {line}",
        value=f"{folder / name / f'{name}_{i:04d}'}.*",
        expected="an image file",
    )


def read_pairs(pairs_file, folder, dev_train_file: str = ""):
    """(images, a, b, same, fold, tested) from LFW protocol files, each image read once.

    Args:
        pairs_file: ``pairs.txt`` (view 2: every fold tested) or ``pairsDevTest.txt``.
        folder: the images, ``<name>/<name>_<NNNN>.<ext>``.
        dev_train_file: ``pairsDevTrain.txt`` (view 1: its pairs only fit the threshold, the
            pairs file is the one test fold); "" for view 2.
    """
    folder = Path(folder)
    rows = [(*r, pairs_file) for r in parse_pairs(pairs_file)]
    if dev_train_file:
        # DevTrain is fold 0 (fit only), DevTest fold 1 (tested).
        rows = [(*r[:5], 1, r[6]) for r in rows]
        rows = [(*r, dev_train_file) for r in parse_pairs(dev_train_file)] + rows
    index: dict[Path, int] = {}
    a, b, same, fold = [], [], [], []
    for n, (name1, i, name2, j, matched, k, source) in enumerate(rows):
        for name, number, side in ((name1, i, a), (name2, j, b)):
            found = _image_of(folder, name, number, source, n + 1)
            side.append(index.setdefault(found, len(index)))
        same.append(matched)
        fold.append(k)
    tested = np.array([1]) if dev_train_file else np.unique(fold)
    images = np.stack([read_image(f) for f in index])
    return images, np.array(a), np.array(b), np.array(same), np.array(fold), tested


def import_folders(cfg: dict, split: SplitSettings, out: dict) -> dict:
    """Read a user's fatigue images, identity folders and pairs files into the three sets."""
    fatigue = read_fatigue(cfg["fatigue_folder"], cfg["fatigue_manifest"])
    save_fatigue(out["fatigue"], fatigue["images"], fatigue["labels"], fatigue["driver"], split)
    faces, people, _ = read_class_folders(cfg["identity_folder"])
    save_npz(out["identity"], images=faces, labels=people)
    pairs = read_pairs(cfg["pairs_file"], cfg["pairs_folder"], cfg["pairs_dev_train_file"])
    keys = ("images", "a", "b", "same", "fold", "tested")
    save_npz(out["pairs"], **dict(zip(keys, pairs, strict=True)))
    return {
        "fatigue": len(fatigue["labels"]),
        "drivers": len(np.unique(fatigue["driver"][fatigue["driver"] >= 0])),
        "identity": len(faces),
        "pairs": len(pairs[1]),
    }
