"""Where the tests find the ETRA 2021 recordings: the shared copy beside the repository."""

from __future__ import annotations

import pytest
from conftest import REPO

# CI clones the repository next to a copy of shared/; a git worktree sits one level deeper.
_CANDIDATES = [base / "shared" / "data" / "etra2021-paths" for base in REPO.parents[:2]]
ETRA_DIR = next((path for path in _CANDIDATES if path.is_dir()), _CANDIDATES[0])
needs_etra = pytest.mark.skipif(
    not ETRA_DIR.is_dir(), reason=f"the shared ETRA 2021 recordings are absent ({ETRA_DIR})"
)
