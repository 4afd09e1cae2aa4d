"""Download the UTA-RLDD blink sequences, checking (or recording) their SHA-256."""

from pathlib import Path

from vigilance.core.download import fetch
from vigilance.core.io import write_text
from vigilance.core.logs import script_context


def main(snakemake) -> None:
    url, expected = snakemake.params.url, snakemake.params.sha256
    with script_context(snakemake) as log:
        lines = []
        for path in map(Path, snakemake.output.files):
            digest = fetch(url + path.name, path, expected.get(path.name, ""))
            if path.name not in expected:
                log.warning(
                    "%s: no checksum configured; got %s (pin it in blink.rldd.sha256)",
                    path.name,
                    digest,
                )
            lines.append(f"{digest}  {path.name}")
        write_text(snakemake.output.sums, "\n".join(lines) + "\n")


main(snakemake)  # noqa: F821 - injected by Snakemake
