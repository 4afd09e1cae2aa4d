"""Read and validate the gaze recordings, cut them into chunks, and tabulate the recordings."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context
from vigilance.eyetracking.reader import make_chunks, read_recordings
from vigilance.tables import write_table


@dataclass(frozen=True)
class Params:
    folder: str
    chunk_length: int
    chunk_step: int
    signal: str


def main(snakemake) -> None:
    params = Params(**snakemake.params.chunks)
    with script_context(snakemake) as log:
        recordings = read_recordings(params.folder)
        chunks = make_chunks(recordings, params.chunk_length, params.chunk_step, params.signal)
        log.info(
            "%d recordings -> %d chunks of shape %s",
            len(recordings),
            len(chunks.start),
            chunks.signal.shape[1:],
        )
        with atomic_path(snakemake.output.chunks) as tmp, tmp.open("wb") as handle:
            np.savez_compressed(handle, **vars(chunks))
        per_recording = pd.Series(chunks.recording).value_counts()
        table = pd.DataFrame(
            {
                "recording": [r.name for r in recordings],
                "image": [r.image for r in recordings],
                "observer": [r.observer for r in recordings],
                "samples": [len(r.gaze) for r in recordings],
                "duration_s": [(r.timestamps[-1] - r.timestamps[0]) / 1000 for r in recordings],
                "samples_at_0_0": [int((r.gaze == 0).all(axis=1).sum()) for r in recordings],
                "chunks": [int(per_recording.get(r.name, 0)) for r in recordings],
            }
        )
        write_table(
            table,
            snakemake.output.csv,
            snakemake.output.html,
            title="ETRA 2021 gaze recordings",
            caption=f"{len(recordings)} recordings, {int(table.samples.sum())} samples, "
            f"{len(chunks.start)} chunks of {params.chunk_length} samples every "
            f"{params.chunk_step}; samples at (0, 0) are the tracker's lost-gaze value, kept "
            "as the tutorial kept them.",
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
