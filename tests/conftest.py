"""Shared fixtures: paths, a Snakemake runner, the parsed workflow, temporary workflow copies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SNAKEMAKE = str(BIN / "snakemake")
CONFIGS = {
    "default": REPO / "config.yaml",
    "ci": REPO / "configs" / "ci.yaml",
    "paper": REPO / "configs" / "paper.yaml",
}
# What a user's clone holds; everything else (results, environments, caches) is left out.
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "results", "logs", ".snakemake", "__pycache__", ".pytest_cache", ".ruff_cache"
)


def run_snakemake(*args: str, cwd: Path = REPO, env: dict | None = None, timeout: int = 900):
    """Run the Snakemake of this environment; return the completed process (never raises)."""
    full_env = {**os.environ, **(env or {})}
    # Keep the workflow's own checkout off PYTHONPATH so a copy really uses its own package.
    full_env.pop("PYTHONPATH", None)
    return subprocess.run(
        [SNAKEMAKE, *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def copy_workflow(dest: Path) -> Path:
    """Copy the workflow as a fresh clone would have it (no results, no caches)."""
    shutil.copytree(REPO, dest, ignore=COPY_IGNORE)
    return dest


@pytest.fixture
def workflow_copy(tmp_path: Path) -> Path:
    """A fresh copy of the workflow in a temporary folder."""
    return copy_workflow(tmp_path / "vigilance")


@pytest.fixture(scope="session")
def parsed_rules():
    """The rules of the workflow as Snakemake parses them with the default config."""
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings

    cwd = os.getcwd()
    try:
        with SnakemakeApi(OutputSettings(quiet=True)) as api:
            workflow_api = api.workflow(
                resource_settings=ResourceSettings(),
                config_settings=ConfigSettings(),
                snakefile=REPO / "Snakefile",
                workdir=REPO,
            )
            workflow = workflow_api._workflow  # the public API exposes no rule list
            yield {"rules": list(workflow.rules), "config": dict(workflow.config)}
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="session")
def ci_run(tmp_path_factory) -> Path:
    """One full run of the ci configuration (every part), with its report, per test session.

    Every end-to-end assertion reads this one run instead of starting its own. Returns the
    workflow copy whose ``results/`` holds the run's outputs and ``results/report.html``.
    """
    cwd = copy_workflow(tmp_path_factory.mktemp("ci_run") / "vigilance")
    ci = ["--configfile", str(CONFIGS["ci"])]
    proc = run_snakemake("--cores", "2", *ci, cwd=cwd, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-5000:]
    report = cwd / "results" / "report.html"
    proc = run_snakemake("--report", str(report), *ci, cwd=cwd, timeout=600)
    assert proc.returncode == 0, proc.stderr[-5000:]
    return cwd
