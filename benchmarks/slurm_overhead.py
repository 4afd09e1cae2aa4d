"""Benchmark of what a job costs on SLURM beyond its work, and what grouping saves.

N trivial Snakemake jobs (each writes one small file, after a 1 s sleep) are run on the SLURM
that answers `sinfo` (the .ci/slurm-up sandbox here) through the SLURM executor, three ways:
locally (no scheduler), one SLURM job each, and all N grouped into one SLURM job
(`--groups`/`--group-components`). From SLURM's accounting (sacct) per job: the time queued
(Submit -> Start) and the time running (Elapsed: Snakemake's start-up inside the job, the
work, the epilogue). Writes benchmarks/results/slurm_overhead.json.

Usage: .venv/bin/python benchmarks/slurm_overhead.py [--jobs 8]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
SNAKEFILE = """
rule all:
    input: expand("out/{i}.txt", i=range(N))

rule tiny:
    output: "out/{i}.txt"
    resources: mem_mb=100, runtime=5
    shell: "sleep 1; echo {wildcards.i} > {output}"
"""
SLURM = [
    "--executor",
    "slurm",
    "--jobs",
    "100",
    "--default-resources",
    "slurm_account=''",
    "slurm_partition=''",
    "--slurm-init-seconds-before-status-checks",
    "2",
    "--seconds-between-status-checks",
    "2",
    "--latency-wait",
    "10",
    "--cores",
    "2",
]


def run(folder: Path, n: int, args: list[str]) -> dict:
    folder.mkdir(parents=True)
    (folder / "Snakefile").write_text(f"N = {n}\n" + SNAKEFILE)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    start = time.perf_counter()
    proc = subprocess.run(
        ["timeout", "-k", "20", "600", SNAKEMAKE, *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr[-3000:]
    run_uuid = None
    for line in proc.stderr.splitlines():
        if "SLURM run ID:" in line:
            run_uuid = line.split("SLURM run ID:")[1].strip()
    return {"wall_s": round(wall, 1), "run_uuid": run_uuid}


def accounting(run_uuid: str) -> list[dict]:
    """Queue and run time of each SLURM job of a run (from sacct)."""
    out = subprocess.run(
        ["sacct", "-X", "-n", "-P", "--name", run_uuid, "-o", "JobID,Submit,Start,End,Elapsed"],
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    jobs = []
    for line in out.splitlines():
        job, submit, start, end, _ = line.split("|")
        t = [datetime.fromisoformat(x) for x in (submit, start, end)]
        jobs.append(
            {
                "job": job,
                "queued_s": (t[1] - t[0]).total_seconds(),
                "running_s": (t[2] - t[1]).total_seconds(),
            }
        )
    return jobs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=8)
    args = parser.parse_args()
    n = args.jobs
    record = {"jobs": n, "cpus": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M")}
    with tempfile.TemporaryDirectory() as tmp:
        local = run(Path(tmp) / "local", n, ["--cores", "2"])
        single = run(Path(tmp) / "single", n, SLURM)
        grouped = run(
            Path(tmp) / "grouped",
            n,
            [*SLURM, "--groups", "tiny=g", "--group-components", f"g={n}"],
        )
    for name, result in (("local", local), ("one_job_each", single), ("grouped", grouped)):
        if result["run_uuid"]:
            jobs = accounting(result["run_uuid"])
            result["slurm_jobs"] = len(jobs)
            result["mean_queued_s"] = round(sum(j["queued_s"] for j in jobs) / len(jobs), 1)
            result["mean_running_s"] = round(sum(j["running_s"] for j in jobs) / len(jobs), 1)
        record[name] = result
        print(name, result, flush=True)
    work = 1.0  # each job sleeps 1 s
    one = record["one_job_each"]
    record["overhead_per_job_s"] = {
        "running_beyond_work": round(one["mean_running_s"] - work, 1),
        "wall_per_job_on_2_cpus": round(one["wall_s"] / n * 2, 1),
    }
    record["grouping_saves_s"] = round(one["wall_s"] - grouped["wall_s"], 1)
    out = REPO / "benchmarks" / "results" / "slurm_overhead.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
