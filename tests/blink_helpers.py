"""Small generated blink data sets for the tests."""

from __future__ import annotations

from functools import lru_cache

from vigilance.blink.generate import GeneratorConfig, generate

BINS = [[1, 3], [4, 6], [7, 7], [8, 9]]


@lru_cache(maxsize=4)
def small_dataset(drivers: int = 24, minutes: float = 30, seed: int = 0):
    """A generated data set (blinks, drivers), cached across tests: do not modify in place.

    Pools 1:1 (not the default 4:1), so that a small set still has labelled drivers in every
    fine-tuning set."""
    return generate(
        GeneratorConfig(
            drivers=drivers, recordings_per_driver=2, recording_minutes=minutes, seed=seed,
            pretrain_ratio=1.0,
        )
    )  # fmt: skip


def write_dataset(folder, blinks, drivers, fmt: str = "parquet"):
    """Write a data set folder in the open format (stacked blinks file + drivers.csv)."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        blinks.to_parquet(folder / "blinks.parquet", index=False)
    else:
        blinks.to_csv(folder / "blinks.csv", index=False)
    drivers.to_csv(folder / "drivers.csv", index=False)
    return folder
