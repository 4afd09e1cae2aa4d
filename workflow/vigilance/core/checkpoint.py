"""Per-epoch training checkpoints with exact resume, shared by the pre-training and the
fine-tuning trainers.

A checkpoint holds the model, optimiser and scheduler states, the global RNG state (dropout),
the trainer's progress attributes (``STATE_KEYS``) and a fingerprint of the settings: a
checkpoint made with other settings is not resumed, so a changed config never continues stale
training.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import torch

from vigilance.core.io import atomic_path


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
            "rng": torch.get_rng_state(),
            "train": asdict(self.cfg),
            "fingerprint": self.fingerprint,
            **{key: getattr(self, key) for key in self.STATE_KEYS},
        }
        with atomic_path(path) as tmp:
            torch.save(state, tmp)

    def load_state(self, path: str | Path) -> bool:
        """Restore a checkpoint made with the same settings; False (nothing restored) if not."""
        state = torch.load(path, map_location=self.device, weights_only=False)
        if state.get("fingerprint") != self.fingerprint:
            return False
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        for key in self.STATE_KEYS:
            setattr(self, key, state[key])
        torch.set_rng_state(state["rng"])
        return True
