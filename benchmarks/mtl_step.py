"""Benchmark of a multi-task training step: HPS, CSN and SPS as ratios to STL.

On OPPORTUNITY-shaped windows (64 samples x 107 channels) with the thesis' task pair
ML_Both_Arms (18 classes) + Locomotion (6), one full training step each (forward, loss with
the trace norm for SPS, backward, Adadelta update) on the same batch, interleaved repeats,
median. Two STL references: STL-1, the single-task CNN of the main task (the thesis' reference
for its overheads), and STL-T, the single-task CNNs of both tasks (what it costs to get both
predictions without sharing). Sizes: the default (config.yaml) and the thesis' architecture.
Goals (issue 6): HPS <= 1.10x, CSN <= 1.20x, SPS <= 1.30x STL. Also times the trace norm with
its gradient alone. Writes benchmarks/results/mtl_step_<device>.json.

Usage: .venv/bin/python benchmarks/mtl_step.py [--repeats 7] [--batch 64] [--threads 1]
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

import torch  # noqa: E402

from vigilance.core.device import resolve_device  # noqa: E402
from vigilance.mtl.models import build_model, count_parameters, tensor_trace_norm  # noqa: E402

SIZES = {
    "default": dict(filters=[8, 8, 8], kernels=[11, 10, 6], pools=[2, 3, 1], dense=[32], head=[16]),
    "thesis": dict(
        filters=[50, 40, 30],
        kernels=[11, 10, 6],
        pools=[2, 3, 1],
        dense=[1000, 1000, 1000],
        head=[500, 500],
    ),
}
METHODS = {
    "STL-1": ("STL", [18]),
    "STL-T": ("STL", [18, 6]),
    "HPS": ("HPS", [18, 6]),
    "CSN": ("CSN", [18, 6]),
    "SPS": ("SPS", [18, 6]),
}


def measure(arch: dict, batch: int, repeats: int, device) -> dict:
    arch = {**arch, "dropout": 0.4, "lstm_hidden": 8}
    x = torch.randn(batch, 64, 107, device=device)
    y = torch.stack([torch.randint(0, 18, (batch,)), torch.randint(0, 6, (batch,))], 1).to(device)
    models, optims = {}, {}
    for name, (model, classes) in METHODS.items():
        torch.manual_seed(0)
        models[name] = build_model(model, 64, 107, classes, arch).to(device)
        optims[name] = torch.optim.Adadelta(models[name].parameters(), lr=1.0)
    times = {name: [] for name in METHODS}

    def step(name):
        model, optim = models[name], optims[name]
        loss = model.loss(model(x), y[:, : len(model.n_classes)])
        optim.zero_grad(set_to_none=True)
        loss.backward()
        optim.step()

    for name in METHODS:  # warm-up
        step(name)
    for _ in range(repeats):
        for name in METHODS:
            if device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            step(name)
            if device.type == "cuda":
                torch.cuda.synchronize()
            times[name].append(time.perf_counter() - start)
    median = {name: statistics.median(t) for name, t in times.items()}
    kernels = models["SPS"].trunk.stacked_kernels()
    start = time.perf_counter()
    for _ in range(repeats):
        total = sum(tensor_trace_norm(w) for w in kernels)
        total.backward()
    trace = (time.perf_counter() - start) / repeats
    return {
        "batch": batch,
        "seconds_per_step": median,
        "parameters": {name: count_parameters(m) for name, m in models.items()},
        "ratio_to_stl1": {n: median[n] / median["STL-1"] for n in ("HPS", "CSN", "SPS")},
        "ratio_to_stlT": {n: median[n] / median["STL-T"] for n in ("HPS", "CSN", "SPS")},
        "trace_norm_with_gradient_s": trace,
        "trace_norm_share_of_sps_step": trace / median["SPS"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sizes", nargs="+", default=list(SIZES))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device("auto")
    record = {
        "device": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu",
        "threads": args.threads,
        "torch": torch.__version__,
        "date": time.strftime("%Y-%m-%d"),
        "goals": {"HPS": 1.10, "CSN": 1.20, "SPS": 1.30},
        "sizes": {s: measure(SIZES[s], args.batch, args.repeats, device) for s in args.sizes},
    }
    out = REPO / "benchmarks" / "results" / f"mtl_step_{device.type}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
