"""Describe the UTA-RLDD sequences per fold: windows and label counts."""

import numpy as np
import pandas as pd

from vigilance.blink.rldd import RLDDWindows
from vigilance.core.logs import script_context
from vigilance.tables import write_table


def main(snakemake) -> None:
    with script_context(snakemake):
        windows = RLDDWindows.from_folder(snakemake.params.folder, snakemake.params.folds)
        score = windows.score.numpy()
        rows = []
        for fold in snakemake.params.folds:
            part = score[windows.fold == fold]
            rows.append(
                {
                    "fold": fold,
                    "windows": len(part),
                    **{f"score {s}": int((part == s).sum()) for s in (0, 5, 10)},
                    "padded rows": int((~windows.mask.numpy()[windows.fold == fold]).sum()),
                }
            )
        table = pd.DataFrame(rows)
        table.loc[len(table)] = [
            "all",
            len(score),
            *[int((score == s).sum()) for s in (0, 5, 10)],
            int((~windows.mask.numpy()).sum()),
        ]
        write_table(table, snakemake.output.csv, snakemake.output.html, title="UTA-RLDD folds")
        assert np.isfinite(windows.x.numpy()).all()


main(snakemake)  # noqa: F821 - injected by Snakemake
