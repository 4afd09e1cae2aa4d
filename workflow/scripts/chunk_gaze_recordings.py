"""Cut the validated gaze recordings into fixed-length chunks (the classifiers' items)."""

from dataclasses import dataclass

import numpy as np

from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context
from vigilance.eyetracking.reader import load_recordings, make_chunks


@dataclass(frozen=True)
class Params:
    chunk_length: int
    chunk_step: int
    signal: str


def main(snakemake) -> None:
    params = Params(**snakemake.params.chunks)
    with script_context(snakemake) as log:
        recordings = load_recordings(snakemake.input.recordings)
        chunks = make_chunks(recordings, params.chunk_length, params.chunk_step, params.signal)
        log.info(
            "%d recordings -> %d chunks of shape %s",
            len(recordings),
            len(chunks.start),
            chunks.signal.shape[1:],
        )
        with atomic_path(snakemake.output.chunks) as tmp, tmp.open("wb") as handle:
            np.savez_compressed(handle, **vars(chunks))


main(snakemake)  # noqa: F821 - injected by Snakemake
