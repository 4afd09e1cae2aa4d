"""Where the tests find the ETRA 2021 recordings: the shared copy beside the repository."""

from __future__ import annotations

import pytest
from conftest import REPO

# CI clones the repository next to a copy of shared/; tests skip when it is absent.
ETRA_DIR = REPO.parent / "shared" / "data" / "etra2021-paths"
needs_etra = pytest.mark.skipif(
    not ETRA_DIR.is_dir(), reason=f"the shared ETRA 2021 recordings are absent ({ETRA_DIR})"
)
