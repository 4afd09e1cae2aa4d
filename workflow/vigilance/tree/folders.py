"""A user's fatigue and identity images: folder layouts and a manifest CSV.

Fatigue images, in one of three layouts:

- ``<fatigue_folder>/<state>/<driver>/<image>``: states ``alert`` and ``drowsy``, one
  sub-folder per driver (drivers known: driver-wise splits possible);
- ``<fatigue_folder>/<state>/<image>``: drivers unknown; only the paper's frame-wise split can
  run, and it leaks (frames of one driver on both sides);
- ``fatigue_manifest``: a CSV with columns ``image`` (a path, relative to the CSV's folder or
  absolute), ``driver`` and ``state`` (``alert`` or ``drowsy``).

Identity images: ``<identity_folder>/<person>/<image>``, one sub-folder per training identity.
Every image must be an aligned face crop (:mod:`vigilance.tree.images`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from vigilance.core.errors import VigilanceError
from vigilance.tree.images import images_in, read_image

FATIGUE_CLASSES = {"alert": 0, "drowsy": 1}
UNKNOWN = -1  # the driver code of an image whose driver is not known


def _subfolders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir())


def _need_folder(folder) -> Path:
    folder = Path(folder)
    if not folder.is_dir():
        raise VigilanceError("the folder does not exist", file=folder, expected="a folder")
    return folder


def read_class_folders(root):
    """(images (N, 112, 112, 3), labels (N,), class names): one sub-folder per identity."""
    root = _need_folder(root)
    classes = [p.name for p in _subfolders(root)]
    if len(classes) < 2:
        raise VigilanceError(
            "fewer than 2 class folders", file=root, value=classes, expected="2 or more"
        )
    images, labels = [], []
    for k, name in enumerate(classes):
        files = images_in(root / name)
        if not files:
            raise VigilanceError("a class folder holds no images", file=root / name)
        images += [read_image(f) for f in files]
        labels += [k] * len(files)
    return np.stack(images), np.asarray(labels, dtype=np.int64), classes


def _fatigue_table_from_folders(root: Path) -> pd.DataFrame:
    states = [p.name for p in _subfolders(root)]
    if sorted(states) != sorted(FATIGUE_CLASSES):
        raise VigilanceError(
            "wrong class folders",
            file=root,
            field="sub-folders",
            value=states,
            expected=f"exactly {sorted(FATIGUE_CLASSES)}",
        )
    rows = []
    for state in sorted(FATIGUE_CLASSES):
        folder = root / state
        drivers, loose = _subfolders(folder), images_in(folder)
        if drivers and loose:
            raise VigilanceError(
                "images and driver folders mixed",
                file=folder,
                expected="either <state>/<driver>/<image> or <state>/<image>, not both",
            )
        if drivers:
            rows += [(f, d.name, state) for d in drivers for f in images_in(d)]
        else:
            rows += [(f, None, state) for f in loose]
        if not any(r[2] == state for r in rows):
            raise VigilanceError("a class folder holds no images", file=folder)
    table = pd.DataFrame(rows, columns=["image", "driver", "state"])
    if table["driver"].isna().any() and table["driver"].notna().any():
        raise VigilanceError(
            "drivers known in one state folder but not in the other",
            file=root,
            expected="the same layout under alert/ and drowsy/",
        )
    return table


def _fatigue_table_from_manifest(path: Path) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, dtype=str)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise VigilanceError(
            f"cannot read the manifest ({err.__class__.__name__})",
            file=path,
            expected="a CSV with columns image, driver, state",
        ) from None
    missing = {"image", "driver", "state"} - set(table.columns)
    if missing:
        raise VigilanceError(
            "missing columns",
            file=path,
            field="header",
            value=sorted(missing),
            expected="columns image, driver, state",
        )
    for row, item in table.iterrows():
        if item["state"] not in FATIGUE_CLASSES or pd.isna(item["driver"]):
            field = "state" if item["state"] not in FATIGUE_CLASSES else "driver"
            raise VigilanceError(
                "bad manifest row",
                file=path,
                field=f"{field} (row {row + 2})",
                value=item[field],
                expected="state alert or drowsy and a driver name",
            )
    table["image"] = [p if Path(p).is_absolute() else path.parent / p for p in table["image"]]
    table["image"] = table["image"].map(Path)
    absent = [p for p in table["image"] if not p.is_file()]
    if absent:
        raise VigilanceError(
            "the manifest's image is missing",
            file=path,
            field="image",
            value=str(absent[0]),
            expected="an image file",
        )
    return table


def read_fatigue(folder: str = "", manifest: str = "") -> dict[str, np.ndarray]:
    """The fatigue set: {"images", "labels", "driver" (codes, -1 unknown)}.

    Args:
        folder: ``fatigue_folder`` (one of the folder layouts), or "".
        manifest: ``fatigue_manifest`` (a CSV; takes precedence when given), or "".
    """
    if manifest:
        table = _fatigue_table_from_manifest(Path(manifest))
    elif folder:
        table = _fatigue_table_from_folders(_need_folder(folder))
    else:
        raise VigilanceError(
            "no fatigue images configured",
            field="tree.data.fatigue_folder",
            value="",
            expected="a folder, or tree.data.fatigue_manifest",
        )
    known = table["driver"].notna()
    codes = pd.Categorical(table["driver"].where(known).astype(str)).codes
    driver = np.where(known, codes, UNKNOWN).astype(np.int64)
    return {
        "images": np.stack([read_image(f) for f in table["image"]]),
        "labels": table["state"].map(FATIGUE_CLASSES).to_numpy(np.int64),
        "driver": driver,
    }
