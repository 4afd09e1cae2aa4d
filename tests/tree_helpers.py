"""A tiny user face data set for the T-SCAF adapter tests."""

import numpy as np


def _png(path, value=128):
    from matplotlib import image as mpimg

    path.parent.mkdir(parents=True, exist_ok=True)
    mpimg.imsave(path, np.full((40, 30, 3), value, dtype=np.uint8))


def make_folders(root):
    """A tiny user data set: fatigue classes, identities and an LFW-style pairs file."""
    for state in ("alert", "drowsy"):
        for i in range(3):
            _png(root / "fatigue" / state / f"{i}.png", 50 + 10 * i)
    for person in ("ann", "bob"):
        for i in range(2):
            _png(root / "identity" / person / f"{i}.jpg")
    for person in ("cid", "dee"):
        for i in (1, 2):
            _png(root / "lfw" / person / f"{person}_{i:04d}.png")
    (root / "pairs.txt").write_text("2 2\ncid 1 2\ncid 1 dee 1\ndee 1 2\ndee 2 cid 2\n")
    return {
        "fatigue_folder": str(root / "fatigue"),
        "identity_folder": str(root / "identity"),
        "pairs_file": str(root / "pairs.txt"),
        "pairs_folder": str(root / "lfw"),
    }
