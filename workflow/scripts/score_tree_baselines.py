"""Score the trivial and classical baselines on one replicate's test items (split x seed)."""

from dataclasses import dataclass

from vigilance.core.io import atomic_path
from vigilance.core.logs import script_context
from vigilance.tree.baselines import score_baselines
from vigilance.tree.data import load_npz
from vigilance.tree.splits import held_out


@dataclass(frozen=True)
class Settings:
    """The replicate: its split, seed and index (the fold it tests)."""

    split: str
    seed: int
    replicate: int


def main(snakemake) -> None:
    w, out, inp = snakemake.wildcards, snakemake.output, snakemake.input
    s = Settings(w.split, int(w.seed), int(snakemake.params.replicate))
    with script_context(snakemake) as log:
        fatigue, pairs = load_npz(inp.fatigue), load_npz(inp.pairs)
        test = held_out(fatigue, s.split, s.replicate)
        metrics, predictions = score_baselines(fatigue, test, pairs, s.seed)
        log.info("%s", metrics.to_string())
        with atomic_path(out.metrics) as tmp:
            metrics.to_csv(tmp, index=False)
        with atomic_path(out.predictions) as tmp:
            predictions.to_csv(tmp, index=False)


main(snakemake)  # noqa: F821 - injected by Snakemake
