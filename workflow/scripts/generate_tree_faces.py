"""Generate the fatigue, identity and verification-pair face sets (112 x 112)."""

from vigilance.core.io import write_json
from vigilance.core.logs import script_context
from vigilance.tree.data import SplitSettings, generate


def main(snakemake) -> None:
    out, p = snakemake.output, snakemake.params
    split = SplitSettings(tuple(p.splits), int(p.driver_folds), int(p.seed))
    with script_context(snakemake) as log:
        sizes = generate(p.generator, split, out)
        log.info("generated %s", sizes)
        write_json(out.sizes, sizes)


main(snakemake)  # noqa: F821 - injected by Snakemake
