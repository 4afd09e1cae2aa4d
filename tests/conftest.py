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


# Written into the ci run's copy: what the run adds to configs/ci.yaml.
CI_RUN_OVERRIDE = "ci_run.yaml"


def ci_run_config(cwd: Path) -> list[str]:
    """The config arguments of the session's ci run in its copy ``cwd`` (see ``ci_run``)."""
    return ["--configfile", str(CONFIGS["ci"]), str(cwd / CI_RUN_OVERRIDE)]


def ci_run_override() -> dict:
    """The ci run's additions to configs/ci.yaml: the eye-tracking part, off by default, is
    switched on when the shared ETRA 2021 recordings are beside the repository (as in CI)."""
    from etra import ETRA_DIR

    if ETRA_DIR.is_dir():
        return {"eyetracking": {"enabled": True, "path": str(ETRA_DIR)}}
    return {}


@pytest.fixture(scope="session")
def ci_run(tmp_path_factory) -> Path:
    """One full run of the ci configuration (every part), with its report, per test session.

    Every end-to-end assertion reads this one run instead of starting its own. Returns the
    workflow copy whose ``results/`` holds the run's outputs and ``results/report.html``; its
    config arguments are ``ci_run_config(path)`` (configs/ci.yaml, plus the eye-tracking part
    where the shared recordings exist: ``ci_run_override``). Tests that use it are marked slow
    and only read it: a test that writes there would change what the next test sees.
    """
    import yaml

    cwd = copy_workflow(tmp_path_factory.mktemp("ci_run") / "vigilance")
    (cwd / CI_RUN_OVERRIDE).write_text(yaml.safe_dump(ci_run_override()))
    config = ci_run_config(cwd)
    # A generous limit: about 6 minutes on 2 free cores, several times that on a loaded machine.
    proc = run_snakemake("--cores", "2", *config, cwd=cwd, timeout=3600)
    assert proc.returncode == 0, proc.stderr[-5000:]
    report = cwd / "results" / "report.html"
    proc = run_snakemake("--report", str(report), *config, cwd=cwd, timeout=600)
    assert proc.returncode == 0, proc.stderr[-5000:]
    return cwd


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items):
    """A test that reads the session's ci run is slow (the run takes minutes)."""
    for item in items:
        if "ci_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
