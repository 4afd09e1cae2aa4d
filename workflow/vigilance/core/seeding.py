"""Seeding and determinism.

One call seeds Python's, NumPy's and PyTorch's generators. With ``deterministic=True`` PyTorch is
asked for deterministic algorithms (cuDNN benchmark off, CUBLAS workspace fixed), so that a CPU
run with a fixed seed gives the same numbers every time; GPU runs get as close as the kernels
allow.
"""

from __future__ import annotations

import os
import random

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
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = False
        torch.backends.cudnn.deterministic = True
    return np.random.default_rng(seed)
