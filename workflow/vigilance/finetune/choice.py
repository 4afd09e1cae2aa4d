"""The unfreezing strategy chosen from this run's strategy grid (issue 14, item 4).

Each strategy is fine-tuned on the encoder pre-trained on all drivers, with all labels, on
every outer fold x fine-tuning seed; each run selects its checkpoint by the validation KPI
(:mod:`vigilance.finetune.train`) and writes its per-epoch validation measures
(``metrics.csv``) and the selected epoch (``test.json``). The chosen strategy has the highest
mean over its runs (folds x seeds) of the selected checkpoint's validation KPI (an undefined
kappa counts as worst); ties go to the lower mean validation MSE, then to the strategy listed
first in config (means that agree to 12 decimals are equal: floating-point sums in another
order are no difference). The test set plays no part.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from vigilance.core.errors import VigilanceError
from vigilance.finetune.train import KPI

TIE_DECIMALS = 12  # means that agree to this many decimals are tied


def selected_validation(metrics: pd.DataFrame, epoch: int, source: str = "metrics") -> dict:
    """The validation KPI and MSE of the selected ``epoch`` of one run's long-form metrics."""
    val = metrics[(metrics["split"] == "val") & (metrics["epoch"] == epoch)]
    values = dict(zip(val["metric"], val["value"], strict=True))
    missing = {KPI, "loss"} - values.keys()
    if missing:
        raise VigilanceError(
            f"{source}: no validation {', '.join(sorted(missing))} at the selected epoch {epoch}; "
            f"expected rows (epoch {epoch}, split val, metric {KPI} and loss)"
        )
    return {"val_kpi": float(values[KPI]), "val_mse": float(values["loss"])}


def read_runs(runs: dict[tuple[str, int, int], tuple[str, str]]) -> pd.DataFrame:
    """One row per (strategy, fold, seed): the selected epoch's validation KPI and MSE, from
    the run's ``(metrics.csv, test.json)``."""
    rows = []
    for (strategy, fold, seed), (metrics, test) in runs.items():
        epoch = json.loads(Path(test).read_text())["epoch"]
        numbers = selected_validation(pd.read_csv(metrics), epoch, metrics)
        rows.append({"strategy": strategy, "fold": fold, "seed": seed, "epoch": epoch, **numbers})
    return pd.DataFrame(rows)


def choose_strategy(runs: pd.DataFrame, order: list[str]) -> tuple[str, pd.DataFrame]:
    """(chosen strategy, per-strategy table) from per-run ``strategy, val_kpi, val_mse`` (one
    row per fold and seed).

    Args:
        runs: One row per run of the strategy grid.
        order: The strategies in config order (the last tie rule); each must have runs.
    """
    missing = [name for name in order if name not in set(runs["strategy"])]
    if missing:
        raise VigilanceError(
            f"strategy grid: no runs of {', '.join(missing)}; expected runs of every one of "
            f"finetune.strategies ({', '.join(order)})"
        )
    runs = runs.assign(val_kpi=runs["val_kpi"].fillna(-math.inf))
    table = (
        runs.groupby("strategy")
        .agg(val_kpi=("val_kpi", "mean"), val_mse=("val_mse", "mean"), runs=("val_kpi", "size"))
        .reindex(order)
        .assign(config_order=range(len(order)))
    )
    # Means equal but for rounding (0.4 + 0.2 against 0.3 + 0.3) are ties.
    keys = table.assign(val_kpi=table["val_kpi"].round(TIE_DECIMALS),
                        val_mse=table["val_mse"].round(TIE_DECIMALS))  # fmt: skip
    ranked = keys.sort_values(["val_kpi", "val_mse", "config_order"], ascending=[False, True, True])
    table["rank"] = pd.Series(range(1, len(order) + 1), index=ranked.index)
    table = table.drop(columns="config_order").reset_index()
    return str(ranked.index[0]), table


def choice_document(chosen: str, table: pd.DataFrame, thesis: str, mode: str, schedules: dict):
    """What ``chosen_strategy.yaml`` holds: the strategy the init comparison and the
    label-efficiency grid use (``mode`` run: this run's choice; thesis: ``thesis``), its
    schedule, this run's choice, the thesis' and the per-strategy numbers."""
    used = chosen if mode == "run" else thesis
    numbers = {
        row.strategy: {
            "val_kpi_mean": None if math.isinf(row.val_kpi) else float(row.val_kpi),
            "val_mse_mean": float(row.val_mse),
            "runs": int(row.runs),
            "rank": int(row.rank),
        }
        for row in table.itertuples()
    }
    return {
        "strategy": used,
        "schedule": schedules[used],
        "choice": mode,
        "chosen_by_run": chosen,
        "thesis": thesis,
        "rule": f"highest mean validation {KPI} of the selected checkpoints over folds x seeds; "
        "ties: "
        "lower mean validation MSE, then config order",
        "strategies": numbers,
    }
