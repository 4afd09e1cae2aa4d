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


def part_parameters(model: TSCAF) -> dict:
    """Millions of parameters of the root(s), the fatigue branch and the face branch."""
    count = lambda module: sum(p.numel() for p in module.parameters()) / 1e6  # noqa: E731
    roots = count(model.root) + (0 if model.shared else count(model.face_root()))
    return {
        "root_m": roots,
        "fatigue_branch_m": count(model.fatigue),
        "face_branch_m": count(model.face),
    }


# Document 003, Table 1: model size (M) and GFLOPs as published (the paper does not say
# whether its 'FLOPs' count multiply-adds once or twice).
PAPER_TABLE1 = [
    ("parallel pair", "Method [2] + ArcFace [5]", 53.48, 17.00),
    ("parallel pair", "Method [18] + ArcFace [5]", 315.39, 64.73),
    ("parallel pair", "Method [19] + ArcFace [5]", 157.61, 13.89),
    ("parallel pair", "Method [20] + ArcFace [5]", 85.72, 16.81),
    ("parallel pair", "MAF [21] + ArcFace [5]", 110.09, 25.49),
    ("tree", "T-SCAF (MobileNetV2)", 14.77, 0.25),
    ("tree", "T-SCAF (IResNet50)", 43.92, 12.72),
]
