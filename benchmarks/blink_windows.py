"""Benchmark of the blink data layer: splits and windows for ~1M blinks, batch gathering, memory.

Goals (blink-data issue): building windows and splits for 1,000,000 blinks in under 2 s on one
core; gathering at least 500,000 windows per second on the CPU; memory proportional to the
number of blinks, not windows x window length. Runs on one thread (torch and BLAS) and writes
benchmarks/results/blink_windows.json. Timings are the best of 3 repeats.

Usage: .venv/bin/python benchmarks/blink_windows.py [--drivers 300]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "workflow"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from vigilance.blink.format import FEATURE_SETS  # noqa: E402
from vigilance.blink.generate import GeneratorConfig, generate  # noqa: E402
from vigilance.blink.load import add_calibration, clean_blinks  # noqa: E402
from vigilance.blink.normalise import fit_stats  # noqa: E402
from vigilance.blink.splits import split_drivers  # noqa: E402
from vigilance.blink.windows import build_windows  # noqa: E402

BINS = [[1, 3], [4, 6], [7, 7], [8, 9]]


def best_of(fn, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drivers", type=int, default=300)
    parser.add_argument("--batch", type=int, default=4096)
    args = parser.parse_args()
    torch.set_num_threads(1)
    blinks, drivers = generate(
        GeneratorConfig(drivers=args.drivers, recordings_per_driver=3, recording_minutes=60)
    )
    blinks, _ = clean_blinks(blinks, "generated", 0.05)
    blinks = add_calibration(blinks, 5).sort_values(["driver_id", "recording_id", "t_s"])
    blinks = blinks.astype({"driver_id": "category", "recording_id": "category"})
    columns = FEATURE_SETS["original"]
    n = len(blinks)

    split_s, manifest = best_of(
        lambda: split_drivers(drivers, blinks, BINS, 3, 0.15, 0.1, [0.1, 0.25, 0.5, 1.0], 0)
    )
    stats = fit_stats(blinks, columns, manifest.loc[manifest["set"] == "train", "driver_id"])
    all_drivers = manifest["driver_id"].tolist()
    windows_s, windows = best_of(lambda: build_windows(blinks, all_drivers, columns, stats, 30))

    generator = torch.Generator().manual_seed(0)
    batches = [
        torch.randint(0, len(windows), (args.batch,), generator=generator) for _ in range(50)
    ]
    windows.gather(batches[0])
    gather_s, _ = best_of(lambda: [windows.gather(b) for b in batches])
    held = sum(
        t.numel() * t.element_size()
        for t in (windows.features, windows.kss, windows.starts, windows.sizes)
    )
    materialised = len(windows) * 30 * len(columns) * 4
    record = {
        "blinks": n,
        "windows": len(windows),
        "split_s": round(split_s, 3),
        "build_windows_s": round(windows_s, 3),
        "splits_plus_windows_s": round(split_s + windows_s, 3),
        "gather_windows_per_s": round(50 * args.batch / gather_s),
        "batch": args.batch,
        "held_bytes_per_blink": round(held / n, 1),
        "materialised_bytes_per_blink": round(materialised / n, 1),
        "memory_ratio_materialised_over_held": round(materialised / held, 1),
        "threads": torch.get_num_threads(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "date": time.strftime("%Y-%m-%d"),
    }
    out = REPO / "benchmarks" / "results" / "blink_windows.json"
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
