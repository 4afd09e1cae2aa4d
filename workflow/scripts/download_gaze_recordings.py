"""Fetch the ETRA 2021 tutorial's gaze recordings (paths.zip), check them, unpack the .csv files.

The checksum covers the recordings' content, not the archive's bytes (see
``vigilance.eyetracking.content_sha256``), so a re-zipped copy of the same files passes too.
"""

import tempfile
from dataclasses import dataclass
from pathlib import Path

from vigilance.core.download import fetch, unpack_checked, zip_members
from vigilance.core.io import write_json
from vigilance.core.logs import script_context
from vigilance.eyetracking.reader import content_sha256, parse_name


@dataclass(frozen=True)
class Params:
    url: str
    sha256: str


def main(snakemake) -> None:
    params = Params(**snakemake.params.download)
    with script_context(snakemake) as log, tempfile.TemporaryDirectory() as tmp:
        log.info("fetching %s", params.url)
        archive = Path(tmp) / "paths.zip"
        archive_sha256 = fetch(params.url, archive)
        log.info("archive SHA-256 %s", archive_sha256)
        members = zip_members(archive, ".csv")
        for name in members:
            parse_name(name)  # a stray file in the archive fails here, by name
        unpack_checked(
            members,
            snakemake.output.folder,
            params.sha256,
            content_sha256,
            source=params.url,
            key="eyetracking.sha256",
        )
        log.info("unpacked %d recordings into %s", len(members), snakemake.output.folder)
        write_json(
            snakemake.output.source,
            {
                "url": params.url,
                "archive_sha256": archive_sha256,
                "content_sha256": params.sha256,
                "files": len(members),
            },
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
