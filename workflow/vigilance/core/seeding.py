"""Seeding and determinism.

One call seeds Python's, NumPy's and PyTorch's generators. With ``deterministic=True`` PyTorch is
asked for deterministic algorithms (cuDNN benchmark off, CUBLAS workspace fixed), so that a CPU
run with a fixed seed gives the same numbers every time; GPU runs get as close as the kernels
allow.
"""

from __future__ import annotations

import os
import random
import sys

import numpy as np


def seed_everything(seed: int, deterministic: bool = True) -> np.random.Generator:
    """Seed every generator the workflow uses and return a NumPy ``Generator`` for this job.

    Args:
        seed: A non-negative integer.
        deterministic: Ask PyTorch for deterministic algorithms.

    Returns:
        ``np.random.default_rng(seed)``, to pass explicitly instead of using global state.
    """
    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        import torch
    except ImportError:  # scripts without torch still get seeded NumPy and random
        return np.random.default_rng(seed)
    torch.manual_seed(seed)
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        deterministic_algorithms(torch)
        torch.backends.cudnn.benchmark = False
        torch.backends.cudnn.deterministic = True
    return np.random.default_rng(seed)


def deterministic_algorithms(torch) -> None:
    """``torch.use_deterministic_algorithms(True, warn_only=True)``, without importing
    TorchInductor when it is not loaded yet.

    The public call imports ``torch._inductor.config`` only to set its ``deterministic`` flag,
    which nothing but ``torch.compile`` reads; the workflow never compiles, and that import is
    1.5 s of a 7 s training job on the CI machine (about a fifth of every tiny training job).
    Where inductor is already loaded, the public call is made.
    """
    if "torch._inductor.config" in sys.modules:
        torch.use_deterministic_algorithms(True, warn_only=True)
    else:
        torch._C._set_deterministic_algorithms(True, warn_only=True)
