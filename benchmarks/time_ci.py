"""Time `.ci/run` as CI runs it: a clean clone of HEAD, a fresh virtual environment, the
SLURM sandbox, `make test`; record the wall time and the slowest tests in
benchmarks/results/ci.json.

    python benchmarks/time_ci.py [--keep] [--note TEXT]

The clone lives in a temporary folder (removed afterwards unless --keep). The machine's load
average before and after is recorded beside the times: on a shared machine a loaded run says
where the time goes, not how long CI takes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULT = REPO / "benchmarks" / "results" / "ci.json"


def durations(output: str) -> dict[str, float]:
    """pytest's --durations rows: 'test id (phase)' -> seconds."""
    rows = re.findall(r"^([\d.]+)s (call|setup|teardown)\s+(\S+)$", output, flags=re.M)
    return {f"{test} ({phase})": float(seconds) for seconds, phase, test in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the clone")
    parser.add_argument("--note", default="", help="what else ran on the machine")
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    # The clone sits beside a link to shared/, as CI's clean clone sits beside its copy.
    scratch = Path(tempfile.mkdtemp(prefix="vigilance-ci-"))
    shared = REPO.parent / "shared"
    if shared.is_dir():
        (scratch / "shared").symlink_to(shared)
    clone = scratch / "main"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    load_before = os.getloadavg()
    start = time.monotonic()
    proc = subprocess.run([".ci/run"], cwd=clone, capture_output=True, text=True)
    wall = time.monotonic() - start
    output = proc.stdout + proc.stderr
    summary = re.findall(r"=+ (.*(?:passed|failed).*) in ([\d.]+)s", output)
    record = {
        "name": "ci",
        "command": ".ci/run in a clean clone of HEAD (fresh .venv, SLURM sandbox, make test)",
        "commit": commit,
        "date": date.today().isoformat(),
        "cpu_count": os.cpu_count(),
        "exit_code": proc.returncode,
        "wall_s": round(wall, 1),
        "pytest_summary": summary[-1][0] if summary else None,
        "pytest_s": float(summary[-1][1]) if summary else None,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "note": args.note,
        "slowest": dict(sorted(durations(output).items(), key=lambda kv: -kv[1])[:15]),
    }
    RESULT.write_text(json.dumps(record, indent=2) + "\n")
    (scratch / "ci_output.txt").write_text(output)
    print(json.dumps(record, indent=2))
    print(f"output: {scratch / 'ci_output.txt'}")
    if not args.keep:
        shutil.rmtree(clone, ignore_errors=True)
    raise SystemExit(proc.returncode)


if __name__ == "__main__":
    main()
