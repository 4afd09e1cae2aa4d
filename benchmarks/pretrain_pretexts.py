"""Benchmark of a pre-training step per pretext task: sequences per second of the full step.

For every pretext of :data:`vigilance.pretrain.pretexts.PRETEXTS`, at the default size (and the
thesis' with ``--thesis``): draw a batch of window indices, let the pretext build its inputs
(gather, mask or pair) and run the model, backward, optimiser step; median over interleaved
repeats. ``next_sequence`` encodes two windows per sequence, so its cost per sequence is about
twice the others'. Writes benchmarks/results/pretrain_pretexts_<device>.json.

The input pipeline's share: module hooks time every outermost forward of the model and its
submodules (a pretext may call the backbone and the head apart), the step times backward and the
optimiser step; the rest of the step is the pipeline (gather, masking or pairing, the loss on
the predictions). ``step / model`` is the ratio the issue bounds by 1.15 (recorded per pretext
as ``step_over_model``).

Usage: .venv/bin/python benchmarks/pretrain_pretexts.py [--steps 10] [--threads 1] [--thesis]
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
from vigilance.models.backbone import BackboneConfig  # noqa: E402
from vigilance.pretrain.data import with_continuations  # noqa: E402
from vigilance.pretrain.model import HeadConfig  # noqa: E402
from vigilance.pretrain.pretexts import PRETEXTS, make_pretext  # noqa: E402

SIZES = {
    "default": dict(upscaling="attention_linear", d_model=32, n_blocks=4, n_heads=2),
    "thesis": dict(upscaling="attention_linear", d_model=512, n_blocks=4, n_heads=4),
}


def sync(device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


class ForwardClock:
    """Seconds spent inside the model's outermost module forwards (hooks on every module)."""

    def __init__(self, model: torch.nn.Module, device) -> None:
        self.forward_s, self.depth, self.start, self.device = 0.0, 0, 0.0, device
        for module in model.modules():
            module.register_forward_pre_hook(self._enter)
            module.register_forward_hook(self._leave)

    def _enter(self, *_):
        if self.depth == 0:
            sync(self.device)
            self.start = time.perf_counter()
        self.depth += 1

    def _leave(self, *_):
        self.depth -= 1
        if self.depth == 0:
            sync(self.device)
            self.forward_s += time.perf_counter() - self.start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--thesis", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device("auto")
    rng = np.random.default_rng(0)
    n_blinks, window, n = 100_000, 30, 9
    lengths = [1000] * (n_blinks // 1000)
    windows = BlinkWindows.from_arrays(
        rng.normal(size=(n_blinks, n)), np.full(n_blinks, 5.0), lengths, window, device
    )
    with_continuations(windows, lengths)
    generator = torch.Generator(device=device).manual_seed(0)
    sizes = SIZES if args.thesis else {"default": SIZES["default"]}
    record = {"device": device.type, "threads": args.threads, "batch": args.batch, "runs": {}}
    for size_name, size in sizes.items():
        steps = {}
        for name in sorted(PRETEXTS):
            pretext = make_pretext(name)
            torch.manual_seed(0)
            model = pretext.build_model(BackboneConfig(n, window, **size), HeadConfig()).to(device)
            optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)

            clock = ForwardClock(model, device)

            def step(pretext=pretext, model=model, optimizer=optimizer, clock=clock):
                clock.forward_s = 0.0
                idx = torch.randint(0, len(windows), (args.batch,), device=device)
                errors, _ = pretext.errors(model, windows, idx, generator, device, "auto", 9)
                loss = errors["loss"].mean()
                sync(device)
                start = time.perf_counter()
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                sync(device)
                return clock.forward_s + time.perf_counter() - start

            steps[name] = step
        for step in steps.values():  # warm-up
            step()
        times = {name: [] for name in steps}
        model_times = {name: [] for name in steps}
        for _ in range(args.steps):  # interleaved, so machine noise hits every pretext alike
            for name, step in steps.items():
                start = time.perf_counter()
                model_times[name].append(step())
                times[name].append(time.perf_counter() - start)
        record["runs"][size_name] = {
            name: round(args.batch / statistics.median(t), 1) for name, t in times.items()
        }
        record.setdefault("step_over_model", {})[size_name] = {
            name: round(statistics.median(t) / statistics.median(model_times[name]), 3)
            for name, t in times.items()
        }
        print(size_name, "sequences/s", record["runs"][size_name], flush=True)
        print(size_name, "step / model", record["step_over_model"][size_name], flush=True)
    record["date"] = time.strftime("%Y-%m-%d")
    out = REPO / "benchmarks" / "results" / f"pretrain_pretexts_{device.type}.json"
    out.write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
