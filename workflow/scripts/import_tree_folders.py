"""Read a user's fatigue images, identity folders and LFW pairs files into the face sets."""

from vigilance.core.io import write_json
from vigilance.core.logs import script_context
from vigilance.tree.data import SplitSettings, import_folders

FILES = ("fatigue_folder", "fatigue_manifest", "identity_folder", "pairs_file")
FILES += ("pairs_folder", "pairs_dev_train_file")


def main(snakemake) -> None:
    out, p = snakemake.output, snakemake.params
    split = SplitSettings(tuple(p.splits), int(p.driver_folds), int(p.seed))
    files = {key: getattr(p, key) for key in FILES}
    with script_context(snakemake) as log:
        sizes = import_folders(files, split, out)
        log.info("imported %s", sizes)
        write_json(out.sizes, sizes)


main(snakemake)  # noqa: F821 - injected by Snakemake
