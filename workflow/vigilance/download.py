"""Downloads with SHA-256 checks, used by the data sets' download rules.

A file is fetched with urllib (``https://``, ``http://`` and ``file://`` URLs), written
atomically and checked against its expected SHA-256; a mismatch removes the file and raises
:class:`VigilanceError`. Where no checksum is configured, the computed one is returned for the
caller to record (and log), so the user can pin it.
"""

from __future__ import annotations

import hashlib
import shutil
import urllib.request
from pathlib import Path

from vigilance.errors import VigilanceError
from vigilance.io import atomic_path


def sha256_of(path: str | Path) -> str:
    """The SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(url: str, dest: str | Path, sha256: str = "", timeout: float = 120) -> str:
    """Download ``url`` to ``dest`` and check its SHA-256.

    Args:
        url: The address.
        dest: The output path (written only when complete and, if ``sha256`` is set, verified).
        sha256: The expected hex digest; empty to accept any content.
        timeout: Seconds to wait for the server.

    Returns:
        The file's SHA-256.

    Raises:
        VigilanceError: When the download fails or the checksum differs.
    """
    with atomic_path(dest) as tmp:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response, tmp.open("wb") as out:
                shutil.copyfileobj(response, out)
        except (OSError, ValueError) as err:
            raise VigilanceError(
                f"download failed ({err})", file=url, expected="a reachable URL"
            ) from err
        digest = sha256_of(tmp)
        if sha256 and digest != sha256.lower():
            raise VigilanceError(
                "checksum mismatch", file=url, field="sha256", value=digest, expected=sha256
            )
    return digest
