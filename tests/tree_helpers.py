"""A tiny user face data set for the T-SCAF adapter tests, in the layouts users provide."""

import numpy as np


def _png(path, value=128):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((40, 30, 3), value, dtype=np.uint8)).save(path)


def make_folders(root):
    """Fatigue images as <state>/<driver>/<image>, identities and an LFW pairs.txt.

    pairs.txt: header '2 1' (2 folds, 1 matched + 1 mismatched pair per fold), as LFW's.
    """
    for state in ("alert", "drowsy"):
        for driver in ("d1", "d2"):
            for i in range(2):
                _png(root / "fatigue" / state / driver / f"{i}.png", 50 + 10 * i)
    for person in ("ann", "bob"):
        for i in range(2):
            _png(root / "identity" / person / f"{i}.jpg")
    for person in ("cid", "dee"):
        for i in (1, 2):
            _png(root / "lfw" / person / f"{person}_{i:04d}.png")
    (root / "pairs.txt").write_text("2\t1\ncid\t1\t2\ncid\t1\tdee\t1\ndee\t1\t2\ndee\t2\tcid\t2\n")
    return {
        "fatigue_folder": str(root / "fatigue"),
        "fatigue_manifest": "",
        "identity_folder": str(root / "identity"),
        "pairs_file": str(root / "pairs.txt"),
        "pairs_dev_train_file": "",
        "pairs_folder": str(root / "lfw"),
    }
