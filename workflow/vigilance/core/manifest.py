"""The reproducibility manifest: what ran, where, with which code and configuration.

``results/manifest/environment.json`` records the Python and package versions, the device (and
CUDA, cuDNN, GPU where present), the git commit of the workflow (and whether the work tree had
uncommitted changes), and a SHA-256 of the resolved configuration. The report shows it as a table.
"""

from __future__ import annotations

import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pandas as pd

from vigilance.core.config import config_hash

# The distributions the workflow's results depend on, shown first in the report table.
KEY_PACKAGES = (
    "snakemake",
    "torch",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "optuna",
    "matplotlib",
    "seaborn",
    "pyarrow",
    "jsonschema",
    "pyyaml",
)


def package_versions(names=KEY_PACKAGES) -> dict[str, str | None]:
    """Installed version of each distribution (None when absent)."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def all_distributions() -> dict[str, str]:
    """Every installed distribution and its version, sorted by name (a ``pip freeze``)."""
    found = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[name.lower()] = dist.version
    return dict(sorted(found.items()))


def git_state(repo: str | Path) -> dict[str, str | bool | None]:
    """The commit checked out in ``repo`` and whether tracked files differ from it."""

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(
                ["git", "-C", str(repo), *args],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip()

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def build_manifest(config: dict, device_info: dict, repo: str | Path) -> dict:
    """Assemble the manifest.

    Args:
        config: The resolved configuration (validated, defaults filled).
        device_info: From :func:`vigilance.device.describe_device`.
        repo: The workflow's folder (for the git commit).
    """
    return {
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "packages": package_versions(),
        **device_info,
        "git": git_state(repo),
        "config_sha256": config_hash(config),
        "config": config,
        "all_packages": all_distributions(),
    }


def manifest_table(manifest: dict) -> pd.DataFrame:
    """The manifest as a two-column table (item, value) for the report."""
    rows = [
        ("Python", manifest["python"]),
        ("Platform", manifest["platform"]),
        ("Device", manifest["device"]),
        ("CUDA available", manifest["cuda_available"]),
        ("CUDA version", manifest["cuda_version"] or "none"),
        ("cuDNN version", manifest["cudnn_version"] or "none"),
        ("GPU", manifest["gpu_name"] or "none"),
        ("Torch threads", manifest["torch_threads"]),
        ("Git commit", manifest["git"]["commit"] or "not a git checkout"),
        (
            "Uncommitted changes",
            "unknown" if manifest["git"]["dirty"] is None else manifest["git"]["dirty"],
        ),
        ("Config SHA-256", manifest["config_sha256"]),
    ]
    rows += [
        (f"package {name}", version or "not installed")
        for name, version in manifest["packages"].items()
    ]
    return pd.DataFrame(rows, columns=["item", "value"]).astype({"value": str})
