"""The three data sets of the image variant, generated or read from a user's folders.

- fatigue: images of drivers, drowsy (1) or not (0), split 9:1 into train and test at random
  (as document 003 split its frames);
- identity: images of training identities, one label per person (the CASIA-WebFace role);
- pairs: images of *unseen* identities and pairs of them, same person or not, in 10 folds (the
  LFW role).

Each is an .npz of uint8 images (N, 112, 112, 3) plus label arrays. Adapters read one folder
per class (fatigue: ``drowsy`` and ``alert``; identity: one per person) and an LFW-style pairs
file (``pairs.txt``: a header ``folds pairs_per_fold``, then ``name i j`` for a matched pair and
``name1 i name2 j`` for a mismatched one, images at ``<folder>/<name>/<name>_<i:04d>.<ext>``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vigilance.core.errors import VigilanceError
from vigilance.core.io import atomic_path
from vigilance.tree.faces import SIZE, draw_identities, draw_states, render

SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
FATIGUE_CLASSES = {"alert": 0, "drowsy": 1}


def save_npz(path, **arrays) -> None:
    """Write arrays atomically (a failed job leaves no partial file)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, **arrays)


def load_npz(path) -> dict[str, np.ndarray]:
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def split_9_1(labels: np.ndarray, rng: np.random.Generator, test_share: float = 0.1):
    """'train'/'test' per image, stratified by label, ``test_share`` of each class in test."""
    split = np.full(len(labels), "train", dtype="<U5")
    for value in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == value))
        split[idx[: max(1, round(test_share * len(idx)))]] = "test"
    return split


def make_pairs(who: np.ndarray, rng: np.random.Generator, folds: int, per_fold: int):
    """Pairs (a, b, same, fold) of image indices; identities are disjoint across folds."""
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


def generate(cfg: dict, seed: int, out: dict) -> dict:
    """Generate the fatigue, identity and pairs sets into ``out`` paths; return their sizes.

    Args:
        cfg: ``tree.data.generator``.
        seed: the data seed.
        out: paths keyed fatigue, identity, pairs.
    """
    rng = np.random.default_rng(seed)
    drivers, people, unseen = cfg["drivers"], cfg["identities"], cfg["pair_identities"]
    ids = draw_identities(rng, drivers + people + unseen)
    nuisance = cfg["nuisance"]

    who = np.repeat(np.arange(drivers), cfg["frames_per_driver"])
    drowsy = rng.random(len(who)) < 0.5
    images = render(ids, who, draw_states(rng, drowsy), rng, nuisance)
    labels = drowsy.astype(np.int64)
    save_npz(out["fatigue"], images=images, labels=labels, split=split_9_1(labels, rng))

    who = np.repeat(np.arange(people), cfg["images_per_identity"])
    states = draw_states(rng, rng.random(len(who)) < 0.3)
    images = render(ids, drivers + who, states, rng, nuisance)
    save_npz(out["identity"], images=images, labels=who.astype(np.int64))

    who = np.repeat(np.arange(unseen), cfg["images_per_pair_identity"])
    states = draw_states(rng, rng.random(len(who)) < 0.3)
    images = render(ids, drivers + people + who, states, rng, nuisance)
    a, b, same, fold = make_pairs(who, rng, cfg["folds"], cfg["pairs_per_fold"])
    save_npz(out["pairs"], images=images, a=a, b=b, same=same, fold=fold)
    return {
        "fatigue": drivers * cfg["frames_per_driver"],
        "identity": people * cfg["images_per_identity"],
        "pair_images": len(who),
        "pairs": len(a),
    }


def resize(image: np.ndarray, size: int = SIZE) -> np.ndarray:
    """Bilinear resize of (H, W, 3) to (size, size, 3) (pixel centres aligned)."""
    h, w = image.shape[:2]
    ys = np.clip((np.arange(size) + 0.5) * h / size - 0.5, 0, h - 1)
    xs = np.clip((np.arange(size) + 0.5) * w / size - 0.5, 0, w - 1)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    fy, fx = (ys - y0)[:, None, None], (xs - x0)[None, :, None]
    top = image[y0][:, x0] * (1 - fx) + image[y0][:, x1] * fx
    bottom = image[y1][:, x0] * (1 - fx) + image[y1][:, x1] * fx
    return top * (1 - fy) + bottom * fy


def read_image(path: Path) -> np.ndarray:
    """One image as (112, 112, 3) uint8: matplotlib's reader, grey and alpha handled, resized."""
    from matplotlib import image as mpimg

    try:
        img = np.asarray(mpimg.imread(path))
    except (OSError, ValueError, SyntaxError) as err:
        raise VigilanceError(
            f"cannot read the image ({err.__class__.__name__})",
            file=path,
            expected="a PNG, JPEG or BMP image",
        ) from None
    if img.dtype.kind == "f":
        img = img * 255.0
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    img = img[..., :3].astype(np.float64)
    if img.shape[:2] != (SIZE, SIZE):
        img = resize(img)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def _images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)


def read_class_folders(root, expected: dict | None = None):
    """(images (N, 112, 112, 3), labels (N,), class names) from one sub-folder per class.

    Args:
        root: the folder.
        expected: class name -> label (fatigue); None numbers the sub-folders in sorted order
            (identities).
    """
    root = Path(root)
    if not root.is_dir():
        raise VigilanceError("the folder does not exist", file=root, expected="a folder")
    classes = sorted(p.name for p in root.iterdir() if p.is_dir())
    if expected is not None and sorted(expected) != classes:
        raise VigilanceError(
            "wrong class folders",
            file=root,
            field="sub-folders",
            value=classes,
            expected=f"exactly {sorted(expected)}",
        )
    if len(classes) < 2:
        raise VigilanceError(
            "fewer than 2 class folders", file=root, value=classes, expected="2 or more"
        )
    images, labels = [], []
    for k, name in enumerate(classes):
        files = _images_in(root / name)
        if not files:
            raise VigilanceError("a class folder holds no images", file=root / name)
        images += [read_image(f) for f in files]
        labels += [expected[name] if expected else k] * len(files)
    return np.stack(images), np.asarray(labels, dtype=np.int64), classes


def read_pairs_file(path, folder):
    """LFW-style pairs: (images, a, b, same, fold) with each image read once."""
    path, folder = Path(path), Path(folder)
    try:
        lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
        folds, per_fold = map(int, lines[0])
    except (OSError, ValueError, IndexError):
        raise VigilanceError(
            "cannot read the header", file=path, field="line 1", expected="'folds pairs_per_fold'"
        ) from None
    if len(lines) - 1 != folds * per_fold:
        raise VigilanceError(
            "wrong number of pairs",
            file=path,
            value=len(lines) - 1,
            expected=f"{folds} x {per_fold} from the header",
        )
    index: dict[Path, int] = {}
    rows = []
    for n, parts in enumerate(lines[1:]):
        try:
            if len(parts) == 3:
                names, same = [(parts[0], int(parts[1])), (parts[0], int(parts[2]))], True
            elif len(parts) == 4:
                names, same = [(parts[0], int(parts[1])), (parts[2], int(parts[3]))], False
            else:
                raise ValueError
        except ValueError:
            raise VigilanceError(
                "malformed pair",
                file=path,
                field=f"line {n + 2}",
                value=" ".join(parts),
                expected="'name i j' or 'name1 i name2 j'",
            ) from None
        ids = []
        for name, i in names:
            found = [folder / name / f"{name}_{i:04d}{s}" for s in SUFFIXES]
            found = [f for f in found if f.exists()]
            if not found:
                raise VigilanceError(
                    "the pair's image is missing",
                    file=path,
                    field=f"line {n + 2}",
                    value=f"{folder / name / f'{name}_{i:04d}'}.*",
                    expected="an image file",
                )
            ids.append(index.setdefault(found[0], len(index)))
        rows.append((*ids, same, n // per_fold))
    images = np.stack([read_image(f) for f in index])
    a, b, same, fold = map(np.array, zip(*rows, strict=True))
    return images, a, b, same, fold


def import_folders(cfg: dict, seed: int, out: dict) -> dict:
    """Read a user's fatigue and identity folders and pairs file into the three .npz sets."""
    images, labels, _ = read_class_folders(cfg["fatigue_folder"], FATIGUE_CLASSES)
    rng = np.random.default_rng(seed)
    save_npz(out["fatigue"], images=images, labels=labels, split=split_9_1(labels, rng))
    faces, people, _ = read_class_folders(cfg["identity_folder"])
    save_npz(out["identity"], images=faces, labels=people)
    pairs, a, b, same, fold = read_pairs_file(cfg["pairs_file"], cfg["pairs_folder"])
    save_npz(out["pairs"], images=pairs, a=a, b=b, same=same, fold=fold)
    return {"fatigue": len(images), "identity": len(faces), "pairs": len(a)}
