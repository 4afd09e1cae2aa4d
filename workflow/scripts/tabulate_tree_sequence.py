"""The sequence variant's table: does the identity task help drowsiness detection?"""

import re

import pandas as pd

from vigilance.core.logs import script_context
from vigilance.tables import write_table
from vigilance.tree.report import identity_helps

_RUN = re.compile(r"/(drowsiness|drowsiness\+identity)/seed(\d+)/metrics\.csv$")


def main(snakemake) -> None:
    out = snakemake.output
    with script_context(snakemake):
        frames = []
        for path in snakemake.input:
            tasks, seed = _RUN.search(str(path)).groups()
            df = pd.read_csv(path)
            frames.append(df[df["split"] == "test"].assign(tasks=tasks, seed=int(seed)))
        table = identity_helps(pd.concat(frames, ignore_index=True))
        name = snakemake.wildcards.dataset
        write_table(
            table,
            out.csv,
            out.html,
            title=f"Sequence T-SCAF: does identity help drowsiness? ({name})",
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
