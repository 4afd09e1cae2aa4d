"""Benchmark of a fine-tuning run at the default and the thesis' size, and the grid's cost.

For each size (config.yaml's defaults: d 32, 4 blocks, batch 64, 15 x 20 steps; the thesis'
size from configs/paper.yaml: d 512, 4 blocks, batch 256, 30 x 1000 steps), on this machine's
device, with the ``top2_epochs3_6`` strategy (the grid's most common) and from scratch:

- the time of an optimiser step (gather, forward, backward, update), median of interleaved
  repeats, at each number of trainable blocks the schedule passes through;
- the time to score one window in evaluation (batches of 1,024);
- one run's wall time: measured end to end at the default size; at the thesis' size,
  extrapolated from the step and scoring times (a full thesis-sized run takes hours on a CPU).

The grid's cost follows from its size: runs = (strategies + 2 + 2 x shares below 1) x seeds, each
run costing about the same (steps per epoch are fixed, so a smaller labelled share trains the
same number of steps, and validation and test never change). Writes
benchmarks/results/finetune_run_<device>.json.

Usage: .venv/bin/python benchmarks/finetune_run.py [--threads 1] [--repeats 9]
       .venv/bin/python benchmarks/finetune_run.py --reference   (the default size's run only)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "workflow"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from vigilance.blink.windows import BlinkWindows  # noqa: E402
from vigilance.core.device import resolve_device  # noqa: E402
from vigilance.finetune.data import LabelledWindows  # noqa: E402
from vigilance.finetune.model import FinetuneModel, RegressionHeadConfig  # noqa: E402
from vigilance.finetune.train import FinetuneConfig, FinetuneTrainer  # noqa: E402
from vigilance.finetune.unfreeze import set_modes, set_trainable  # noqa: E402
from vigilance.models.backbone import BackboneConfig  # noqa: E402

SIZES = {
    "default": {
        "backbone": dict(upscaling="attention_linear", d_model=32, n_blocks=4, n_heads=2),
        "batch": 64, "epochs": 15, "steps": 20, "val_windows": 3000, "test_windows": 15000,
    },
    "thesis": {
        "backbone": dict(upscaling="attention_linear", d_model=512, n_blocks=4, n_heads=4),
        "batch": 256, "epochs": 30, "steps": 1000, "val_windows": 100000, "test_windows": 100000,
    },
}  # fmt: skip
SCHEDULE = [[3, 1], [6, 2]]


def windows(n_blinks=60000, window=30, seed=0) -> LabelledWindows:
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n_blinks, 9)).astype(np.float32)
    kss = rng.integers(1, 10, size=n_blinks).astype(np.float32)
    data = BlinkWindows.from_arrays(features, kss, [n_blinks // 20] * 20, window)
    return LabelledWindows(data, data.labelled())


def step_seconds(model, optimizer, data, batch, n_top, scratch, repeats) -> float:
    set_trainable(model, n_top, everything=scratch)
    set_modes(model, n_top, everything=scratch)
    times = []
    for r in range(repeats + 1):
        idx = data.index[torch.randint(0, len(data), (batch,))]
        started = time.perf_counter()
        x, real, y = data.windows.gather(idx)
        loss = ((model(x, real) - y) ** 2).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if r:  # the first is a warm-up
            times.append(time.perf_counter() - started)
    return statistics.median(times)


@torch.no_grad()
def score_seconds_per_window(model, data, n=4096) -> float:
    model.eval()
    idx = data.index[:n]
    started = time.perf_counter()
    for chunk in torch.split(idx, 1024):
        x, real, _ = data.windows.gather(chunk)
        model(x, real)
    return (time.perf_counter() - started) / len(idx)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument(
        "--reference",
        action="store_true",
        help="the default size only; print its measured run's seconds, write no record "
        "(benchmarks/time_default_run.py's yardstick of the machine's speed)",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device("auto")
    data = windows()
    record = {"device": str(device), "threads": args.threads, "sizes": {}}
    for name, size in SIZES.items():
        if args.reference and name != "default":
            continue
        torch.manual_seed(0)
        model = FinetuneModel(BackboneConfig(9, 30, **size["backbone"]), RegressionHeadConfig())
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
        steps = {}
        for label, n_top, scratch in (("frozen", 0, False), ("top1", 1, False),
                                      ("top2", 2, False), ("scratch", 4, True)):  # fmt: skip
            steps[label] = step_seconds(
                model, optimizer, data, size["batch"], n_top, scratch, args.repeats
            )
        per_window = score_seconds_per_window(model, data)
        # The top-2 strategy: 3 epochs frozen, 3 with one block, the rest with two.
        epochs, n = size["epochs"], size["steps"]
        top2 = n * (3 * steps["frozen"] + 3 * steps["top1"] + (epochs - 6) * steps["top2"])
        scoring = (epochs * size["val_windows"] + size["test_windows"]) * per_window
        entry = {
            "parameters": sum(p.numel() for p in model.parameters()),
            "step_seconds": steps,
            "score_seconds_per_window": per_window,
            "run_seconds_estimate": {"top2_epochs3_6": top2 + scoring,
                                     "scratch": epochs * n * steps["scratch"] + scoring},
        }  # fmt: skip
        if name == "default":
            cfg = FinetuneConfig(epochs=epochs, steps_per_epoch=n, batch_size=size["batch"])
            val = LabelledWindows(data.windows, data.index[: size["val_windows"]])
            test = LabelledWindows(data.windows, data.index[: size["test_windows"]])
            trainer = FinetuneTrainer(model, cfg, SCHEDULE, False, 0, device)
            started = time.perf_counter()
            trainer.fit(data, val)
            trainer.test(test)
            entry["run_seconds_measured"] = time.perf_counter() - started
        record["sizes"][name] = entry
        if args.reference:
            print(json.dumps({"reference_s": entry["run_seconds_measured"]}))
            return
        print(name, json.dumps(entry, indent=1))
    out = REPO / "benchmarks" / "results" / f"finetune_run_{device.type}.json"
    out.write_text(json.dumps(record, indent=2) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
