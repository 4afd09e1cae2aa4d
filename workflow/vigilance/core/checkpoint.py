"""Per-epoch training checkpoints with exact resume, shared by every trainer of the epoch loop
(:mod:`vigilance.core.loop`).

A checkpoint holds the model, optimiser and scheduler states, the random states (the CPU one
and, when CUDA is present, every CUDA device's: dropout on a GPU draws from those), the
trainer's progress attributes (``STATE_KEYS``) and a fingerprint of the settings: a checkpoint
made with other settings (or lacking a progress attribute) is not resumed, so a changed config
never continues stale training. Checkpoints (and the trainers' model files, :func:`save_torch`)
are written atomically (:mod:`vigilance.core.io`), the same content giving the same bytes.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path

import torch

from vigilance.core.io import atomic_path

log = logging.getLogger("vigilance.core.checkpoint")


def save_torch(path: str | Path, obj) -> None:
    """``torch.save`` atomically, with the same bytes for the same content.

    Saved to a file name, torch names the archive inside after it (here a random temporary
    name); saved through a handle, the archive is always ``archive``, so equal weights give an
    equal file and an equal digest (a sweep keyed by its encoder's digest resumes).
    """
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        torch.save(obj, handle)


def rng_states() -> dict:
    """The global random states: ``cpu``, and ``cuda`` (one per device) when CUDA is present."""
    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None
    return {"cpu": torch.get_rng_state(), "cuda": cuda}


def set_rng_states(states: dict) -> None:
    """Restore what :func:`rng_states` saved (the CUDA states where the same devices are)."""
    torch.set_rng_state(states["cpu"])
    cuda = states.get("cuda")
    if cuda is None:
        return
    if torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)
    else:
        found = torch.cuda.device_count() if torch.cuda.is_available() else 0
        log.warning(
            "the checkpoint holds the random states of %d CUDA devices, %d here: not restored, "
            "so dropout on a GPU will not repeat the uninterrupted run",
            len(cuda),
            found,
        )


class Resumable:
    """Mixin for a trainer with ``model``, ``optimizer``, ``scheduler``, ``cfg`` (a dataclass),
    ``device``, ``fingerprint`` and the progress attributes named in ``STATE_KEYS``."""

    STATE_KEYS: tuple[str, ...] = ()

    def save_state(self, path: str | Path) -> None:
        """Write the checkpoint atomically (a crash never leaves half a file)."""
        state = {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "rng": rng_states(),
            "train": asdict(self.cfg),
            "fingerprint": self.fingerprint,
            **{key: getattr(self, key) for key in self.STATE_KEYS},
        }
        save_torch(path, state)

    def load_state(self, path: str | Path) -> bool:
        """Restore a checkpoint made with the same settings; False (nothing restored) if not."""
        state = torch.load(path, map_location=self.device, weights_only=False)
        if state.get("fingerprint") != self.fingerprint:
            return False
        rng = state.get("rng")
        if any(key not in state for key in self.STATE_KEYS) or not isinstance(rng, dict):
            return False  # made by another version of the trainer
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        for key in self.STATE_KEYS:
            setattr(self, key, state[key])
        # map_location moved the states to the device; the RNG setters want CPU byte tensors.
        set_rng_states(
            {
                "cpu": rng["cpu"].cpu(),
                "cuda": None if rng.get("cuda") is None else [s.cpu() for s in rng["cuda"]],
            }
        )
        return True
