"""Benchmark of T-SCAF inference: the tree vs the pair of separate models it replaces.

Serving both tasks (fatigue logit and face embedding) for a batch of 112 x 112 images, with a
full MobileNetV2 root (width 1.0, 7 stages, 1280-channel head; 512-d embedding), and with the
configured default root: images per second of the tree (one root pass) and of the pair (two
root passes), measured interleaved in one run (median of repeats), and their ratio (goal: the
tree at least 1.6x faster than the pair with the MobileNetV2 root). Parameters and FLOPs
(FlopCounterMode) of both, and their ratios, beside the paper's Table 1 figures. On the CPU
here; on a GPU (bf16 autocast) when there is one. Writes
benchmarks/results/tscaf_throughput_<device>.json.

Usage: .venv/bin/python benchmarks/tscaf_throughput.py [--batch 32] [--repeats 7] [--threads 1]
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
import yaml  # noqa: E402

from vigilance.core.device import autocast, describe_device, resolve_device  # noqa: E402
from vigilance.tree.costs import model_costs  # noqa: E402
from vigilance.tree.model import build_model  # noqa: E402

FULL_MOBILENET = {
    "name": "MobileNetV2Root",
    "mobilenet": {"width": 1.0, "stages": 7, "last_channels": 1280},
}
# Document 003, Table 1: the MobileNetV2 tree; section 5.3 calls it 1/3 of the IResNet50 tree.
PAPER = {"tree_params_m": 14.77, "tree_gflops": 0.25, "iresnet50_tree_params_m": 43.92}


def _model_cfg(root_override: dict | None) -> dict:
    default = yaml.safe_load((REPO / "config.yaml").read_text())["tree"]["model"]
    cfg = {**default, "attention": "both"}
    if root_override:
        cfg["root"] = {**cfg["root"], **root_override}
        cfg["embedding"], cfg["la_reduction"] = 512, 16
    return cfg


def measure(cfg: dict, device, args) -> dict:
    torch.manual_seed(0)
    models = {
        s: build_model(s, cfg, identities=100).to(device).eval() for s in ("tree", "separate")
    }
    x = torch.randn(args.batch, 3, 112, 112, device=device)
    times = {s: [] for s in models}

    def serve(model):
        with torch.no_grad(), autocast(device, "auto"):
            model(x)
        if device.type == "cuda":
            torch.cuda.synchronize()

    for model in models.values():
        serve(model)  # warm-up
    for _ in range(args.repeats):
        for name, model in models.items():
            started = time.perf_counter()
            serve(model)
            times[name].append(time.perf_counter() - started)
    costs = {s: model_costs(m.cpu()) for s, m in models.items()}
    speed = {s: args.batch / statistics.median(t) for s, t in times.items()}
    return {
        "images_per_s": speed,
        "tree_over_pair_speed": speed["tree"] / speed["separate"],
        "costs": costs,
        "pair_over_tree_params": costs["separate"]["params_m"] / costs["tree"]["params_m"],
        "pair_over_tree_gflops": costs["separate"]["gflops"] / costs["tree"]["gflops"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device("auto")
    record = {
        "args": vars(args),
        **describe_device(device),
        "mobilenetv2_full": measure(_model_cfg(FULL_MOBILENET), device, args),
        "default_root": measure(_model_cfg(None), device, args),
        "paper": PAPER,
        "goal": "tree >= 1.6x the pair's images/s with the MobileNetV2 root",
    }
    out = REPO / "benchmarks" / "results" / f"tscaf_throughput_{device.type}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
