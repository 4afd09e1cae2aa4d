"""Model size and compute of the tree and of the parallel pair it replaces (Table 1).

Parameters are counted over the modules that serve inference (the ArcFace class centres are a
training-only loss and are left out, as a deployed face model has none). FLOPs are counted by
``torch.utils.flop_counter.FlopCounterMode`` for one 112 x 112 image serving both tasks; it
counts a multiply-add as 2 FLOPs and covers convolutions and matrix products (not
element-wise operations), so GFLOPs here are twice the multiply-accumulates that papers often
call 'FLOPs'; both are reported.
"""

from __future__ import annotations

import torch
from torch.utils.flop_counter import FlopCounterMode

from vigilance.tree.model import TSCAF


def inference_parameters(model: TSCAF) -> int:
    """Parameters of the root(s) and both branches (no ArcFace centres)."""
    centres = {id(p) for p in model.arcface.parameters()}
    return sum(p.numel() for p in model.parameters() if id(p) not in centres)


def count_flops(module, *inputs) -> int:
    """FLOPs of one forward pass of ``module`` on ``inputs`` (FlopCounterMode's count)."""
    was = module.training
    module.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        module(*inputs)
    module.train(was)
    return int(counter.get_total_flops())


def model_costs(model: TSCAF, image_size: int = 112) -> dict:
    """{"params_m", "gflops", "gmacs"} of serving both tasks for one image."""
    flops = count_flops(model, torch.zeros(1, 3, image_size, image_size))
    return {
        "params_m": inference_parameters(model) / 1e6,
        "gflops": flops / 1e9,
        "gmacs": flops / 2e9,
    }
