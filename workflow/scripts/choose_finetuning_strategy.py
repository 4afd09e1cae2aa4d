"""Choose the unfreezing strategy from this run's strategy grid: chosen_strategy.yaml (what the
init and share runs read) and the per-strategy table beside the thesis' choice."""

from dataclasses import dataclass

import yaml

from vigilance.core.io import write_text
from vigilance.core.logs import script_context
from vigilance.core.settings import settings_from
from vigilance.finetune.choice import choice_document, choose_strategy, read_runs
from vigilance.finetune.train import KPI
from vigilance.tables import write_table


@dataclass(frozen=True)
class Params:
    """The rule's params: the strategies, the thesis' best and which of the two is used."""

    strategies: dict
    best_strategy: str
    strategy_choice: str


def main(snakemake) -> None:
    out, inputs = snakemake.output, snakemake.input
    with script_context(snakemake) as log:
        p = settings_from(Params, snakemake.params, snakemake.rule)
        runs = {}
        for key in inputs.keys():  # noqa: SIM118 - a Namedlist iterates over its values
            name, fold, seed, kind = key.split("-")
            if kind == "metrics":
                runs[(name, int(fold), int(seed))] = (
                    inputs[key], inputs[f"{name}-{fold}-{seed}-test"]
                )  # fmt: skip
        chosen, table = choose_strategy(read_runs(runs), list(p.strategies))
        document = choice_document(chosen, table, p.best_strategy, p.strategy_choice, p.strategies)
        log.info("chosen by this run: %s; thesis: %s; used: %s", chosen, p.best_strategy,
                 document["strategy"])  # fmt: skip
        write_text(out.choice, yaml.safe_dump(document, sort_keys=False))
        table = table.assign(
            chosen_by_run=table["strategy"] == chosen,
            thesis=table["strategy"] == p.best_strategy,
            used=table["strategy"] == document["strategy"],
        ).rename(columns={"val_kpi": f"val_{KPI}_mean", "val_mse": "val_mse_mean"})
        write_table(
            table, out.csv, out.html,
            title="Unfreezing strategy: this run's choice beside the thesis'",
        )  # fmt: skip


main(snakemake)  # noqa: F821 - injected by Snakemake
