"""Windows over blinks without materialising them: contiguous arrays, a window index, gathers.

Thesis 000 slides a window of ``L`` blinks (step 1) over every recording, never across two
recordings, and pads a recording shorter than ``L`` at the end with PAD = 0. Materialising all
windows would cost ``n_windows x L x N`` floats (30 x the data); here the blinks stay in one
``(n_blinks, N)`` array and a window is its start row and length. A batch is gathered on the fly
- on the GPU when the arrays live there - as ``x: (B, L, N)``, ``mask: (B, L)`` (True for real
blinks) and ``y: (B,)``, the KSS of the window's last real blink (NaN where unlabelled).
Memory is proportional to the number of blinks: two int64 per window plus the blink arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

PAD = 0.0


def window_index(lengths: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Start row and number of real blinks of every window, for recordings of ``lengths``.

    Args:
        lengths: (R,) blinks per recording, recordings stored one after another.
        window: Window length ``L``.

    Returns:
        ``starts`` (W,) and ``sizes`` (W,): a recording of n >= L blinks gives n - L + 1
        windows of size L, a shorter one a single window of size n.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    counts = np.where(lengths >= window, lengths - window + 1, (lengths > 0).astype(np.int64))
    first = np.repeat(offsets, counts)
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    sizes = np.minimum(np.repeat(lengths, counts), window)
    return first + within, sizes


@dataclass
class BlinkWindows:
    """Blinks of a set of recordings and the index of their windows.

    Attributes:
        features: (n_blinks, N) float32, normalised, recordings contiguous and in time order.
        kss: (n_blinks,) float32, NaN where unlabelled.
        starts, sizes: (W,) int64, see :func:`window_index`.
        window: ``L``.
    """

    features: torch.Tensor
    kss: torch.Tensor
    starts: torch.Tensor
    sizes: torch.Tensor
    window: int

    @classmethod
    def from_arrays(cls, features, kss, lengths, window: int, device="cpu") -> BlinkWindows:
        """Build from numpy arrays; ``lengths`` (R,) are the blinks per recording, in order."""
        starts, sizes = window_index(lengths, window)
        return cls(
            torch.as_tensor(np.ascontiguousarray(features, dtype=np.float32), device=device),
            torch.as_tensor(np.asarray(kss, dtype=np.float32), device=device),
            torch.as_tensor(starts, device=device),
            torch.as_tensor(sizes, device=device),
            window,
        )

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def labels(self) -> torch.Tensor:
        """(W,) the KSS of each window's last real blink."""
        return self.kss[self.starts + self.sizes - 1]

    def labelled(self) -> torch.Tensor:
        """Indices of the windows whose label is present."""
        return torch.nonzero(~torch.isnan(self.labels)).flatten()

    def gather(self, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Gather a batch of windows.

        Args:
            idx: (B,) window indices (on the arrays' device).

        Returns:
            ``x`` (B, L, N) with PAD rows after a short recording's end, ``mask`` (B, L) True
            for real blinks, ``y`` (B,) the KSS of the last real blink.
        """
        starts, sizes = self.starts[idx], self.sizes[idx]
        steps = torch.arange(self.window, device=starts.device)
        mask = steps[None, :] < sizes[:, None]
        rows = starts[:, None] + torch.minimum(steps[None, :], sizes[:, None] - 1)
        # index_select on flat rows is several times faster than advanced indexing on the CPU;
        # PAD is 0 and features are finite, so multiplying by the mask pads.
        x = self.features.index_select(0, rows.flatten()).view(len(idx), self.window, -1)
        x = x * mask[..., None]
        return x, mask, self.kss[starts + sizes - 1]


def recording_lengths(recording_ids) -> np.ndarray:
    """(R,) blinks per recording, for blinks stored recording after recording (run lengths)."""
    rec = np.asarray(recording_ids).astype(str)
    if not len(rec):
        return np.zeros(0, dtype=np.int64)
    cuts = np.flatnonzero(rec[1:] != rec[:-1]) + 1
    return np.diff(np.concatenate([[0], cuts, [len(rec)]]))


def build_windows(blinks, driver_ids, columns, stats, window: int, device="cpu") -> BlinkWindows:
    """Windows over the recordings of ``driver_ids``, normalised with training statistics.

    Args:
        blinks: Clean blinks, sorted by driver, recording and time (as the prepare rule writes).
        driver_ids: The drivers of one set.
        columns: The feature set's columns.
        stats: Normalisation statistics (:mod:`vigilance.blink.normalise`).
        window: ``L``.
        device: Where the arrays (and so the gathered batches) live.
    """
    from vigilance.blink.normalise import apply_stats

    part = blinks.loc[blinks["driver_id"].isin(list(driver_ids))]
    lengths = recording_lengths(part["recording_id"])
    features = apply_stats(part[columns].to_numpy(dtype=np.float64), stats, columns)
    return BlinkWindows.from_arrays(features, part["kss"].to_numpy(), lengths, window, device)


def window_means(windows, stride: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean feature vector and label of every ``stride``-th labelled window."""
    idx = windows.labelled()[::stride]
    means, labels = [], []
    for chunk in torch.split(idx, 8192):
        x, mask, y = windows.gather(chunk)
        means.append((x.sum(1) / mask.sum(1, keepdim=True)).numpy())
        labels.append(y.numpy())
    if not means:
        return np.empty((0, windows.features.shape[1])), np.empty(0)
    return np.concatenate(means), np.concatenate(labels)
