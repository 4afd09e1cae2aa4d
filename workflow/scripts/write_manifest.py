"""Write the reproducibility manifest (JSON) and its table (CSV + HTML) for the report."""

from dataclasses import dataclass

from vigilance.core.device import describe_device, resolve_device
from vigilance.core.io import write_json
from vigilance.core.logs import script_context
from vigilance.core.manifest import build_manifest, manifest_table
from vigilance.tables import write_table


@dataclass(frozen=True)
class Params:
    config: dict
    repo: str


def main(snakemake) -> None:
    params = Params(config=dict(snakemake.params.config), repo=snakemake.params.repo)
    with script_context(snakemake) as log:
        # The manifest describes the machine it ran on; the configured device (which may be
        # 'cuda' for training jobs on GPU nodes) is in the recorded config.
        device = resolve_device("auto")
        manifest = build_manifest(params.config, describe_device(device), params.repo)
        log.info("device %s, commit %s", manifest["device"], manifest["git"]["commit"])
        table = manifest_table(manifest)
        write_table(
            table,
            snakemake.output.csv,
            snakemake.output.html,
            title="Reproducibility manifest",
            caption="Versions, device, code commit and configuration hash of this run.",
        )
        write_json(snakemake.output.json, manifest)


main(snakemake)  # noqa: F821 - injected by Snakemake
