"""Sanity checks of a blink data set: does a ridge on window means beat the training mean at
predicting the KSS, and how predictable is a masked row from its window (the pretext task)?"""

import pandas as pd

from vigilance.blink.describe import signal_check
from vigilance.blink.format import FEATURE_SETS
from vigilance.blink.normalise import load_stats
from vigilance.blink.pretext import pretext_check
from vigilance.blink.splits import drivers_of, read_manifest
from vigilance.blink.windows import build_windows, window_means
from vigilance.core.logs import script_context
from vigilance.tables import write_table


def main(snakemake) -> None:
    params, wildcards = snakemake.params, snakemake.wildcards
    with script_context(snakemake) as log:
        blinks = pd.read_parquet(snakemake.input.blinks)
        manifest = read_manifest(snakemake.input.manifest)
        stats, columns = load_stats(snakemake.input.stats), FEATURE_SETS[wildcards.features]
        sets = {}
        for name in ("train", "test"):
            drivers = drivers_of(manifest, "finetune", name)
            windows = build_windows(blinks, drivers, columns, stats, params.window)
            sets[name] = window_means(windows, params.stride)
        table = signal_check(sets["train"], sets["test"], params.seeds)
        log.info("signal check:\n%s", table)
        write_table(
            table,
            snakemake.output.csv,
            snakemake.output.html,
            title=f"Signal check: {wildcards.dataset}, {wildcards.features} features",
            caption="Test-set error on held-out fine-tuning drivers (KSS points).",
        )
        pool = {
            name: build_windows(
                blinks, drivers_of(manifest, "pretrain", name), columns, stats, params.window
            )
            for name in ("train", "val")
        }
        pretext = pretext_check(pool["train"], pool["val"], params.stride, params.seeds[0])
        log.info("pretext check:\n%s", pretext)
        write_table(
            pretext,
            snakemake.output.pretext_csv,
            snakemake.output.pretext_html,
            title=f"Pretext check: {wildcards.dataset}, {wildcards.features} features",
            caption="A masked row's normalised features predicted from its window, on the "
            "pre-training validation drivers.",
        )


main(snakemake)  # noqa: F821 - injected by Snakemake
