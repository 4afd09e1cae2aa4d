"""DEAP (Koelstra et al., "DEAP: A Database for Emotion Analysis Using Physiological Signals",
IEEE TAC 2012): the validating reader of ``data_preprocessed_python/sXX.dat``, windows, a generator.

Each file is a Python pickle (latin-1) of a dict with ``data`` (40 trials, 40 channels, 8064
samples at 128 Hz) and ``labels`` (40 trials, 4 ratings 1-9: valence, arousal, dominance,
liking). As in the thesis' code: the first 3 s (384 samples) are the pre-trial baseline and
are dropped; windows of 1 s (128 samples) every 0.5 s give 119 per trial; ratings are
binarised at a threshold (>= 5 in the code, 4.5 in the text). The DEAP licence forbids
redistribution: users point the config at their copy; the workflow's default is generated.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import numpy as np

from vigilance.core.errors import VigilanceError
from vigilance.mtl.windows import clip_spikes, cut_windows

SHAPE_DATA = (40, 40, 8064)
SHAPE_LABELS = (40, 4)
TASKS = ("valence", "arousal", "dominance", "liking")
BASELINE = 384
FILE_PATTERN = re.compile(r"^s(?P<subject>\d\d)\.dat$")


def read_subject(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read and validate one ``sXX.dat`` pickle.

    Returns:
        ``data`` (40, 40, 8064) float32 and ``labels`` (40, 4) float64.

    Raises:
        VigilanceError: Not a pickle of a dict, a missing key, a wrong shape, non-finite values
            or ratings outside 1-9.
    """
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            content = pickle.load(handle, encoding="latin1")
    except (pickle.UnpicklingError, EOFError, ValueError, AttributeError) as err:
        raise VigilanceError(
            f"not a readable pickle ({err})", file=path, expected="a DEAP sXX.dat pickle"
        ) from None
    if not isinstance(content, dict):
        raise VigilanceError(
            "the pickle is no dict",
            file=path,
            value=type(content).__name__,
            expected="a dict with keys 'data' and 'labels'",
        )
    arrays = {}
    for key, shape in (("data", SHAPE_DATA), ("labels", SHAPE_LABELS)):
        if key not in content:
            raise VigilanceError(
                "missing key", file=path, field=key, expected=f"an array of shape {shape}"
            )
        array = np.asarray(content[key])
        if array.shape != shape:
            raise VigilanceError(
                "wrong shape", file=path, field=key, value=array.shape, expected=str(shape)
            )
        if not np.issubdtype(array.dtype, np.number) or not np.isfinite(array).all():
            raise VigilanceError(
                "non-numeric or non-finite values", file=path, field=key, expected="finite numbers"
            )
        arrays[key] = array
    labels = arrays["labels"].astype(np.float64)
    if labels.min() < 1 or labels.max() > 9:
        bad = labels[(labels < 1) | (labels > 9)][0]
        raise VigilanceError(
            "rating out of range", file=path, field="labels", value=bad, expected="1 to 9"
        )
    return arrays["data"].astype(np.float32), labels


def find_files(folder: str | Path) -> dict[int, Path]:
    """The ``sXX.dat`` files of a folder (searched recursively), by subject number."""
    found = {}
    for path in sorted(Path(folder).rglob("s*.dat")):
        match = FILE_PATTERN.match(path.name)
        if match:
            found[int(match["subject"])] = path
    if not found:
        raise VigilanceError(
            "no DEAP files found", file=folder, expected="sXX.dat files, e.g. s01.dat"
        )
    return found


def load_windows(
    folder, length: int, step: int, threshold: float, clip: bool = False, sigmas: float = 10.0
) -> dict:
    """Windows of every trial of every subject, channels last.

    Returns:
        Arrays ``x`` (W, L, 40) float32, ``y`` (W, 4) int64 (1 = rating >= threshold),
        ``subject`` (W,), ``trial`` (W,) as subject * 100 + trial, ``tasks``, ``classes``.
    """
    parts: dict[str, list] = {"x": [], "y": [], "subject": [], "trial": []}
    for subject, path in find_files(folder).items():
        data, labels = read_subject(path)
        data = data[:, :, BASELINE:]
        if clip:  # per channel over the whole file, as for OPPORTUNITY
            flat = data.transpose(0, 2, 1).reshape(-1, data.shape[1])
            flat, _ = clip_spikes(flat, sigmas)
            data = flat.reshape(data.shape[0], -1, data.shape[1]).transpose(0, 2, 1)
        for trial in range(data.shape[0]):
            x = cut_windows(data[trial].T, length, step)
            parts["x"].append(x)
            parts["y"].append(np.repeat((labels[trial] >= threshold)[None], len(x), axis=0))
            parts["subject"].append(np.full(len(x), subject))
            parts["trial"].append(np.full(len(x), subject * 100 + trial))
    out = {k: np.concatenate(v) for k, v in parts.items()}
    out["y"] = out["y"].astype(np.int64)
    return {**out, "tasks": np.asarray(TASKS), "classes": np.full(len(TASKS), 2)}


def generate(folder, subjects: int, seed: int) -> list[Path]:
    """Write ``subjects`` files ``sXX.dat`` in the exact DEAP format with learnable structure.

    Ratings are drawn per trial; a rhythm in a group of channels carries each rating (its
    frequency high or low with the binarised rating, its amplitude with the rating), over
    noise. The data are stored as float32 to keep the files at about 52 MB.
    """
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    t = np.arange(SHAPE_DATA[2]) / 128.0
    paths = []
    for subject in range(1, subjects + 1):
        labels = rng.uniform(1, 9, SHAPE_LABELS).round(2)
        data = rng.normal(0, 1, SHAPE_DATA).astype(np.float32)
        for k in range(4):
            high = labels[:, k] >= 5
            freq = np.where(high, 10.0, 4.0)[:, None]
            amp = (0.1 + 0.04 * labels[:, k])[:, None]  # weak against the unit noise
            phase = rng.uniform(0, 2 * np.pi, (SHAPE_DATA[0], 1))
            wave = (amp * np.sin(2 * np.pi * freq * t[None, :] + phase)).astype(np.float32)
            data[:, 10 * k : 10 * k + 10, :] += wave[:, None, :]
        path = folder / f"s{subject:02d}.dat"
        with open(path, "wb") as handle:
            pickle.dump({"data": data, "labels": labels}, handle)
        paths.append(path)
    return paths
