"""Read a user's fatigue folder, identity folder and LFW-style pairs file into the face sets."""

from vigilance.core.io import write_json
from vigilance.core.logs import script_context
from vigilance.tree.data import import_folders


def main(snakemake) -> None:
    out, data = snakemake.output, snakemake.params.data
    with script_context(snakemake) as log:
        sizes = import_folders(data, data["seed"], out)
        log.info("imported %s", sizes)
        write_json(out.sizes, sizes)


main(snakemake)  # noqa: F821 - injected by Snakemake
