"""Benchmark of a pre-training step: sequences per second, and the input pipeline's overhead.

For the default size (config.yaml's pretrain.model) and the thesis' size (d 512, 4 blocks, 4
heads, attention_linear), on this machine's device (CPU here; a GPU when there is one, bf16):

- a full step: gather a batch of windows, mask it, forward, backward, optimiser step;
- the model alone: forward, backward, optimiser step on a prepared (already gathered and
  masked) batch;

measured side by side in one run (interleaved repeats, median), and their ratio (goal: the full
step at most 1.15x the model alone). Writes benchmarks/results/pretrain_step_<device>.json.

Usage: .venv/bin/python benchmarks/pretrain_step.py [--steps 20] [--threads 1]
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
from vigilance.core.device import autocast, resolve_device  # noqa: E402
from vigilance.models.backbone import BackboneConfig  # noqa: E402
from vigilance.pretrain.masking import MaskingConfig, mask_rows  # noqa: E402
from vigilance.pretrain.model import HeadConfig, PretrainModel, squared_errors  # noqa: E402

SIZES = {
    "default": dict(upscaling="attention_linear", d_model=32, n_blocks=2, n_heads=2),
    "thesis": dict(upscaling="attention_linear", d_model=512, n_blocks=4, n_heads=4),
}


def measure(size, windows, masking, generator, device, args) -> dict:
    """Median step times of the full step and the model alone, interleaved."""
    n, window = windows.features.shape[1], windows.window
    torch.manual_seed(0)
    model = PretrainModel(BackboneConfig(n, window, **size), HeadConfig()).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    idx = torch.randint(0, len(windows), (args.batch,), device=device)
    x, real, _ = windows.gather(idx)
    prepared = (x, real, *mask_rows(x, real, masking, generator))

    def step(batch):
        x, real, x_masked, chosen, treatment = batch
        with autocast(device, "auto"):
            prediction = model(x_masked, real, treatment)
        loss = squared_errors(prediction, x[chosen]).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    def full():
        idx = torch.randint(0, len(windows), (args.batch,), device=device)
        x, real, _ = windows.gather(idx)
        step((x, real, *mask_rows(x, real, masking, generator)))

    def alone():
        step(prepared)

    def timed(fn):
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start

    for _ in range(3):
        full(), alone()
    times = {"full": [], "alone": []}
    for _ in range(args.steps):  # interleaved, so machine noise hits both alike
        times["full"].append(timed(full))
        times["alone"].append(timed(alone))
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        **size,
        "parameters": sum(p.numel() for p in model.parameters()),
        "sequences_per_s_full_step": round(args.batch / med["full"], 1),
        "sequences_per_s_model_alone": round(args.batch / med["alone"], 1),
        "ratio_full_over_model": round(med["full"] / med["alone"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device("auto")
    rng = np.random.default_rng(0)
    n_blinks, window, n = 300_000, 30, 9
    windows = BlinkWindows.from_arrays(
        rng.normal(size=(n_blinks, n)),
        np.full(n_blinks, 5.0),
        [1000] * (n_blinks // 1000),
        window,
        device,
    )
    masking = MaskingConfig()
    generator = torch.Generator(device=device).manual_seed(0)
    record = {
        "device": device.type,
        "gpu": torch.cuda.get_device_name() if device.type == "cuda" else None,
        "threads": args.threads,
        "batch": args.batch,
        "sizes": {},
    }
    for name, size in SIZES.items():
        record["sizes"][name] = measure(size, windows, masking, generator, device, args)
        print(name, record["sizes"][name], flush=True)
    record["date"] = time.strftime("%Y-%m-%d")
    out = REPO / "benchmarks" / "results" / f"pretrain_step_{device.type}.json"
    out.write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
