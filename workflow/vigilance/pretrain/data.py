"""The pre-training data of one run: windows of the pre-training pool's drivers.

Training windows come from the pool's training drivers of the run's replicate at its fraction
(nested subsets), validation windows from that replicate's validation drivers (the pool's
validation group rotates with the replicate: :func:`vigilance.blink.splits.pretrain_replicate`),
both normalised with the statistics fitted on the pre-training pool. For next-sequence
prediction the windows also get each window's recording and continuation
(:func:`with_continuations`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from vigilance.blink.format import FEATURE_SETS
from vigilance.blink.normalise import load_stats
from vigilance.blink.splits import drivers_of, pretrain_replicate, read_manifest
from vigilance.blink.windows import BlinkWindows, build_windows, recording_lengths
from vigilance.core.errors import VigilanceError


def load_pretrain_data(
    blinks_path,
    manifest_path,
    stats_path,
    features: str,
    fraction: float,
    window: int,
    device="cpu",
    continuations: bool = False,
    replicate: int = 0,
):
    """(train windows, validation windows, number of features) for one run.

    ``replicate`` picks the pre-training pool's validation group (the r-th seed's). With
    ``continuations`` the windows carry what next-sequence prediction needs.
    """
    columns = FEATURE_SETS[features]
    blinks = pd.read_parquet(blinks_path, columns=["driver_id", "recording_id", "kss", *columns])
    manifest = pretrain_replicate(read_manifest(manifest_path), replicate, manifest_path)
    stats = load_stats(stats_path)
    sets = {
        "train": drivers_of(manifest, "pretrain", "train", fraction),
        "val": drivers_of(manifest, "pretrain", "val"),
    }
    for name, drivers in sets.items():
        if not drivers:
            raise VigilanceError(
                f"the pre-training pool has no {name} drivers",
                file=manifest_path,
                field="set",
                value=name,
                expected="more drivers with label quality low/none, or a larger pretrain_val_share",
            )
    train = build_windows(blinks, sets["train"], columns, stats, window, device)
    val = build_windows(blinks, sets["val"], columns, stats, window, device)
    if continuations:
        for windows, name in ((train, "train"), (val, "val")):
            part = blinks.loc[blinks["driver_id"].isin(list(sets[name]))]
            with_continuations(windows, recording_lengths(part["recording_id"]))
    return train, val, len(columns)


def with_continuations(windows: BlinkWindows, lengths) -> BlinkWindows:
    """Add ``recording``, ``continuation`` and ``anchors`` to windows (in place; returned).

    ``recording`` (W,): the index of each window's recording; ``continuation`` (W,): the window
    that starts right after a full window ends, in the same recording, else -1; ``anchors``:
    the windows that have one (the ``A`` of next-sequence pairs).

    Args:
        windows: Windows over recordings of ``lengths`` blinks, stored one after another.
        lengths: (R,) blinks per recording, as given to :meth:`BlinkWindows.from_arrays`.
    """
    ends = np.cumsum(np.asarray(lengths, dtype=np.int64))
    starts = windows.starts.cpu().numpy()
    sizes = windows.sizes.cpu().numpy()
    recording = np.searchsorted(ends, starts, side="right")
    nxt = np.searchsorted(starts, starts + sizes)
    nxt_c = np.minimum(nxt, len(starts) - 1)
    ok = (
        (nxt < len(starts))
        & (sizes == windows.window)
        & (starts[nxt_c] == starts + sizes)
        & (recording[nxt_c] == recording)
    )
    continuation = np.where(ok, nxt_c, -1)
    device = windows.starts.device
    windows.recording = torch.as_tensor(recording, device=device)
    windows.continuation = torch.as_tensor(continuation, device=device)
    windows.anchors = torch.as_tensor(np.flatnonzero(ok), device=device)
    return windows
