"""Windows over multichannel recordings, majority labels, spike clipping, leak-free splits.

Windows follow the thesis' code (Wiedekopf 2020, jpwiedekopf/TimeSeriesMTL): ``length``
consecutive samples every ``step`` samples within one recording, never across two, so a
recording of ``n`` samples gives ``floor((n - length) / step) + 1`` windows. Each label track
takes the majority label of the window's samples, ties going to the smaller class id.
"""

from __future__ import annotations

import numpy as np

from vigilance.core.errors import VigilanceError

SPLITS = ("train", "val", "test")


def window_count(n: int, length: int, step: int) -> int:
    """Windows of ``length`` samples every ``step`` samples in ``n`` samples (0 if too short)."""
    return 0 if n < length else (n - length) // step + 1


def window_starts(n: int, length: int, step: int) -> np.ndarray:
    """(W,) start indices of the windows of a recording of ``n`` samples."""
    return np.arange(window_count(n, length, step), dtype=np.int64) * step


def cut_windows(signal: np.ndarray, length: int, step: int) -> np.ndarray:
    """Cut one recording into windows.

    Args:
        signal: (n, C) samples x channels.
        length: Samples per window (L).
        step: Samples between window starts.

    Returns:
        (W, L, C) windows (a copy, float32).
    """
    starts = window_starts(len(signal), length, step)
    index = starts[:, None] + np.arange(length)[None, :]
    return signal[index].astype(np.float32)


def majority_labels(labels: np.ndarray, length: int, step: int) -> np.ndarray:
    """Majority label of each window and track; ties go to the smaller class id.

    Args:
        labels: (n, K) non-negative int class ids of K label tracks.
        length: Samples per window.
        step: Samples between window starts.

    Returns:
        (W, K) int64 labels.
    """
    labels = np.asarray(labels, dtype=np.int64)
    starts = window_starts(len(labels), length, step)
    out = np.zeros((len(starts), labels.shape[1]), dtype=np.int64)
    if len(starts) == 0:
        return out
    index = starts[:, None] + np.arange(length)[None, :]
    for k in range(labels.shape[1]):
        windows = labels[index, k]  # (W, L)
        n_classes = int(labels[:, k].max()) + 1
        counts = np.zeros((len(starts), n_classes), dtype=np.int64)
        np.add.at(counts, (np.repeat(np.arange(len(starts)), length), windows.ravel()), 1)
        out[:, k] = counts.argmax(axis=1)  # argmax returns the first maximum: the smaller id
    return out


def clip_spikes(signal: np.ndarray, sigmas: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    """Clip each channel to its mean +- ``sigmas`` standard deviations (thesis Fig 3.5).

    The thesis' code computed this after the windows had been copied, so it had no effect;
    here it is applied to the recording before windowing.

    Args:
        signal: (n, C) one recording (one file).
        sigmas: Half-width of the band in standard deviations.

    Returns:
        The clipped (n, C) signal and the (2, C) lower and upper bounds.
    """
    mean = signal.mean(axis=0)
    std = signal.std(axis=0)
    bounds = np.stack([mean - sigmas * std, mean + sigmas * std])
    return np.clip(signal, bounds[0], bounds[1]), bounds


def fill_missing(signal: np.ndarray) -> np.ndarray:
    """Fill NaNs with the previous value of the channel (leading NaNs with the first valid one).

    A channel without any valid value is set to 0.

    Args:
        signal: (n, C) samples with NaNs.
    """
    out = np.array(signal, dtype=np.float64)
    n = len(out)
    valid = ~np.isnan(out)
    index = np.where(valid, np.arange(n)[:, None], 0)
    np.maximum.accumulate(index, axis=0, out=index)
    filled = np.take_along_axis(out, index, axis=0)
    first = np.where(valid.any(axis=0), valid.argmax(axis=0), 0)
    lead = np.arange(n)[:, None] < first[None, :]
    filled = np.where(lead, out[first, np.arange(out.shape[1])], filled)
    return np.nan_to_num(filled, nan=0.0)


def random_window_split(
    n: int, test_share: float, val_share: float, rng: np.random.Generator
) -> np.ndarray:
    """The thesis' DEAP split: windows drawn at random (windows of a trial may land on both sides).

    Returns:
        (n,) split ids: 0 train, 1 validation, 2 test.
    """
    order = rng.permutation(n)
    n_test = round(test_share * n)
    n_val = round(val_share * n)
    split = np.zeros(n, dtype=np.int64)
    split[order[:n_test]] = 2
    split[order[n_test : n_test + n_val]] = 1
    return split


def group_split(
    groups: np.ndarray, strata: np.ndarray, test_share: float, val_share: float, rng
) -> np.ndarray:
    """Whole groups (trials) to one side: within each stratum (subject) a share of its groups.

    Args:
        groups: (n,) group id of each window (e.g. subject * 100 + trial).
        strata: (n,) stratum of each window (e.g. subject); each stratum keeps training groups.
        test_share: Share of each stratum's groups held out for test.
        val_share: Share held out for validation.
        rng: A NumPy generator.

    Returns:
        (n,) split ids: 0 train, 1 validation, 2 test.
    """
    split = np.zeros(len(groups), dtype=np.int64)
    for stratum in np.unique(strata):
        members = np.unique(groups[strata == stratum])
        order = rng.permutation(members)
        n_test = max(1, round(test_share * len(order)))
        n_val = round(val_share * len(order))
        if n_test + n_val >= len(order):
            raise VigilanceError(
                "too few groups in a stratum to hold some out",
                field="split",
                value=len(order),
                expected=f"more than {n_test + n_val} groups per stratum",
            )
        split[np.isin(groups, order[:n_test])] = 2
        split[np.isin(groups, order[n_test : n_test + n_val])] = 1
    return split


def recording_holdout_split(recording_owner: np.ndarray, recording: np.ndarray, seed: int):
    """Hold out, for each owner (observer), one recording for test and one for validation.

    Which of an observer's recordings goes to test rotates with the seed (and the observer),
    so that over seeds every recording is tested once while every image and observer keeps
    training data.

    Args:
        recording_owner: (n,) owner (observer) of each window.
        recording: (n,) recording id of each window.
        seed: The run's seed.

    Returns:
        (n,) split ids: 0 train, 1 validation, 2 test.
    """
    split = np.zeros(len(recording), dtype=np.int64)
    for k, owner in enumerate(np.unique(recording_owner)):
        recs = np.unique(recording[recording_owner == owner])
        if len(recs) < 3:
            raise VigilanceError(
                "an observer needs 3 recordings (train, validation, test)",
                field="observer",
                value=owner.item() if hasattr(owner, "item") else owner,
                expected=">= 3 recordings",
            )
        pick = (seed + k) % len(recs)
        split[recording == recs[pick]] = 2
        split[recording == recs[(pick + 1) % len(recs)]] = 1
    return split
