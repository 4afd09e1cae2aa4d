"""The T-SCAF findings table: document 003's claims against this run (no torch).

Accuracy claims compare arms on the primary split (driver-wise by default), paired by
replicate (test fold, seed). Beside the paper's claims stand two checks of this workflow: that
the tree beats the classical baseline on the same test items (else the tables cannot tell
T-SCAF from a thumbnail model) and the size of the frame split's leak. Table 1's comparison of
the tree with *this* pair is true by construction and gets no verdict.
"""

from __future__ import annotations

import pandas as pd

from vigilance.tree.claims import claims_table, fixed_claim, paired_claim
from vigilance.tree.report import UNITS, select_arm


def _cost_rows(costs: pd.DataFrame) -> list[dict]:
    tree = costs[(costs["style"] == "tree") & (costs["root"] == "configured")].iloc[0]
    pair = costs[(costs["style"] == "pair") & (costs["root"] == "configured")].iloc[0]
    counted = (
        f"counted: tree {tree['params_m']:.3g} M / {tree['gflops']:.3g} GFLOPs, pair "
        f"{pair['params_m']:.3g} M / {pair['gflops']:.3g} GFLOPs"
    )
    return [
        fixed_claim(
            "the tree needs fewer parameters and FLOPs than a parallel pair of its own branches",
            "document 003, Table 1",
            "parameters, FLOPs (" + counted + ")",
            "43.92 M / 12.72 G (IResNet50 tree)",
            "no verdict: true by construction (the pair is this tree plus a second root)",
        ),
        fixed_claim(
            "the tree needs fewer parameters and FLOPs than the published pairs",
            "document 003, Table 1",
            "parameters, FLOPs",
            "53.48 M / 17.00 G or more (Method [2], [18]-[21] + ArcFace)",
            "not tested: those models are not built here; Table 1 shows their published sizes",
        ),
    ]


def findings(final: pd.DataFrame, costs: pd.DataFrame, splits) -> pd.DataFrame:
    """Claim rows (see :mod:`vigilance.tree.claims`) with Holm-adjusted p-values."""
    split = splits[0]
    unit = UNITS[split]
    arm = lambda **kw: select_arm(final, split, **kw)  # noqa: E731
    both = arm()
    mean = "mean accuracy (fatigue, face)"
    rows = _cost_rows(costs)
    checks = [
        (
            "LASE-Net beats the backbone alone",
            "5.4",
            both,
            arm(attention="none"),
            "0.9577 vs 0.9412 (derived)",
        ),
        (
            "LANet only beats SENet only",
            "5.4, Table 3",
            arm(attention="la"),
            arm(attention="se"),
            "0.9522 vs 0.9176",
        ),
        (
            "LANet + SENet beats LANet only",
            "5.4, Table 3",
            both,
            arm(attention="la"),
            "0.9577 vs 0.9522",
        ),
        (
            "alternating updates beat gradient accumulation at w = 0.5",
            "5.5, Table 4",
            both,
            arm(training="accum0.5"),
            "0.9577 vs 0.9509",
        ),
        (
            "the tree beats separate models",
            "5.3, Table 5",
            both,
            arm(style="separate"),
            "0.9577 vs 0.9540",
        ),
    ]
    for claim, where, a, b, paper in checks:
        rows.append(
            paired_claim(
                claim,
                f"document 003, {where}",
                mean,
                "higher",
                a["mean_accuracy"],
                b["mean_accuracy"],
                paper,
                unit,
            )
        )
    basic = arm(attention="none")
    for metric, task, paper in (
        ("fatigue_auc", "fatigue", "+0.022"),
        ("verification_auc", "face", "+0.004"),
    ):
        rows.append(
            paired_claim(
                f"LASE-Net raises the {task} AUC over the Basic model",
                "document 003, 5.6, Fig. 6",
                f"{task} AUC",
                "higher",
                both[metric],
                basic[metric],
                paper,
                unit,
            )
        )
    classical = arm(style="classical")
    for metric, task in (("fatigue_accuracy", "fatigue"), ("verification_accuracy", "face")):
        rows.append(
            paired_claim(
                f"T-SCAF beats the classical baseline on {task}",
                "this workflow's check (same test items)",
                metric.replace("_", " "),
                "higher",
                both[metric],
                classical[metric],
                "",
                unit,
            )
        )
    if "frames" in splits[1:]:
        leaky = select_arm(final, "frames")
        for style, name in (("tree", "T-SCAF"), ("classical", "the classical baseline")):
            clean = both if style == "tree" else classical
            leak = leaky if style == "tree" else select_arm(final, "frames", style="classical")
            rows.append(
                paired_claim(
                    f"the paper's 9:1 frame split scores {name} higher than new drivers do",
                    "this workflow's check (the leak)",
                    "fatigue accuracy, frames - drivers",
                    "higher",
                    leak["fatigue_accuracy"],
                    clean["fatigue_accuracy"],
                    "",
                    "seeds (frames draw r vs driver fold r)",
                )
            )
    return claims_table(rows)
