"""Device choice and mixed precision, decided once per job and passed explicitly.

``auto`` takes CUDA when a GPU is visible, else the CPU. On CUDA, training runs under bf16
autocast (``precision: auto`` or ``bf16``); on the CPU it stays in fp32 so that a fixed seed gives
identical numbers run after run.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from vigilance.core.errors import VigilanceError

if TYPE_CHECKING:
    import torch

DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = ("auto", "fp32", "bf16")


def resolve_device(name: str = "auto") -> torch.device:
    """Turn a config device name into a ``torch.device``.

    Args:
        name: ``auto`` (CUDA when available, else CPU), ``cpu`` or ``cuda``.

    Raises:
        VigilanceError: For an unknown name, or ``cuda`` on a machine without a GPU.
    """
    import torch

    if name not in DEVICES:
        raise VigilanceError(
            "unknown device", field="device", value=name, expected=f"one of {DEVICES}"
        )
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise VigilanceError(
            "CUDA was asked for but no GPU is visible",
            field="device",
            value=name,
            expected="'auto' or 'cpu' on a machine without a GPU",
        )
    return torch.device(name)


def autocast_dtype(device: torch.device, precision: str = "auto") -> torch.dtype | None:
    """The autocast dtype for a device and precision setting (None: no autocast, fp32)."""
    import torch

    if precision not in PRECISIONS:
        raise VigilanceError(
            "unknown precision", field="precision", value=precision, expected=f"one of {PRECISIONS}"
        )
    if precision == "fp32":
        return None
    if device.type == "cuda":
        return torch.bfloat16
    if precision == "bf16":
        # bf16 autocast exists on the CPU, but it is slow there and breaks bit-identical runs;
        # asking for it explicitly is honoured.
        return torch.bfloat16
    return None


def autocast(device: torch.device, precision: str = "auto") -> contextlib.AbstractContextManager:
    """A context manager for the forward pass: bf16 autocast on CUDA, nothing on the CPU."""
    import torch

    dtype = autocast_dtype(device, precision)
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def describe_device(device: torch.device) -> dict:
    """Facts about the device for the manifest: type, name, CUDA and cuDNN versions."""
    import torch

    info = {
        "device": device.type,
        "cuda_available": torch.cuda.is_available(),
        "cuda_version": torch.version.cuda,
        "cudnn_version": torch.backends.cudnn.version() if torch.cuda.is_available() else None,
        "gpu_name": None,
        "gpu_count": torch.cuda.device_count() if torch.cuda.is_available() else 0,
        "torch_threads": torch.get_num_threads(),
    }
    if device.type == "cuda":
        info["gpu_name"] = torch.cuda.get_device_name(device)
    return info
