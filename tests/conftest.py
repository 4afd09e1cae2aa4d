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
    """The ci run's additions to configs/ci.yaml: none today. The eye-tracking part stays off,
    as in config.yaml: its rules run end to end in tests/test_eyetracking_workflow.py on a
    tracker export of their own, and the shared ETRA recordings' folds are checked there
    without training (in the session's run the part was 65 of 203 jobs, a third of its time)."""
    return {}


def _uses_ci_run(item) -> bool:
    return "ci_run" in getattr(item, "fixturenames", ())


@pytest.fixture(scope="session", autouse=True)
def _ci_run_started(request, tmp_path_factory):
    """Start the session's ci run in the background when the session starts, if a selected test
    reads it. The tests that do not need it run meanwhile (most leave a core idle: dry runs, the
    SLURM test's polling); those that read it run last (``pytest_collection_modifyitems``).
    Yields (workflow copy, running process), or None; a run still going when the session ends
    (e.g. after ``-x``) is stopped."""
    import yaml

    if not any(_uses_ci_run(item) for item in request.session.items):
        yield None
        return
    cwd = copy_workflow(tmp_path_factory.mktemp("ci_run") / "vigilance")
    (cwd / CI_RUN_OVERRIDE).write_text(yaml.safe_dump(ci_run_override()))
    env = {**os.environ}
    env.pop("PYTHONPATH", None)  # the copy uses its own package
    with open(cwd / "ci_run.log", "w") as log:
        cmd = [SNAKEMAKE, "--cores", "2", *ci_run_config(cwd)]
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    yield cwd, proc
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def ci_run(_ci_run_started) -> Path:
    """One full run of the ci configuration (every part), with its report, per test session.

    Every end-to-end assertion reads this one run instead of starting its own. The run starts
    with the session (``_ci_run_started``); this waits for it and builds the report. Returns
    the workflow copy whose ``results/`` holds the run's outputs and ``results/report.html``;
    its config arguments are ``ci_run_config(path)``. Tests that use it are marked slow and only
    read it: a test that writes there would change what the next test sees.
    """
    cwd, proc = _ci_run_started
    # A generous limit: minutes on 2 free cores, several times that on a loaded machine.
    try:
        proc.wait(timeout=3600)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"the session's ci run took more than an hour (log: {cwd / 'ci_run.log'})")
    assert proc.returncode == 0, (cwd / "ci_run.log").read_text()[-5000:]
    report = cwd / "results" / "report.html"
    done = run_snakemake("--report", str(report), *ci_run_config(cwd), cwd=cwd, timeout=600)
    assert done.returncode == 0, done.stderr[-5000:]
    return cwd


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items):
    """A test that reads the session's ci run is slow (the run takes minutes), and runs after
    every other test, so that they run while the ci run does."""
    for item in items:
        if _uses_ci_run(item):
            item.add_marker(pytest.mark.slow)
    items.sort(key=_uses_ci_run)  # stable: the order within each kind stays
