"""Read and validate one source's files and cut them into labelled windows (one .npz)."""

import numpy as np

from vigilance.core.io import write_json
from vigilance.core.logs import script_context
from vigilance.mtl.data import prepare, save


def main(snakemake) -> None:
    w, p, out = snakemake.wildcards, snakemake.params, snakemake.output
    with script_context(snakemake) as log:
        data = prepare(w.source, p.folder, p.settings, clip=w.clipping == "clipped")
        save(out.windows, data)
        summary = {
            "folder": str(p.folder),
            "windows": len(data["x"]),
            "shape": list(data["x"].shape),
            "tasks": data["tasks"].tolist(),
            "classes": data["classes"].tolist(),
            "label_counts": {
                task: np.bincount(data["y"][:, k]).tolist()
                for k, task in enumerate(data["tasks"].tolist())
            },
        }
        write_json(out.summary, summary)
        log.info("%d windows of shape %s", len(data["x"]), data["x"].shape[1:])


main(snakemake)  # noqa: F821 - injected by Snakemake
