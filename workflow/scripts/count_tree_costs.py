"""Table 1: the paper's published sizes beside this tree and this pair, counted, per root.

Rows: document 003's Table 1 as published (its parallel pairs of other models and its two
trees), then this workflow's tree and pair (the same branches, each on its own root) for the
configured root and the paper's two roots at full size. That our tree is smaller than our pair
is true by construction (the pair is the tree plus a second root), so it is shown, not judged.
"""

import copy
from dataclasses import dataclass

import pandas as pd
import torch

from vigilance.core.logs import script_context
from vigilance.tables import write_table
from vigilance.tree.costs import PAPER_TABLE1, model_costs, part_parameters
from vigilance.tree.model import build_model

ROOTS = {
    "MobileNetV2": {
        "name": "MobileNetV2Root",
        "mobilenet": {"width": 1.0, "stages": 7, "last_channels": 1280},
    },
    "IResNet50": {"name": "IResNetRoot", "iresnet": {"depth": 50, "width": 64}},
}


@dataclass(frozen=True)
class Settings:
    """``tree.model``: the configured root and branches."""

    model: dict


def counted_rows(model: dict) -> list[dict]:
    rows = []
    for root, override in [("configured", {}), *ROOTS.items()]:
        cfg = copy.deepcopy({**model, "attention": "both"})
        if override:
            cfg["root"] = {**cfg["root"], **override}
            cfg["embedding"], cfg["la_reduction"] = 512, 16
        for style, name in (("tree", "tree"), ("pair", "separate")):
            net = build_model(name, cfg, identities=10)
            rows.append(
                {
                    "source": "this workflow (counted)",
                    "root": root,
                    "root class": cfg["root"]["name"],
                    "style": style,
                    **model_costs(net),
                    **part_parameters(net),
                }
            )
    return rows


def main(snakemake) -> None:
    s = Settings(snakemake.params.model)
    with script_context(snakemake) as log:
        torch.set_num_threads(1)
        paper = [
            {
                "source": "document 003 (published)",
                "root": name,
                "style": style,
                "params_m": size,
                "gflops": flops,
            }
            for style, name, size, flops in PAPER_TABLE1
        ]
        df = pd.DataFrame(paper + counted_rows(s.model))
        log.info("%s", df.to_string())
        ours = df[df["source"].str.startswith("this")]
        pair = ours[ours["style"] == "pair"].set_index("root")["params_m"]
        tree = ours["style"] == "tree"
        df.loc[tree.index[tree], "pair / tree params (by construction > 1)"] = (
            ours.loc[tree, "root"].map(pair) / ours.loc[tree, "params_m"]
        )
        write_table(
            df, snakemake.output.csv, snakemake.output.html, title="Table 1: size and FLOPs"
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
