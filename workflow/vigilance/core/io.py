"""Atomic file writes: an output either appears whole or not at all.

Each writer goes to a temporary file in the target's folder and renames it into place, so a
crash, a kill or a validation error never leaves a half-written output behind (and an existing
good file is only replaced by a complete new one).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it is renamed to ``path``.

    Args:
        path: The final output path (its folder is created).

    Yields:
        The temporary path to write to. On an exception it is removed and ``path`` untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> None:
    """Write text atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | Path, data: Any) -> None:
    """Write JSON atomically, indented, keys in insertion order, with a final newline."""
    write_text(path, json.dumps(data, indent=2, default=str) + "\n")
