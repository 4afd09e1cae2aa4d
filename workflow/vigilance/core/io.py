"""Atomic file writes: an output either appears whole or not at all.

Each writer goes to a temporary file in the target's folder and renames it into place, so a
crash, a kill or a validation error never leaves a half-written output behind (and an existing
good file is only replaced by a complete new one). A process killed with SIGKILL cannot remove
its temporary file; the next write of the same target removes it (:func:`remove_leftovers`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger("vigilance.core.io")
SUFFIX = ".tmp"


def _file_mode() -> int:
    """The mode a plain ``open`` would give a new file (mkstemp makes them owner-only)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _prefix(path: Path) -> str:
    return f".{path.name}."


def _writer(leftover: Path, target: Path) -> tuple[int, str] | None:
    """(pid, host) of the process that made a temporary file of ``target``, if it says."""
    middle = leftover.name[len(_prefix(target)) : -len(SUFFIX)]
    owner = middle.rsplit(".", 1)[0]  # "<pid>@<host>.<random>"
    pid, _, host = owner.partition("@")
    return (int(pid), host) if pid.isdigit() and host else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(path: str | Path) -> list[Path]:
    """Remove the temporary files that killed writers of ``path`` left beside it.

    One job writes a given output at a time (Snakemake sees to it), so a temporary file of the
    same target belongs to a writer that is gone; only one made by a live process of this host
    is kept (a recycled process id at worst keeps a leftover until the next write).

    Returns:
        The files removed.
    """
    path = Path(path)
    if not path.parent.is_dir():
        return []
    host, removed = socket.gethostname(), []
    for entry in path.parent.iterdir():
        name = entry.name
        if not (name.startswith(_prefix(path)) and name.endswith(SUFFIX)) or name == path.name:
            continue
        writer = _writer(entry, path)
        if writer is not None and writer[1] == host and _alive(writer[0]):
            continue
        entry.unlink(missing_ok=True)
        removed.append(entry)
        log.info("removed %s, left by a killed write of %s", entry, path)
    return removed


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it is renamed to ``path``.

    Leftovers of earlier killed writes of ``path`` are removed first.

    Args:
        path: The final output path (its folder is created).

    Yields:
        The temporary path to write to. On an exception it is removed and ``path`` untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(path)
    owner = f"{os.getpid()}@{socket.gethostname()}."
    fd, tmp = tempfile.mkstemp(prefix=_prefix(path) + owner, suffix=SUFFIX, dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, _file_mode())
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
