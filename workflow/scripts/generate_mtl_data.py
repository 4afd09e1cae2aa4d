"""Write the generated stand-in of OPPORTUNITY or DEAP in the exact file format."""

from pathlib import Path

from vigilance.core.logs import script_context


def main(snakemake) -> None:
    with script_context(snakemake) as log:
        folder = Path(snakemake.output[0]).parent
        settings = snakemake.params.settings
        if snakemake.rule == "generate_opportunity_data":
            from vigilance.mtl.opportunity import generate

            paths = generate(folder, settings["rows"], settings["seed"])
        else:
            from vigilance.mtl.deap import generate

            paths = generate(folder, settings["subjects"], settings["seed"])
        expected = {Path(p) for p in snakemake.output}
        assert set(paths) == expected, f"generated {sorted(paths)}, expected {sorted(expected)}"
        log.info("wrote %d files to %s", len(paths), folder)


main(snakemake)  # noqa: F821 - injected by Snakemake
