"""Benchmark of the sweep over workers: trials completed per hour with 1 and with W workers.

The pre-training sweep's real objective (vigilance.pretrain.sweep) on generated windows, one
thread per worker, each worker its own process sharing one study through a journal file
(vigilance.evaluation.sweeps), as the workflow's worker jobs do. The architecture is fixed
(a one-point space) and the pruner is off, so every trial costs the same and the ratio measures
the workers, not the sampler's luck. Goal on 2 cores: at least 1.7x with 2 workers. Also
checks the study ends with exactly the configured trials. Each worker runs in its own
session (see worker()). Writes benchmarks/results/sweep_workers.json.

Usage: .venv/bin/python benchmarks/sweep_workers.py [--trials 8] [--workers 2] [--steps 150]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "workflow"))

import yaml  # noqa: E402

LOAD_BEFORE = (0.0, 0.0, 0.0)


def pretrain_section(trials: int, steps: int) -> dict:
    """config.yaml's pretrain section with a one-point space and no pruning."""
    pretrain = yaml.safe_load((REPO / "config.yaml").read_text())["pretrain"]
    pretrain["sweep"].update(
        trials=trials,
        startup_trials=trials,
        epochs=2,
        steps_per_epoch=steps,
        pruner_warmup_epochs=10_000,
        space={"d_model": [32], "n_blocks": [2]},
    )
    return pretrain


def worker(pretrain: dict, storage: str, worker: int, workers: int) -> None:
    # Its own session, as a separate job would have: Linux's autogroup scheduling (on here)
    # shares the CPUs between sessions, not processes, so two workers in one session would
    # together get one session's share of a machine others are using.
    os.setsid()
    import numpy as np
    import torch

    from vigilance.blink.windows import BlinkWindows
    from vigilance.pretrain.sweep import run_sweep

    torch.set_num_threads(1)
    rng = np.random.default_rng(worker)
    n, window, recordings, length = 9, 10, 200, 100
    features = rng.normal(size=(recordings * length, n))
    kss = np.full(recordings * length, np.nan)
    data = [
        BlinkWindows.from_arrays(features, kss, [length] * recordings, window=window)
        for _ in range(2)
    ]
    cpu = torch.device("cpu")
    run_sweep(pretrain, data, n, window, cpu, "fp32", storage, "bench", worker=worker)


def measure(pretrain: dict, workers: int) -> dict:
    """Wall time of the whole sweep with ``workers`` processes; trials per hour."""
    import optuna

    from vigilance.evaluation.sweeps import counted, open_storage

    with tempfile.TemporaryDirectory() as folder:
        storage = str(Path(folder) / "study.journal")
        context = mp.get_context("spawn")
        procs = [
            context.Process(target=worker, args=(pretrain, storage, w, workers))
            for w in range(workers)
        ]
        start = time.perf_counter()
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
        wall = time.perf_counter() - start
        assert all(p.exitcode == 0 for p in procs)
        study = optuna.load_study(study_name="bench", storage=open_storage(storage))
        trials = study.get_trials()
        per_worker = {w: sum(t.user_attrs["worker"] == w for t in trials) for w in range(workers)}
        # Steady state: first trial's start to last trial's end (process start-up, a few
        # seconds per worker, is amortised over hundreds of trials in a real sweep).
        span = (
            max(t.datetime_complete for t in trials) - min(t.datetime_start for t in trials)
        ).total_seconds()
        return {
            "workers": workers,
            "trials": len(trials),
            "counted": counted(study),
            "trials_per_worker": per_worker,
            "wall_s": round(wall, 2),
            "trials_span_s": round(span, 2),
            "trials_per_hour": round(len(trials) / span * 3600, 1),
            "trials_per_hour_with_startup": round(len(trials) / wall * 3600, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--steps", type=int, default=150)
    args = parser.parse_args()
    global LOAD_BEFORE
    LOAD_BEFORE = os.getloadavg()
    pretrain = pretrain_section(args.trials, args.steps)
    runs = [measure(pretrain, 1), measure(pretrain, args.workers)]
    for run in runs:
        print(run, flush=True)
    load = os.getloadavg()
    record_load_before = LOAD_BEFORE
    record = {
        "what": "pre-training sweep, fixed architecture, trials per hour, one thread per worker",
        "trials": args.trials,
        "steps_per_trial": 2 * args.steps,
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in record_load_before],
        "load_average_after": [round(x, 2) for x in load],
        "runs": runs,
        "speedup": round(runs[1]["trials_per_hour"] / runs[0]["trials_per_hour"], 2),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    print("speedup", record["speedup"])
    out = REPO / "benchmarks" / "results" / "sweep_workers.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
