"""A generator of 112 x 112 face images with identities, fatigue states and nuisances.

Stands in for document 003's self-built bus-driver set and CASIA-WebFace/LFW, which cannot be
shipped. An identity is a fixed draw of face geometry (face width and height, eye spacing and
size, nose length, mouth width, brow height), skin tone and hair colour. A state sets the eye
opening and the mouth: alert faces have open eyes and a closed mouth; drowsy faces have
half-closed or closed eyes and, often, a yawn. How far the eyes close and how often a driver
yawns are the driver's own (:func:`draw_styles`), as on real drivers, so a driver's appearance
tells something about how their fatigue shows: the leak of a frame-wise split is measurable.
Nuisances vary per image: lighting (gain and a left-right gradient), Gaussian noise, small pose
changes (shift, rotation, scale) and random occlusions (a dark rectangle). Drawing is
vectorised NumPy: ellipses on a coordinate grid.
"""

from __future__ import annotations

import numpy as np

SIZE = 112


def draw_identities(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """n identities: arrays of face geometry, skin tone and hair colour."""
    return {
        "face_w": rng.uniform(0.50, 0.72, n),
        "face_h": rng.uniform(0.68, 0.88, n),
        "eye_dx": rng.uniform(0.17, 0.29, n),
        "eye_y": rng.uniform(-0.22, -0.08, n),
        "eye_w": rng.uniform(0.07, 0.12, n),
        "brow_dy": rng.uniform(0.07, 0.14, n),
        "nose_len": rng.uniform(0.10, 0.26, n),
        "mouth_y": rng.uniform(0.30, 0.45, n),
        "mouth_w": rng.uniform(0.10, 0.24, n),
        "skin": rng.uniform(0.25, 0.95, (n, 1)) * np.array([[1.0, 0.82, 0.68]])
        + rng.uniform(0, 0.08, (n, 3)),
        "hair": rng.uniform(0.0, 0.6, (n, 3)),
        "hair_h": rng.uniform(0.05, 0.30, n),
    }


def draw_styles(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """How fatigue shows on each of n drivers: their own eye openings, yawning and drowsy share.

    A narrow-eyed driver's alert eyes can be as open as a wide-eyed driver's drowsy ones, and
    some drivers yawn while others do not: a model that has seen frames of a driver (the
    paper's random frame split) can use who it is, one that must judge new drivers cannot.
    """
    alert = rng.uniform(0.55, 1.0, n)
    return {
        "eyes_alert": alert,
        "eyes_drowsy": np.clip(alert - rng.uniform(0.3, 0.5, n), 0.02, None),
        "yawn": rng.uniform(0.0, 0.9, n),
        "drowsy_share": rng.uniform(0.25, 0.75, n),
    }


GENERIC = {"eyes_alert": 0.82, "eyes_drowsy": 0.18, "yawn": 0.6}
EYE_JITTER = 0.17  # frame-to-frame spread of the eye opening around the driver's centre


def draw_states(
    rng: np.random.Generator, drowsy: np.ndarray, style: dict | None = None
) -> dict[str, np.ndarray]:
    """Eye opening (0 closed - 1 open) and mouth opening per image, given drowsy (N,) bools.

    Args:
        drowsy: (N,) the state of each image.
        style: per-image arrays ``eyes_alert``, ``eyes_drowsy``, ``yawn`` (a driver's style,
            from :func:`draw_styles`, indexed by image); None: the same for everyone.
    """
    n = len(drowsy)
    style = style or {k: np.full(n, v) for k, v in GENERIC.items()}
    centre = np.where(drowsy, style["eyes_drowsy"], style["eyes_alert"])
    eyes = np.clip(centre + rng.uniform(-EYE_JITTER, EYE_JITTER, n), 0.0, 1.0)
    yawn = drowsy & (rng.random(n) < style["yawn"])
    mouth = np.where(yawn, rng.uniform(0.5, 1.0, n), rng.uniform(0.0, 0.15, n))
    # Some drowsy frames show a yawn with open eyes, some alert frames a blink: not separable
    # by one cue alone.
    blink = ~drowsy & (rng.random(n) < 0.1)
    eyes = np.where(blink, rng.uniform(0.1, 0.3, n), eyes)
    return {"eyes": eyes, "mouth": mouth}


def _ellipse(x, y, cx, cy, rx, ry):
    return ((x - cx) / rx) ** 2 + ((y - cy) / np.maximum(ry, 1e-3)) ** 2 <= 1.0


def render(
    ids: dict[str, np.ndarray],
    who: np.ndarray,
    states: dict[str, np.ndarray],
    rng: np.random.Generator,
    nuisance: float = 1.0,
) -> np.ndarray:
    """Images (N, 112, 112, 3) uint8 of identities ``who`` (N,) in ``states``.

    Args:
        ids: from :func:`draw_identities`.
        who: identity index of each image.
        states: from :func:`draw_states`.
        rng: the generator of the nuisances.
        nuisance: strength of the nuisances (0: none).
    """
    n = len(who)
    out = np.empty((n, SIZE, SIZE, 3), dtype=np.uint8)
    grid = (np.arange(SIZE) + 0.5) / SIZE * 2 - 1
    gx, gy = np.meshgrid(grid, grid)
    for i in range(n):
        k = who[i]
        angle = rng.normal(0, 0.08 * nuisance)
        scale = 1 + rng.normal(0, 0.04 * nuisance)
        sx, sy = rng.normal(0, 0.05 * nuisance, 2)
        c, s = np.cos(angle), np.sin(angle)
        x = (c * (gx - sx) + s * (gy - sy)) / scale
        y = (-s * (gx - sx) + c * (gy - sy)) / scale
        img = np.tile(rng.uniform(0.3, 0.7, 3), (SIZE, SIZE, 1))
        face = _ellipse(x, y, 0, 0.05, ids["face_w"][k], ids["face_h"][k])
        img[face] = ids["skin"][k]
        hair = face & (y < -ids["face_h"][k] + 0.05 + 2 * ids["hair_h"][k])
        img[hair] = ids["hair"][k]
        ey, ew = ids["eye_y"][k], ids["eye_w"][k]
        for side in (-1, 1):
            ex = side * ids["eye_dx"][k]
            img[_ellipse(x, y, ex, ey, ew * 1.2, ew * 0.7)] = (0.95, 0.95, 0.95)
            img[_ellipse(x, y, ex, ey, ew * 0.5, ew * 0.55 * states["eyes"][i])] = (0.05, 0.05, 0.1)
            lid = _ellipse(x, y, ex, ey, ew * 1.2, ew * 0.7) & (
                y < ey - ew * 0.7 + 1.4 * ew * (1 - states["eyes"][i])
            )
            img[lid] = ids["skin"][k] * 0.85
            brow = _ellipse(x, y, ex, ey - ids["brow_dy"][k], ew * 1.3, 0.02)
            img[brow] = ids["hair"][k] * 0.8
        nose = (np.abs(x) < 0.025) & (y > ey + 0.05) & (y < ey + 0.05 + ids["nose_len"][k])
        img[nose] = ids["skin"][k] * 0.7
        my, mw, mo = ids["mouth_y"][k], ids["mouth_w"][k], states["mouth"][i]
        img[_ellipse(x, y, 0, my, mw * (1 - 0.3 * mo), 0.02 + 0.12 * mo)] = (0.45, 0.1, 0.12)
        if rng.random() < 0.3 * nuisance:  # an occlusion: hand, cup, sunglasses' shadow
            h, w = rng.integers(10, 35, 2)
            top, left = rng.integers(0, SIZE - h), rng.integers(0, SIZE - w)
            img[top : top + h, left : left + w] = rng.uniform(0, 0.3)
        gain = np.exp(rng.normal(0, 0.25 * nuisance))
        img = img * gain * (1 + rng.normal(0, 0.2 * nuisance) * gx[..., None])
        img = img + rng.normal(0, 0.04 * nuisance, img.shape)
        out[i] = np.clip(img * 255, 0, 255).astype(np.uint8)
    return out
