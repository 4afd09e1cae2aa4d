"""Generate the fatigue, identity and verification-pair face sets (112 x 112)."""

from vigilance.core.io import write_json
from vigilance.core.logs import script_context
from vigilance.tree.data import generate


def main(snakemake) -> None:
    out = snakemake.output
    with script_context(snakemake) as log:
        sizes = generate(snakemake.params.generator, snakemake.params.seed, out)
        log.info("generated %s", sizes)
        write_json(out.sizes, sizes)


main(snakemake)  # noqa: F821 - injected by Snakemake
