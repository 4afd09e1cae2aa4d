"""Leakage-proof splits by driver, nested training fractions, and the guard against leaks.

Algorithm (documented for the report and the README):

1. **Pools.** Drivers with ``label_quality == "high"`` form the fine-tuning pool; all others
   (``low`` and ``none``) the pre-training pool, as in thesis 000 (pre-training on every
   recording, fine-tuning only on labels from drivers trained in the scale).
2. **Outer folds of the fine-tuning pool, balanced by label.** Scikit-learn's
   ``StratifiedGroupKFold`` (shuffled, seeded) with ``K = blink.splits.folds`` folds, driver
   as the group and the 4-level KSS of every report as the class, greedily assigns drivers to
   folds so that each fold's label distribution is as close as possible to the whole. Each
   fold in turn is the test set of one manifest (``splits/fold<k>/drivers.csv``); fold 0's is
   also ``splits/drivers.csv``, the one split of every part that does not replicate over
   folds. The samples are KSS reports (runs of equal KSS within a recording), the unit in
   which labels are given, which keeps this fast on millions of blinks. The validation set of
   fold k is fold 0 of the same split of the other folds' drivers with
   ``round((1 - 1 / K) / val_share)`` folds (seed + 1 + k); the rest is training.
   High-quality drivers without any labelled blink go to training. A data set whose labelled
   pool has drivers, but fewer than K + 2, is refused (every fold needs a test driver, and
   the rest a validation and a training one); one without labelled drivers splits its
   pre-training pool only.
3. **Pre-training validation, rotating.** The pre-training pool's drivers are dealt, in a seeded
   random order, into ``G = round(1 / pretrain_val_share)`` groups (at least 2, at most one per
   driver: column ``pretrain_group``). Replicate r of the pre-training grid (its r-th seed)
   validates on group ``r mod G`` and trains on the others (:func:`pretrain_replicate`), so
   the pre-training claims' replicates vary the validation drivers as well as the seed. The
   manifest's own ``set`` column is replicate 0's.
4. **Nested fractions.** The training drivers of each pool are put in one seeded random order
   (``train_rank``, per fold for the fine-tuning pool; for the pre-training pool one order of
   all its drivers, ``pretrain_order``, of which each replicate's training drivers keep their
   relative order); the fraction ``f`` takes the first ``ceil(f * n)`` of them, so the 25 %
   subset lies inside the 50 % subset, and validation and test never change with ``f``. The
   pre-training pool's rows are the same in every fold, so an encoder pre-trained once serves
   every fold.

The split manifest has one row per driver; :func:`check_manifest` refuses any manifest in which
a driver appears twice (in two sets) and is run by every consumer of a manifest;
:func:`check_folds` also refuses folds whose test sets share a driver or whose pre-training
rows differ.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from vigilance.blink.format import kss_level
from vigilance.core.errors import VigilanceError, fail_at_first, require_columns

SETS = {"pretrain": ("train", "val"), "finetune": ("train", "val", "test")}


def _label_runs(blinks: pd.DataFrame, drivers) -> pd.DataFrame:
    """One row per run of equal KSS within a recording: a report, the unit of labelling."""
    labelled = blinks.loc[blinks["kss"].notna() & blinks["driver_id"].isin(drivers)]
    key = labelled[["recording_id", "kss"]]
    new_run = (key != key.shift()).any(axis=1)
    return labelled.loc[new_run, ["driver_id", "recording_id", "kss"]]


def _folds(y, groups, k: int, seed: int) -> list[set]:
    """The drivers of each fold of a shuffled StratifiedGroupKFold."""
    # Imported here: scikit-learn takes over a second to import, and the training jobs that
    # read splits never draw one.
    from sklearn.model_selection import StratifiedGroupKFold

    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return [set(groups[held]) for _, held in splitter.split(np.zeros(len(y)), y, groups)]


def split_driver_folds(
    drivers: pd.DataFrame,
    blinks: pd.DataFrame,
    bins: list[list[int]],
    folds: int,
    val_share: float,
    pretrain_val_share: float,
    fractions: list[float],
    seed: int,
    source: str | Path = "config",
) -> list[pd.DataFrame]:
    """Assign every driver of the data set to a pool and a set, once per outer fold; see the
    module docstring.

    Args:
        drivers: ``driver_id``, ``label_quality``.
        blinks: Validated blinks (``driver_id``, ``recording_id``, ``kss``).
        bins: The 4-level KSS bins used to balance the fine-tuning sets.
        folds: K, the outer folds of the fine-tuning pool (fold k is manifest k's test set).
        val_share: Share of the fine-tuning pool for validation (drawn from the other folds).
        pretrain_val_share: Share of the pre-training pool in each validation group.
        fractions: Training fractions to mark (``in_fraction_<f>`` columns).
        seed: Seed of every random choice.
        source: Where ``folds`` came from, for the error message.

    Returns:
        K split manifests, one row per driver each, with ``pool``, ``set``, ``train_rank``,
        blink and label counts, and one boolean column per fraction. The pre-training pool's
        rows are the same in all of them.

    Raises:
        VigilanceError: When the fine-tuning pool has labelled drivers but fewer than K + 2
            (every fold needs a test driver, and the rest a validation and a training one).
    """
    # Categorical ids: membership tests on the categories, not on millions of strings.
    blinks = blinks[["driver_id", "recording_id", "kss"]].astype(
        {"driver_id": "category", "recording_id": "category"}
    )
    present = drivers[drivers["driver_id"].isin(blinks["driver_id"].cat.categories)].copy()
    rng = np.random.default_rng(seed)
    present["pool"] = np.where(present["label_quality"] == "high", "finetune", "pretrain")
    present["set"] = "train"
    present["train_rank"] = -1

    pre = present.index[present["pool"] == "pretrain"]
    n_val_groups = max(min(len(pre), max(2, round(1 / pretrain_val_share))), 1)
    present["pretrain_group"] = -1
    present["pretrain_order"] = -1
    present.loc[rng.permutation(pre), "pretrain_group"] = np.arange(len(pre)) % n_val_groups
    present.loc[rng.permutation(pre), "pretrain_order"] = np.arange(len(pre))
    present = _pretrain_sets(present, 0)
    counts = blinks.groupby("driver_id", observed=True).agg(
        blinks=("kss", "size"), labelled_blinks=("kss", "count"), mean_kss=("kss", "mean")
    )
    present = present.join(counts, on="driver_id")

    reports = _label_runs(blinks, present.loc[present["pool"] == "finetune", "driver_id"])
    y = kss_level(reports["kss"], bins).astype(int)
    groups = reports["driver_id"].to_numpy()
    n_groups = len(np.unique(groups))
    if 0 < n_groups < folds + 2:
        raise VigilanceError(
            "too few labelled drivers for the outer folds",
            file=source,
            field="blink.splits.folds",
            value=folds,
            expected=f"at most {n_groups - 2}: the data set has {n_groups} drivers with "
            "label_quality high and KSS reports, and each fold needs a test driver besides a "
            "validation and a training one",
        )
    tests = _folds(y, groups, folds, seed) if n_groups else [set()] * folds
    manifests = []
    for fold, test in enumerate(tests):
        manifest = present.copy()
        rest = ~np.isin(groups, list(test))
        if n_groups:
            n_rest = len(np.unique(groups[rest]))
            k_val = min(n_rest, max(2, round((1 - 1 / folds) / val_share)))
            val = _folds(y[rest], groups[rest], k_val, seed + 1 + fold)[0]
            manifest.loc[manifest["driver_id"].isin(test), "set"] = "test"
            manifest.loc[manifest["driver_id"].isin(val), "set"] = "val"
        # Labelled-pool drivers without any report (or all of them, when none has one) train.
        train = manifest.index[(manifest["pool"] == "finetune") & (manifest["set"] == "train")]
        order = np.random.default_rng([seed, fold]).permutation(train)
        manifest.loc[order, "train_rank"] = np.arange(len(train))
        for fraction in fractions:
            manifest[f"in_fraction_{fraction:g}"] = in_fraction(manifest, fraction)
        manifests.append(
            manifest.sort_values(["pool", "set", "train_rank", "driver_id"]).reset_index(drop=True)
        )
    return manifests


def _pretrain_sets(manifest: pd.DataFrame, replicate: int) -> pd.DataFrame:
    """``set`` and ``train_rank`` of the pre-training pool for one replicate (in place)."""
    pre = manifest["pool"] == "pretrain"
    n_groups = int(manifest.loc[pre, "pretrain_group"].max()) + 1 if pre.any() else 1
    val = pre & (manifest["pretrain_group"] == replicate % n_groups)
    manifest.loc[pre, "set"] = "train"
    manifest.loc[val, "set"] = "val"
    train = pre & ~val
    manifest.loc[pre, "train_rank"] = -1
    order = manifest.loc[train, "pretrain_order"].sort_values()
    manifest.loc[order.index, "train_rank"] = np.arange(len(order))
    return manifest


def pretrain_replicate(manifest: pd.DataFrame, replicate: int, source="split manifest"):
    """The manifest as replicate ``replicate`` of the pre-training grid sees it: the pre-training
    pool's validation group ``replicate mod G``, the other groups training (in
    ``pretrain_order``), the fraction columns recomputed; the fine-tuning pool unchanged.

    Raises:
        VigilanceError: When the manifest has no ``pretrain_group`` column (written before the
            validation drivers rotated: rerun split_blink_drivers).
    """
    require_columns(
        manifest.columns,
        ("pretrain_group", "pretrain_order"),
        file=source,
        expected="a split manifest with the pre-training pool's validation groups "
        "(rerun split_blink_drivers)",
    )
    out = _pretrain_sets(manifest.copy(), replicate)
    for column in [c for c in out.columns if c.startswith("in_fraction_")]:
        out[column] = in_fraction(out, float(column.removeprefix("in_fraction_")))
    return out


def split_drivers(*args, fold: int = 0, **kwargs) -> pd.DataFrame:
    """The split manifest of one outer fold (``fold``): :func:`split_driver_folds`' arguments."""
    return split_driver_folds(*args, **kwargs)[fold]


def check_folds(manifests: list[pd.DataFrame], source: str | Path = "split manifests") -> None:
    """The outer folds' guard: the same drivers and pre-training rows in every fold, and test
    sets that never share a driver (each fold's own leak guard is :func:`check_manifest`).

    Raises:
        VigilanceError: Naming the fold and the driver.
    """
    first = manifests[0].set_index("driver_id").sort_index()
    columns = [c for c in ("set", "train_rank", "pretrain_group", "pretrain_order") if c in first]
    pre = first[first["pool"] == "pretrain"][columns]
    seen: dict[str, int] = {}
    for fold, manifest in enumerate(manifests):
        check_manifest(manifest, f"{source} (fold {fold})")
        rows = manifest.set_index("driver_id").sort_index()
        if not rows.index.equals(first.index) or not rows.loc[pre.index, pre.columns].equals(pre):
            raise VigilanceError(
                "the outer folds differ outside the fine-tuning pool",
                file=source,
                field="fold",
                value=fold,
                expected="the same drivers, and the same pre-training sets, in every fold",
            )
        for driver in rows.index[rows["set"] == "test"]:
            if driver in seen:
                raise VigilanceError(
                    "leak: a driver is in the test set of two outer folds",
                    file=source,
                    field="driver_id",
                    value=driver,
                    expected=f"each driver tested in one fold (found in {seen[driver]} and {fold})",
                )
            seen[driver] = fold


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
    require_columns(
        manifest.columns,
        ("driver_id", "pool", "set", "train_rank"),
        file=source,
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
