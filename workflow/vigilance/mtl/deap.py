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
    """Write ``subjects`` files ``sXX.dat`` in the exact DEAP format, with latent affect.

    Ratings: each trial has a shared latent affect (one factor) and its own valence and
    arousal parts, so the two are correlated (about 0.5) without one being a function of the
    other; a subject's bias shifts all their ratings. The signal: each trial's valence and
    arousal modulate the power of two rhythms (an "alpha" 10 Hz rhythm on one group of
    channels falls with arousal, a "theta" 6 Hz rhythm on another rises with valence), weakly
    against the noise; every trial also has its own strong fingerprint (random channel offsets
    and a rhythm at a random frequency) and every subject its own channel gains. The
    fingerprint is what makes the thesis' random-window split optimistic: windows of one
    trial on both sides of the split share it and the trial's labels, while a split by
    trial must generalise from the weak affect rhythms alone. Data are float32 (about 52 MB a
    file).
    """
    from scipy.signal import lfilter

    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    trials, channels, samples = SHAPE_DATA
    t = np.arange(samples) / 128.0
    alpha_group, theta_group = np.arange(0, 8), np.arange(8, 16)
    paths = []
    for subject in range(1, subjects + 1):
        bias = rng.normal(0, 0.6, 4)
        shared = rng.normal(0, 1, trials)
        latent = 0.7 * shared[:, None] + 0.7 * rng.normal(0, 1, (trials, 4))
        labels = np.clip(5 + 1.8 * (latent + bias) + rng.normal(0, 0.4, (trials, 4)), 1, 9)
        gain = rng.uniform(0.7, 1.4, channels).astype(np.float32)
        noise = rng.normal(0, 1, SHAPE_DATA).astype(np.float32)
        data = lfilter([1.0], [1.0, -0.5], noise, axis=2).astype(np.float32)
        for trial in range(trials):
            valence, arousal = latent[trial, 0], latent[trial, 1]
            phase = rng.uniform(0, 2 * np.pi, channels)[:, None]
            alpha = (0.35 - 0.2 * arousal) * np.sin(2 * np.pi * 10 * t + phase[:8])
            theta = (0.35 + 0.2 * valence) * np.sin(2 * np.pi * 6 * t + phase[8:16])
            data[trial, alpha_group] += alpha.astype(np.float32)
            data[trial, theta_group] += theta.astype(np.float32)
            fingerprint = rng.normal(0, 0.5, channels)[:, None] + rng.normal(0, 0.6, channels)[
                :, None
            ] * np.sin(2 * np.pi * rng.uniform(2, 40) * t + phase)
            data[trial] += fingerprint.astype(np.float32)
        data *= gain[None, :, None]
        path = folder / f"s{subject:02d}.dat"
        with open(path, "wb") as handle:
            pickle.dump({"data": data, "labels": labels.round(2)}, handle)
        paths.append(path)
    return paths
