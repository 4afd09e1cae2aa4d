"""Reading a face image: Pillow, grey and alpha handled, antialiased resize to 112 x 112.

Inputs must be *aligned face crops* (as document 003's RetinaFace crops, manually checked):
this module resizes whole images and never detects, crops or aligns a face, so an uncropped
frame would feed the background to both tasks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vigilance.core.errors import VigilanceError

SIZE = 112
SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


def resize(image: np.ndarray, size: int = SIZE) -> np.ndarray:
    """(H, W, 3) uint8 -> (size, size, 3) uint8 with Pillow's antialiased Lanczos filter.

    Downscaling with a filter whose support grows with the scale factor averages the pixels a
    target pixel covers, so fine patterns do not alias (as point-sampled bilinear would).
    """
    from PIL import Image

    img = Image.fromarray(np.ascontiguousarray(image, dtype=np.uint8))
    return np.asarray(img.resize((size, size), Image.Resampling.LANCZOS))


def read_image(path: Path) -> np.ndarray:
    """One image as (112, 112, 3) uint8 RGB (grey images repeated, alpha dropped)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            rgb = np.asarray(img.convert("RGB"))
    except (OSError, ValueError, UnidentifiedImageError) as err:
        raise VigilanceError(
            f"cannot read the image ({err.__class__.__name__})",
            file=path,
            expected="a PNG, JPEG or BMP image",
        ) from None
    return rgb if rgb.shape[:2] == (SIZE, SIZE) else resize(rgb)


def images_in(folder: Path) -> list[Path]:
    """The image files directly in ``folder``, sorted."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
