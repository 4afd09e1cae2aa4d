"""Making the package importable by every job without an install step.

Workflow scripts run in a fresh Python process (locally, in a conda environment with
``--use-conda``, or on a cluster node, where Snakemake re-parses the Snakefile). Each inherits
Snakemake's environment, so exporting the package's folder in ``PYTHONPATH`` once, at parse
time, reaches them all.
"""

from __future__ import annotations

import os
from pathlib import Path

# The folder holding ``vigilance`` (this file is vigilance/core/paths.py).
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def export_package_path(environ: dict | None = None) -> str:
    """Prepend the folder holding ``vigilance`` to ``PYTHONPATH`` (once) and return it.

    Args:
        environ: The environment to change; ``os.environ`` by default.
    """
    environ = os.environ if environ is None else environ
    root = str(PACKAGE_ROOT)
    parts = [p for p in environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if root not in parts:
        environ["PYTHONPATH"] = os.pathsep.join([root, *parts])
    return root
