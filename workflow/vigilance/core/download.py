"""Fetching a public data archive and unpacking it, with a checksum, atomically.

Used by download rules that users switch on in the config; no test or default run touches the
internet (tests serve an archive from ``file://`` or ``http://127.0.0.1``). Only the standard
library is used, so any environment can run these rules.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from vigilance.core.errors import VigilanceError
from vigilance.core.io import atomic_path


def sha256_of(path: str | Path) -> str:
    """The SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(url: str, path: str | Path, sha256: str = "", timeout: float = 120.0) -> str:
    """Download ``url`` to ``path`` atomically and return the SHA-256 of its bytes.

    Args:
        url: The address (``https://``, ``http://`` or ``file://``).
        path: The output file; written only when complete (and, with ``sha256``, verified).
        sha256: The expected hex digest; empty to accept any content (the caller records it).
        timeout: Seconds to wait for the server.

    Raises:
        VigilanceError: When the URL cannot be read (naming the URL and the reason), or the
            content's checksum is not ``sha256``.
    """
    digest = hashlib.sha256()
    try:
        with (
            urllib.request.urlopen(url, timeout=timeout) as response,
            atomic_path(path) as tmp,
        ):
            with tmp.open("wb") as out:
                while block := response.read(1 << 20):
                    digest.update(block)
                    out.write(block)
            if sha256 and digest.hexdigest() != sha256.lower():
                raise VigilanceError(
                    "checksum mismatch",
                    file=url,
                    field="sha256",
                    value=digest.hexdigest(),
                    expected=sha256,
                )
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise VigilanceError(
            f"download failed ({err})", file=url, expected="a reachable URL of the archive"
        ) from err
    return digest.hexdigest()


def zip_members(archive: str | Path, suffix: str) -> dict[str, bytes]:
    """The files of a zip archive whose names end in ``suffix``, keyed by base name.

    Folders inside the archive are flattened; macOS resource forks (``__MACOSX/``, ``._*``)
    are skipped.

    Raises:
        VigilanceError: When the file is not a zip archive or two members share a base name.
    """
    try:
        with zipfile.ZipFile(archive) as zf:
            members = {}
            for info in zf.infolist():
                path = PurePosixPath(info.filename)
                if info.is_dir() or not path.name.endswith(suffix):
                    continue
                if "__MACOSX" in path.parts or path.name.startswith("._"):
                    continue
                if path.name in members:
                    raise VigilanceError(
                        "two archive members share a name",
                        file=archive,
                        field="member",
                        value=info.filename,
                        expected="unique file names",
                    )
                members[path.name] = zf.read(info)
    except zipfile.BadZipFile as err:
        raise VigilanceError("not a zip archive", file=archive, expected="a .zip file") from err
    return members


def unpack_checked(
    members: dict[str, bytes],
    dest: str | Path,
    expected_sha256: str,
    checksum: Callable[[dict[str, bytes]], str],
    source: str,
    key: str,
) -> None:
    """Write ``members`` into the folder ``dest`` if their checksum is the expected one.

    The folder appears whole or not at all: files go to a temporary sibling folder that is
    renamed into place.

    Args:
        members: File name -> content.
        dest: The folder to create (replaced if it exists).
        expected_sha256: The configured checksum.
        checksum: Computes the checksum of ``members``.
        source: Where the members came from (for the error message).
        key: The config key holding the checksum (for the error message).

    Raises:
        VigilanceError: On a checksum mismatch (nothing is written).
    """
    actual = checksum(members)
    if actual != expected_sha256.lower():
        raise VigilanceError(
            "checksum mismatch: the archive's content is not the expected one",
            file=source,
            field=key,
            value=actual,
            expected=f"SHA-256 {expected_sha256}",
        )
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        for name, content in members.items():
            (tmp / name).write_bytes(content)
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
