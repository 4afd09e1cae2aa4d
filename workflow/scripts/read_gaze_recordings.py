"""Read and validate every gaze recording in its declared layout, save them, and tabulate them."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context
from vigilance.eyetracking.layout import from_config
from vigilance.eyetracking.reader import read_recordings, save_recordings
from vigilance.tables import write_table


@dataclass(frozen=True)
class Params:
    folder: str
    layout: dict
    labels: dict


def main(snakemake) -> None:
    params = Params(**snakemake.params.reader)
    with script_context(snakemake) as log:
        layout, labelling = from_config(params.layout, params.labels)
        recordings = read_recordings(params.folder, layout, labelling)
        log.info("%d recordings in layout %s", len(recordings), layout.name)
        with atomic_path(snakemake.output.recordings) as tmp, tmp.open("wb") as handle:
            save_recordings(handle, recordings)
        table = pd.DataFrame(
            {
                "recording": [r.name for r in recordings],
                "image": [r.image for r in recordings],
                "observer": [r.observer for r in recordings],
                "samples": [len(r.gaze) for r in recordings],
                "duration_s": [(r.timestamps[-1] - r.timestamps[0]) / 1000 for r in recordings],
                "median_step_ms": [
                    float(np.median(np.diff(r.timestamps))) if len(r.gaze) > 1 else np.nan
                    for r in recordings
                ],
                "samples_at_0_0": [int((r.gaze == 0).all(axis=1).sum()) for r in recordings],
            }
        )
        write_table(
            table,
            snakemake.output.csv,
            snakemake.output.html,
            title="Gaze recordings",
            caption=f"{len(recordings)} recordings of {table.observer.nunique()} observers and "
            f"{table.image.nunique()} images, {int(table.samples.sum())} samples (layout "
            f"{layout.name}); samples at (0, 0) are a tracker's usual lost-gaze value, kept as "
            "the tutorial kept them.",
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
