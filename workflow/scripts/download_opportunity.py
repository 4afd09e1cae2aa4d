"""Download the OPPORTUNITY UCI archive (checked with SHA-256) and unpack its .dat files."""

import tempfile
from pathlib import Path

from vigilance.core.download import fetch, unpack_checked, zip_members
from vigilance.core.errors import VigilanceError
from vigilance.core.io import write_json
from vigilance.core.logs import script_context
from vigilance.mtl.opportunity import FILE_PATTERN


def main(snakemake) -> None:
    url, expected = snakemake.params.url, snakemake.params.sha256
    out = snakemake.output
    with script_context(snakemake) as log:
        with tempfile.TemporaryDirectory(dir=Path(out.source).parent) as tmp:
            archive = Path(tmp) / "opportunity.zip"
            digest = fetch(url, archive, expected)
            if not expected:
                log.warning(
                    "no checksum configured; got %s (pin it in mtl.opportunity.sha256)", digest
                )
            members = {
                k: v for k, v in zip_members(archive, ".dat").items() if FILE_PATTERN.match(k)
            }
        if not members:
            raise VigilanceError(
                "no S<subject>-<run>.dat file in the archive",
                file=url,
                expected="the OPPORTUNITY UCI archive",
            )
        # The archive's bytes were checked by fetch; the members are written whole or not at all.
        unpack_checked(members, out.folder, digest, lambda _: digest, url, "mtl.opportunity.sha256")
        write_json(out.source, {"url": url, "sha256": digest, "files": sorted(members)})
        log.info("unpacked %d files", len(members))


main(snakemake)  # noqa: F821 - injected by Snakemake
