"""Tables 4.1 / 4.2 of the thesis and the findings table, from the aggregated metrics only.

Two summaries per method and task: the thesis' (the mean of the last K epochs of one run with a
95 % t-interval over those epochs, here of the first seed; K = 10 for both tables, epochs 41-50
and 191-200) and the mean over seeds of each seed's last-K mean with a 95 % t-interval over
seeds. The trivial and classical rows (:mod:`vigilance.mtl.baselines`) are scored on the same
test windows. The time overhead is over one STL network, as the thesis' (its STL trained one
network per task; for DEAP it averaged the valence and arousal networks): here the STL run
trains its T task columns in one job, so one network's time is the STL run's time / T.
Claims are judged by the shared :mod:`vigilance.evaluation.verdicts` (direction claims on the
95 % interval of the paired differences, equality claims by TOST on the 90 % interval).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vigilance.evaluation.stats import mean_ci
from vigilance.evaluation.verdicts import adjust_holm, judge

# Thesis 004, Tables 4.1 / 4.2 (mean of the last 10 epochs): (source, method, task) -> score.
THESIS = {
    ("opportunity", "STL", "ML_Both_Arms"): 0.711,
    ("opportunity", "HPS_6_0_LW11", "ML_Both_Arms"): 0.713,
    ("opportunity", "HPS", "ML_Both_Arms"): 0.712,
    ("opportunity", "HPS_6_0_LW21_nodense", "ML_Both_Arms"): 0.701,
    ("opportunity", "HPS_6_0_2_4", "ML_Both_Arms"): 0.719,
    ("opportunity", "HPS_all", "ML_Both_Arms"): 0.711,
    ("opportunity", "SPS", "ML_Both_Arms"): 0.657,
    ("opportunity", "SPS_0005", "ML_Both_Arms"): 0.664,
    ("opportunity", "SPS_001", "ML_Both_Arms"): 0.655,
    ("opportunity", "CSN_1000x50", "ML_Both_Arms"): 0.641,
    ("opportunity", "CSN", "ML_Both_Arms"): 0.650,
    ("deap", "STL", "valence"): 0.806,
    ("deap", "STL", "arousal"): 0.811,
    ("deap", "HPS", "valence"): 0.86,
    ("deap", "HPS", "arousal"): 0.863,
    ("deap", "HPS_dropout", "valence"): 0.725,
    ("deap", "HPS_dropout", "arousal"): 0.729,
    ("deap", "SPS", "valence"): 0.772,
    ("deap", "SPS", "arousal"): 0.751,
    ("deap", "SPS_0001", "valence"): 0.591,
    ("deap", "SPS_0001", "arousal"): 0.564,
    ("deap", "CSN", "valence"): 0.842,
    ("deap", "CSN", "arousal"): 0.837,
}
# Training-time overhead over one STL network, % (Tables 4.1 / 4.2).
THESIS_OVERHEAD = {
    ("opportunity", "HPS_6_0_LW11"): 4.06,
    ("opportunity", "HPS"): 9.25,
    ("opportunity", "HPS_6_0_LW21_nodense"): 2.29,
    ("opportunity", "HPS_6_0_2_4"): 10.47,
    ("opportunity", "HPS_all"): 21.56,
    ("opportunity", "SPS"): 93.11,
    ("opportunity", "SPS_0005"): 92.58,
    ("opportunity", "SPS_001"): 93.19,
    ("opportunity", "CSN_1000x50"): 116.82,
    ("opportunity", "CSN"): 116.49,
    ("deap", "HPS"): 8.80,
    ("deap", "HPS_dropout"): 8.86,
    ("deap", "SPS"): 333.25,
    ("deap", "SPS_0001"): 132.99,
    ("deap", "CSN"): 8.86,
}
# "Most of SPS's overhead" (Sec. 5: the overhead "can be directly attributed to our choice of
# regulariser"): the trace norm's share of the overhead must exceed one half.
MOST = 0.5


@dataclass(frozen=True)
class TableSettings:
    """What the tables read (config ``mtl.<data set>``)."""

    main_metric: str
    main_tasks: tuple[str, ...]
    table_epochs: int
    equivalence_margin: float = 0.02
    equivalence_reason: str = ""


def last_k(curves: pd.DataFrame, metric: str, k: int, split: str = "test") -> pd.DataFrame:
    """Rows of the last ``k`` epochs of one metric and split (all methods, seeds, tasks)."""
    part = curves[(curves["metric"] == metric) & (curves["split"] == split)]
    final = part.groupby(["method", "seed"])["epoch"].transform("max")
    return part[part["epoch"] > final - k]


def per_seed(curves: pd.DataFrame, metric: str, k: int, split: str = "test") -> pd.DataFrame:
    """Each (method, seed, task)'s mean over its last ``k`` epochs."""
    rows = last_k(curves, metric, k, split)
    return rows.groupby(["method", "task", "seed"], as_index=False)["value"].mean()


def one_network_seconds(runs: pd.DataFrame, column: str = "seconds_per_epoch") -> pd.Series:
    """Per seed: one STL network's time (the STL run's time over its number of tasks)."""
    stl = runs[runs["method"] == "STL"].set_index("seed")
    return stl[column] / stl["tasks"].str.count(";").add(1)


def results_table(curves, runs, baselines, settings: TableSettings, source: str) -> pd.DataFrame:
    """Table 4.1 / 4.2: per method and main task, the thesis-style and over-seed summaries,
    then the trivial and classical rows on the same test windows."""
    metric = settings.main_metric
    k = min(settings.table_epochs, int(curves["epoch"].max()))
    seeds = per_seed(curves, metric, k)
    first_seed = curves["seed"].min()
    tail = last_k(curves, metric, k)
    timing = runs.groupby("method")[["seconds_per_epoch", "parameters"]].mean()
    reference = one_network_seconds(runs).mean() if "STL" in set(runs["method"]) else np.nan
    rows = []
    for method in runs["method"].drop_duplicates():
        info = runs[runs["method"] == method].iloc[0]
        for task in settings.main_tasks:
            mine = seeds[(seeds["method"] == method) & (seeds["task"] == task)]
            if mine.empty:
                continue
            one = tail[(tail["method"] == method) & (tail["task"] == task)]
            m1, lo1, hi1 = mean_ci(one[one["seed"] == first_seed]["value"])
            m, lo, hi = mean_ci(mine["value"])
            seconds = timing.loc[method, "seconds_per_epoch"]
            rows.append(
                {
                    "method": method,
                    "model": info["model"],
                    "tasks": info["tasks"],
                    "task": task,
                    f"{metric} last {k} (seed {first_seed})": m1,
                    "epochs CI low": lo1,
                    "epochs CI high": hi1,
                    f"{metric} over seeds": m,
                    "seeds CI low": lo,
                    "seeds CI high": hi,
                    "seeds": len(mine),
                    "thesis": THESIS.get((source, method, task), np.nan),
                    "parameters": int(timing.loc[method, "parameters"]),
                    "s per epoch": seconds,
                    "overhead vs one STL network %": 100 * (seconds / reference - 1),
                    "thesis overhead %": THESIS_OVERHEAD.get((source, method), np.nan),
                }
            )
    part = baselines[baselines["metric"] == metric]
    for (method, task), group in part.groupby(["method", "task"], sort=False):
        if task not in settings.main_tasks:
            continue
        m, lo, hi = mean_ci(group["value"])
        kind = "trivial" if method.startswith("trivial") else "classical"
        rows.append(
            {
                "method": method,
                "model": kind,
                "tasks": task,
                "task": task,
                f"{metric} over seeds": m,
                "seeds CI low": lo,
                "seeds CI high": hi,
                "seeds": len(group),
            }
        )
    return pd.DataFrame(rows)


def _paired(seeds: pd.DataFrame, a: str, b: str, task: str) -> np.ndarray:
    wide = seeds[seeds["task"] == task].pivot(index="seed", columns="method", values="value")
    if a not in wide or b not in wide:
        return np.array([])
    return (wide[a] - wide[b]).dropna().to_numpy()


def _present(runs: pd.DataFrame, *names: str) -> str | None:
    methods = set(runs["method"])
    return next((n for n in names if n in methods), None)


def _claims(runs: pd.DataFrame, source: str) -> list[tuple]:
    """(method, against, direction, words, where) of the claims about this source."""
    deap = source == "deap"
    best_hps = _present(runs, "HPS_6_0_2_4", "HPS") if not deap else _present(runs, "HPS")
    claims = [
        (best_hps, "STL", "higher", "HPS scores higher than STL", "Sec. 4.5, Table 4.%d"),
        (_present(runs, "SPS"), "STL", "lower", "SPS scores lower than STL", "Table 4.%d"),
        (
            _present(runs, "CSN"),
            "STL",
            "higher" if deap else "lower",
            "CSN scores higher than STL" if deap else "CSN scores lower than STL",
            "Table 4.%d",
        ),
    ]
    if deap:
        claims.append(
            (
                _present(runs, "HPS_dropout"),
                "HPS",
                "lower",
                "HPS with dropout in its heads scores lower than without",
                "Sec. 4.2",
            )
        )
    else:
        claims += [
            (
                "STL",
                _present(runs, "STL_nodropout"),
                "higher",
                "the CNN with dropout scores higher than without",
                "Secs. 3.2.3, 4.2",
            ),
            (
                _present(runs, "STL_unclipped"),
                "STL",
                "equal",
                "clipping spikes makes no difference",
                "Sec. 3.2.2, Fig 3.7",
            ),
        ]
    table = "2" if deap else "1"
    return [(m, b, d, w, where.replace("%d", table)) for m, b, d, w, where in claims]


def _row(claim, where, quantity, thesis, direction, values, unit, margin=None, reason=""):
    judged = judge(values, direction, margin)
    verdict, p = judged["verdict"], judged["p_value"]
    if judged["n"] < 2:
        verdict = "not tested (fewer than 2 seeds)"
    m, lo, hi = judged["estimate"], judged["low"], judged["high"]
    level = f"{100 * judged['level']:.0f} % interval" if judged["n"] >= 2 else "no interval"
    test = f"TOST (paired t, +-{margin:g})" if direction == "equal" else "paired t-test"
    test += f", {level}"
    return {
        "claim": claim,
        "where": where,
        "quantity": quantity,
        "direction": direction if direction != "equal" else f"equal within +-{margin:g}",
        "unit": unit,
        "estimate": m,
        "CI low": lo,
        "CI high": hi,
        "test": test + (f" ({reason})" if reason else ""),
        "p": p,
        "thesis": thesis,
        "verdict": verdict,
    }


def _trivial_level(baselines, metric: str, task: str) -> float:
    if baselines is None:
        return -np.inf
    part = baselines[(baselines["metric"] == metric) & (baselines["task"] == task)]
    part = part[part["method"].str.startswith("trivial")]
    return float(part["value"].mean()) if len(part) else -np.inf


def findings(curves, runs, settings: TableSettings, source: str, baselines=None) -> pd.DataFrame:
    """The thesis' claims about this data set vs this run: one row each, by evidence.md.

    A score comparison where an arm does not beat the trivial row (on average over seeds) is
    ``not tested``: two models that learnt nothing agree by construction.
    """
    metric, k = settings.main_metric, settings.table_epochs
    seeds = per_seed(curves, metric, k)
    n = runs["seed"].nunique()
    unit = f"{n} training seeds, paired by seed"
    rows = []
    for method, against, direction, words, where in _claims(runs, source):
        if method is None or against is None or "STL" not in set(runs["method"]):
            rows.append(
                {"claim": words, "where": where, "verdict": "not tested (method not in config)"}
            )
            continue
        for task in settings.main_tasks:
            thesis = [THESIS.get((source, x, task)) for x in (method, against)]
            shown = (
                f"{thesis[0]:.3f} vs {thesis[1]:.3f}"
                if None not in thesis
                else ("no difference" if direction == "equal" else "")
            )
            margin = settings.equivalence_margin if direction == "equal" else None
            floor = _trivial_level(baselines, metric, task)
            means = seeds[seeds["task"] == task].groupby("method")["value"].mean()
            if min(means.get(method, -np.inf), means.get(against, -np.inf)) <= floor:
                rows.append(
                    {
                        "claim": f"{words} ({method} - {against}, {task})",
                        "where": where,
                        "direction": direction if margin is None else f"equal within +-{margin:g}",
                        "verdict": "not tested (an arm does not beat the trivial row)",
                    }
                )
                continue
            rows.append(
                _row(
                    f"{words} ({method} - {against}, {task})",
                    where,
                    f"difference of test {metric}, mean of the last {k} epochs",
                    shown,
                    direction,
                    _paired(seeds, method, against, task),
                    unit,
                    margin,
                    settings.equivalence_reason if margin else "",
                )
            )
    rows += _cost_rows(runs, source, unit)
    table = pd.DataFrame(rows)
    if "p" in table:
        table["p (Holm)"] = adjust_holm(table["p"].to_numpy(dtype=float))
    return table


def _cost_rows(runs: pd.DataFrame, source: str, unit: str) -> list[dict]:
    """SPS's cost: its overhead over one STL network, and the trace norm's share of it."""
    sps = _present(runs, "SPS")
    if sps is None or "STL" not in set(runs["method"]):
        return [{"claim": "SPS costs much more time than STL", "verdict": "not tested"}]
    mine = runs[runs["method"] == sps].set_index("seed")
    overhead = mine["seconds_per_epoch"] / one_network_seconds(runs) - 1
    thesis = THESIS_OVERHEAD.get((source, sps))
    rows = [
        _row(
            f"SPS trains slower than one STL network ({sps})",
            "Tables 4.1 / 4.2",
            "overhead of seconds per epoch over one STL network (ratio - 1)",
            f"+{thesis:.0f} %" if thesis else "",
            "higher",
            overhead.dropna().to_numpy(),
            unit,
        )
    ]
    step_stl = one_network_seconds(runs, "step_s")
    share = mine["regulariser_s"] / (mine["step_s"] - step_stl)
    share = share.where(mine["step_s"] > step_stl)
    if share.notna().sum() < 2:
        rows.append(
            {
                "claim": f"the trace norm's sub-gradient causes SPS's overhead ({sps})",
                "where": "Secs. 4.3, 5",
                "verdict": "not tested (an SPS step is not slower than one STL network's in "
                "at least 2 seeds)",
            }
        )
        return rows
    rows.append(
        _row(
            f"the trace norm's sub-gradient causes SPS's overhead ({sps}; most of it: share "
            f"> {MOST:g})",
            "Secs. 4.3, 5",
            f"trace norm with its gradient / (SPS step - one STL network's step), minus {MOST:g}",
            "the overhead 'can be directly attributed to our choice of regulariser'",
            "higher",
            (share - MOST).dropna().to_numpy(),
            unit + "; step times measured in each training job",
        )
    )
    return rows
