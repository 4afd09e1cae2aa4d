"""Table 1: parameters and FLOPs of the tree vs the parallel pair, for the configured root and
the paper's two roots (MobileNetV2, IResNet50), counted with FlopCounterMode."""

import copy

import pandas as pd
import torch

from vigilance.core.logs import script_context
from vigilance.tables import write_table
from vigilance.tree.costs import model_costs
from vigilance.tree.model import build_model

PAPER = {"MobileNetV2": (14.77, 0.25), "IResNet50": (43.92, 12.72)}
ROOTS = {
    "MobileNetV2": {
        "name": "MobileNetV2Root",
        "mobilenet": {"width": 1.0, "stages": 7, "last_channels": 1280},
    },
    "IResNet50": {"name": "IResNetRoot", "iresnet": {"depth": 50, "width": 64}},
}


def main(snakemake) -> None:
    out, model = snakemake.output, snakemake.params.model
    with script_context(snakemake) as log:
        torch.set_num_threads(1)
        rows = []
        for root, override in [("configured", {}), *ROOTS.items()]:
            cfg = copy.deepcopy({**model, "attention": "both", "embedding": model["embedding"]})
            if override:
                cfg["root"] = {**cfg["root"], **override}
                cfg["embedding"], cfg["la_reduction"] = 512, 16
            for style, name in (("tree", "tree"), ("pair", "separate")):
                costs = model_costs(build_model(name, cfg, identities=10))
                paper = PAPER.get(root) if style == "tree" else None
                rows.append(
                    {
                        "root": root,
                        "root class": cfg["root"]["name"],
                        "style": style,
                        **costs,
                        "paper params_m": paper[0] if paper else None,
                        "paper gflops": paper[1] if paper else None,
                    }
                )
                log.info("%s", rows[-1])
        df = pd.DataFrame(rows)
        for col in ("params_m", "gflops"):
            pair = df[df["style"] == "pair"].set_index("root")[col]
            df[f"pair / tree {col}"] = df["root"].map(pair) / df[col].where(df["style"] == "tree")
        write_table(df, out.csv, out.html, title="Table 1: size and FLOPs, tree vs parallel pair")


main(snakemake)  # noqa: F821 - injected by Snakemake
