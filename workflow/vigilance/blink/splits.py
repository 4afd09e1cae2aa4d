"""Leakage-proof splits by driver, nested training fractions, and the guard against leaks.

Algorithm (documented for the report and the README):

1. **Pools.** Drivers with ``label_quality == "high"`` form the fine-tuning pool; all others
   (``low`` and ``none``) the pre-training pool, as in thesis 000 (pre-training on every
   recording, fine-tuning only on labels from drivers trained in the scale).
2. **Fine-tuning test and validation, balanced by label.** Scikit-learn's
   ``StratifiedGroupKFold`` (shuffled, seeded) with ``k = round(1 / test_share)`` folds, driver
   as the group and the 4-level KSS of every report as the class, greedily assigns drivers to
   folds so that each fold's label distribution is as close as possible to the whole; fold 0
   is the test set. The samples are KSS reports (runs of equal KSS within a recording), the
   unit in which labels are given, which keeps this fast on millions of blinks. The same is
   done on the remaining drivers with ``k = round((1 - test_share) / val_share)`` for the
   validation set; the rest is training.
   High-quality drivers without any labelled blink go to training. With fewer drivers than
   folds, k shrinks to the number of drivers (larger shares); below 3 labelled drivers, all
   are used for training.
3. **Pre-training validation.** A seeded random ``pretrain_val_share`` of the pre-training pool.
4. **Nested fractions.** The training drivers of each pool are put in one seeded random order
   (``train_rank``); the fraction ``f`` takes the first ``ceil(f * n)`` of them, so the 25 %
   subset lies inside the 50 % subset, and validation and test never change with ``f``.

The split manifest has one row per driver; :func:`check_manifest` refuses any manifest in which
a driver appears twice (in two sets) and is run by every consumer of a manifest.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from vigilance.blink.format import kss_level
from vigilance.core.errors import VigilanceError, fail_at_first

SETS = {"pretrain": ("train", "val"), "finetune": ("train", "val", "test")}


def _label_runs(blinks: pd.DataFrame, drivers) -> pd.DataFrame:
    """One row per run of equal KSS within a recording: a report, the unit of labelling."""
    labelled = blinks.loc[blinks["kss"].notna() & blinks["driver_id"].isin(drivers)]
    key = labelled[["recording_id", "kss"]]
    new_run = (key != key.shift()).any(axis=1)
    return labelled.loc[new_run, ["driver_id", "recording_id", "kss"]]


def _one_fold(y, groups, k: int, seed: int) -> set:
    """The drivers of fold 0 of a shuffled StratifiedGroupKFold."""
    # Imported here: scikit-learn takes over a second to import, and the training jobs that
    # read splits never draw one.
    from sklearn.model_selection import StratifiedGroupKFold

    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    _, held = next(splitter.split(np.zeros(len(y)), y, groups))
    return set(groups[held])


def split_drivers(
    drivers: pd.DataFrame,
    blinks: pd.DataFrame,
    bins: list[list[int]],
    test_share: float,
    val_share: float,
    pretrain_val_share: float,
    fractions: list[float],
    seed: int,
) -> pd.DataFrame:
    """Assign every driver of the data set to a pool and a set; see the module docstring.

    Args:
        drivers: ``driver_id``, ``label_quality``.
        blinks: Validated blinks (``driver_id``, ``kss``).
        bins: The 4-level KSS bins used to balance the fine-tuning sets.
        test_share, val_share: Shares of the fine-tuning pool for test and validation.
        pretrain_val_share: Share of the pre-training pool for validation.
        fractions: Training fractions to mark (``in_fraction_<f>`` columns).
        seed: Seed of every random choice.

    Returns:
        The split manifest: one row per driver with ``pool``, ``set``, ``train_rank``,
        blink and label counts, and one boolean column per fraction.
    """
    # Categorical ids: membership tests on the categories, not on millions of strings.
    blinks = blinks[["driver_id", "recording_id", "kss"]].astype(
        {"driver_id": "category", "recording_id": "category"}
    )
    present = drivers[drivers["driver_id"].isin(blinks["driver_id"].cat.categories)].copy()
    rng = np.random.default_rng(seed)
    present["pool"] = np.where(present["label_quality"] == "high", "finetune", "pretrain")
    present["set"] = "train"

    reports = _label_runs(blinks, present.loc[present["pool"] == "finetune", "driver_id"])
    y = kss_level(reports["kss"], bins).astype(int)
    groups = reports["driver_id"].to_numpy()
    n_groups = len(np.unique(groups))
    if n_groups >= 3:
        # k folds need k groups: small data sets get larger shares rather than an error.
        k_test = min(n_groups, max(2, round(1 / test_share)))
        test = _one_fold(y, groups, k_test, seed)
        rest = ~np.isin(groups, list(test))
        k_val = min(n_groups - len(test), max(2, round((1 - test_share) / val_share)))
        val = _one_fold(y[rest], groups[rest], k_val, seed + 1)
        present.loc[present["driver_id"].isin(test), "set"] = "test"
        present.loc[present["driver_id"].isin(val), "set"] = "val"

    pre = present.index[present["pool"] == "pretrain"]
    n_val = round(pretrain_val_share * len(pre))
    present.loc[rng.permutation(pre)[:n_val], "set"] = "val"

    present["train_rank"] = -1
    for pool in SETS:
        train = present.index[(present["pool"] == pool) & (present["set"] == "train")]
        present.loc[rng.permutation(train), "train_rank"] = np.arange(len(train))
    counts = blinks.groupby("driver_id", observed=True).agg(
        blinks=("kss", "size"), labelled_blinks=("kss", "count"), mean_kss=("kss", "mean")
    )
    present = present.join(counts, on="driver_id")
    for fraction in fractions:
        present[f"in_fraction_{fraction:g}"] = in_fraction(present, fraction)
    return present.sort_values(["pool", "set", "train_rank", "driver_id"]).reset_index(drop=True)


def in_fraction(manifest: pd.DataFrame, fraction: float) -> pd.Series:
    """Whether each driver is in the training subset of ``fraction`` (nested by train_rank)."""
    is_train = manifest["set"] == "train"
    sizes = manifest[is_train].groupby("pool")["driver_id"].size()
    limit = manifest["pool"].map(lambda p: math.ceil(fraction * sizes.get(p, 0)))
    return is_train & (manifest["train_rank"] < limit)


def check_manifest(manifest: pd.DataFrame, source: str | Path = "split manifest") -> pd.DataFrame:
    """The leak guard: every driver in exactly one pool and set, and the sets known.

    Raises:
        VigilanceError: Naming the driver and the sets it is in.
    """
    for column in ("driver_id", "pool", "set", "train_rank"):
        if column not in manifest.columns:
            raise VigilanceError(
                "column missing",
                file=source,
                field=column,
                expected="a split manifest written by split_blink_drivers",
            )
    for pool, sets in SETS.items():
        bad = (manifest["pool"] == pool) & ~manifest["set"].isin(sets)
        fail_at_first(
            bad,
            "unknown set",
            file=source,
            column="set",
            values=manifest["set"],
            expected=f"one of {sets}",
        )
    fail_at_first(
        ~manifest["pool"].isin(list(SETS)),
        "unknown pool",
        file=source,
        column="pool",
        values=manifest["pool"],
        expected=f"one of {list(SETS)}",
    )
    twice = manifest["driver_id"].astype(str).duplicated(keep=False)
    if twice.any():
        driver = manifest.loc[twice, "driver_id"].iloc[0]
        places = manifest.loc[manifest["driver_id"] == driver, ["pool", "set"]]
        where = sorted(f"{p}/{s}" for p, s in places.itertuples(index=False))
        raise VigilanceError(
            "leak: a driver is in more than one set",
            file=source,
            field="driver_id",
            value=driver,
            expected=f"each driver in exactly one set (found in {', '.join(where)})",
        )
    return manifest


def read_manifest(path: str | Path) -> pd.DataFrame:
    """Read a split manifest and run the leak guard on it."""
    return check_manifest(pd.read_csv(path, dtype={"driver_id": str}), path)


def drivers_of(manifest: pd.DataFrame, pool: str, set_: str, fraction: float = 1.0) -> list[str]:
    """The drivers of one pool and set (training sets cut to ``fraction``)."""
    chosen = (manifest["pool"] == pool) & (manifest["set"] == set_)
    if set_ == "train":
        chosen &= in_fraction(manifest, fraction)
    return sorted(manifest.loc[chosen, "driver_id"].astype(str))
