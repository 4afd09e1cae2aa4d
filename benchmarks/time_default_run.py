"""Time a whole workflow run from a fresh copy: the default run's duration for the README.

Runs `snakemake --cores N` (optionally with `--configfile`) in a temporary copy of the workflow,
so nothing in this checkout is touched, and records wall time, CPU time, peak memory of the
largest job and the number of jobs to benchmarks/results/<name>.json. Timings on a shared machine
are noisy: compare runs made in one session, as ratios. The machines these sessions get differ
(one default-size fine-tuning run took 15.8 s on 2026-11-27's and 33-41 s on 2026-12-01's), so the
record also holds that run's time (benchmarks/finetune_run.py --reference), measured just before
and just after the workflow run, and the wall time in units of it: a number that a slower or a
faster machine of the same kind leaves about where it is.

Usage:
    .venv/bin/python benchmarks/time_default_run.py [--configfile configs/ci.yaml] [--cores 2]
        [--keep /tmp/default-run]   (keep the copy and its results for a look)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns(".git", ".venv", "results", "logs", ".snakemake", "__pycache__")


def reference_seconds(env: dict) -> float | None:
    """One default-size fine-tuning run's seconds on one thread (finetune_run.py --reference);
    None, with the reason on stderr, when it fails (the workflow run's record is kept)."""
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "finetune_run.py"), "--reference"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if proc.returncode != 0:
        print(f"the reference run failed:\n{proc.stderr[-3000:]}", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])["reference_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configfile", default=None, help="override file (default: none)")
    parser.add_argument("--cores", default="2")
    parser.add_argument("--name", default=None, help="result name (default: from the config)")
    parser.add_argument(
        "--keep", default=None, help="run in this new folder and keep it (default: a temporary one)"
    )
    parser.add_argument("--note", default="", help="what else ran on the machine meanwhile")
    args = parser.parse_args()
    name = args.name or (Path(args.configfile).stem if args.configfile else "default")
    snakemake = str(Path(sys.executable).parent / "snakemake")
    command = [snakemake, "--cores", args.cores, "--quiet", "rules"]
    if args.configfile:
        command += ["--configfile", str((REPO / args.configfile).resolve())]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep).resolve() if args.keep else Path(tmp) / "vigilance"
        shutil.copytree(REPO, work, ignore=IGNORE)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        reference_before = reference_seconds(env)
        load_before = os.getloadavg()
        start, cpu_start = time.perf_counter(), os.times()
        proc = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        cpu_end = os.times()
        if proc.returncode != 0:
            sys.exit(f"the run failed:\n{proc.stderr[-3000:]}")
        jobs = re.search(r"^total\s+(\d+)", proc.stdout + proc.stderr, re.MULTILINE)
        load_after = os.getloadavg()
        reference_after = reference_seconds(env)
    measured = [r for r in (reference_before, reference_after) if r is not None]
    reference = sum(measured) / len(measured) if measured else None
    record = {
        "name": name,
        "command": " ".join(["snakemake", *command[1:]]).replace(str(REPO) + "/", ""),
        "wall_s": round(wall, 1),
        "cpu_s": round(
            (cpu_end.children_user - cpu_start.children_user)
            + (cpu_end.children_system - cpu_start.children_system),
            1,
        ),
        "max_rss_mb_largest_job": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        ),
        "jobs": int(jobs.group(1)) if jobs else None,
        "cores": args.cores,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"),
        # On a shared machine the wall time grows with the load; cpu_s / cores bounds it below.
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        # The machine's yardstick: one default-size fine-tuning run (finetune_run.py), seconds.
        "reference_s_before": reference_before and round(reference_before, 1),
        "reference_s_after": reference_after and round(reference_after, 1),
        "wall_over_reference": reference and round(wall / reference, 1),
        "note": args.note,
    }
    out = REPO / "benchmarks" / "results" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
