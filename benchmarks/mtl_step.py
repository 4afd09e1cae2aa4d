"""Benchmark of a multi-task training step: HPS, CSN and SPS as ratios to STL.

On OPPORTUNITY-shaped windows (64 samples x 107 channels) with the thesis' task pair
ML_Both_Arms (18 classes) + Locomotion (6), one full training step each (forward, loss with
the trace norm for SPS, backward, Adadelta with Keras' constants) on the same batch,
interleaved repeats: the median and the spread (min, quartiles, max) over repeats. Two STL
references: STL-1, the single-task CNN of the main task (the thesis' reference for its
overheads), and STL-T, the single-task CNNs of both tasks (both predictions without sharing).
Architectures as the thesis' Tables C.1, C.3, C.5 and C.7 (SPS and CSN columns of two dense
layers {1000, 500} without dropout), at the thesis' size and at the default's (config.yaml);
batch sizes 64 and the thesis' 500. Goals (issue 6): HPS <= 1.10x, CSN <= 1.20x, SPS <= 1.30x
STL. Also times the trace norm with its gradient alone and its share of the SPS step (the
thesis attributes SPS's cost to it). Writes benchmarks/results/mtl_step_<device>.json.

Usage: .venv/bin/python benchmarks/mtl_step.py [--repeats 5] [--batches 64 500] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "workflow"))

import torch  # noqa: E402

from vigilance.core.device import resolve_device  # noqa: E402
from vigilance.mtl.models import count_parameters, tensor_trace_norm  # noqa: E402
from vigilance.mtl.registry import build_model  # noqa: E402

CONVS = dict(kernels=[11, 10, 6], pools=[2, 3, 1])
SIZES = {
    "default": dict(filters=[8, 8, 8], **CONVS, dense=[32], head=[16], columns=([32], [16])),
    "thesis": dict(
        filters=[50, 40, 30],
        **CONVS,
        dense=[1000, 1000, 1000],
        head=[500, 500],
        columns=([1000], [500]),  # Tables C.5 / C.7
    ),
}
METHODS = {
    "STL-1": ("STL", [18]),
    "STL-T": ("STL", [18, 6]),
    "HPS": ("HPS", [18, 6]),
    "CSN": ("CSN", [18, 6]),
    "SPS": ("SPS", [18, 6]),
}


def _arch(size: dict, model: str) -> dict:
    arch = {k: v for k, v in size.items() if k != "columns"}
    arch |= {"dense_dropout": 0.4, "lstm_hidden": 8}
    if model in ("SPS", "CSN"):
        arch |= {"dense": size["columns"][0], "head": size["columns"][1], "dense_dropout": 0.0}
    return arch


def spread(times: list[float]) -> dict:
    """Median, min, quartiles and max of repeated timings."""
    q1, median, q3 = (
        statistics.quantiles(times, n=4, method="inclusive") if len(times) > 1 else times * 3
    )
    return {"median": median, "min": min(times), "q1": q1, "q3": q3, "max": max(times)}


def measure(size: dict, batch: int, repeats: int, device) -> dict:
    x = torch.randn(batch, 64, 107, device=device)
    y = torch.stack([torch.randint(0, 18, (batch,)), torch.randint(0, 6, (batch,))], 1).to(device)
    models, optims = {}, {}
    for name, (model, classes) in METHODS.items():
        torch.manual_seed(0)
        weights = [2.0, 1.0] if len(classes) == 2 else None
        models[name] = build_model(
            model, 64, 107, classes, _arch(size, model), loss_weights=weights
        ).to(device)
        optims[name] = torch.optim.Adadelta(models[name].parameters(), lr=1.0, rho=0.95, eps=1e-7)
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
    traces = []
    for _ in range(repeats):
        start = time.perf_counter()
        total = sum(tensor_trace_norm(w) for w in kernels)
        total.backward()
        traces.append(time.perf_counter() - start)
    trace = statistics.median(traces)
    overhead = median["SPS"] - median["STL-1"]
    return {
        "batch": batch,
        "repeats": repeats,
        "seconds_per_step": median,
        "spread": {name: spread(t) for name, t in times.items()},
        "parameters": {name: count_parameters(m) for name, m in models.items()},
        "ratio_to_stl1": {n: median[n] / median["STL-1"] for n in ("HPS", "CSN", "SPS")},
        "ratio_to_stlT": {n: median[n] / median["STL-T"] for n in ("HPS", "CSN", "SPS")},
        "trace_norm_with_gradient_s": trace,
        "trace_norm_share_of_sps_step": trace / median["SPS"],
        "trace_norm_share_of_sps_overhead_over_stl1": trace / overhead if overhead > 0 else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batches", type=int, nargs="+", default=[64, 500])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sizes", nargs="+", default=list(SIZES))
    parser.add_argument("--out", default="", help="output path (default: results/...)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device("auto")
    record = {
        "device": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu",
        "threads": args.threads,
        "load_average_1min_at_start": os.getloadavg()[0],
        "torch": torch.__version__,
        "date": time.strftime("%Y-%m-%d"),
        "goals": {"HPS": 1.10, "CSN": 1.20, "SPS": 1.30},
        "runs": {
            f"{s}_batch{b}": measure(SIZES[s], b, args.repeats, device)
            for s in args.sizes
            for b in args.batches
        },
    }
    record["load_average_1min_at_end"] = os.getloadavg()[0]
    out = Path(args.out or REPO / "benchmarks" / "results" / f"mtl_step_{device.type}.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
