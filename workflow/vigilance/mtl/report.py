"""Tables 4.1 / 4.2 of the thesis and the findings table, from the aggregated metrics only.

Two summaries per method and task: the thesis' (the mean of the last K epochs of one run
with a 95 % t-interval over those epochs, here of the first seed) and, beyond it, the mean
over seeds of each seed's last-K mean with a 95 % t-interval over seeds. Claims are judged
on the paired per-seed differences (:func:`vigilance.stats.verdict`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vigilance.evaluation.stats import mean_ci, verdict

# Thesis 004, Tables 4.1 / 4.2 (mean of the last 10 / 25 epochs): (source, method, task).
THESIS = {
    ("opportunity", "STL", "ML_Both_Arms"): 0.711,
    ("opportunity", "HPS", "ML_Both_Arms"): 0.712,
    ("opportunity", "HPS_6_0_LW11", "ML_Both_Arms"): 0.713,
    ("opportunity", "HPS_6_0_LW21_nodense", "ML_Both_Arms"): 0.701,
    ("opportunity", "HPS_6_0_2_4", "ML_Both_Arms"): 0.719,
    ("opportunity", "HPS_all", "ML_Both_Arms"): 0.711,
    ("opportunity", "SPS", "ML_Both_Arms"): 0.657,
    ("opportunity", "SPS_0005", "ML_Both_Arms"): 0.664,
    ("opportunity", "SPS_001", "ML_Both_Arms"): 0.655,
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


def last_k(curves: pd.DataFrame, metric: str, k: int, split: str = "test") -> pd.DataFrame:
    """Rows of the last ``k`` epochs of one metric and split (all methods, seeds, tasks)."""
    part = curves[(curves["metric"] == metric) & (curves["split"] == split)]
    final = part.groupby(["method", "seed"])["epoch"].transform("max")
    return part[part["epoch"] > final - k]


def per_seed(curves: pd.DataFrame, metric: str, k: int, split: str = "test") -> pd.DataFrame:
    """Each (method, seed, task)'s mean over its last ``k`` epochs."""
    rows = last_k(curves, metric, k, split)
    return rows.groupby(["method", "task", "seed"], as_index=False)["value"].mean()


def reference_method(runs: pd.DataFrame) -> str | None:
    """The STL baseline: the method named STL, else the first STL method on the default data."""
    if "STL" in set(runs["method"]):
        return "STL"
    stl = runs[(runs["model"] == "STL") & (runs["clip"] == "dataset") & (runs["dropout"] < 0)]
    return None if stl.empty else str(stl["method"].iloc[0])


def results_table(curves, runs, settings: dict, source: str) -> pd.DataFrame:
    """Table 4.1 / 4.2: per method and main task, the thesis-style and over-seed summaries."""
    metric = settings["main_metric"]
    k = min(settings["last_epochs"], int(curves["epoch"].max()))
    seeds = per_seed(curves, metric, k)
    first_seed = curves["seed"].min()
    tail = last_k(curves, metric, k)
    ref = reference_method(runs)
    timing = runs.groupby("method")[["seconds_per_epoch", "parameters"]].mean()
    rows = []
    for method in runs["method"].drop_duplicates():
        info = runs[runs["method"] == method].iloc[0]
        for task in settings["main_tasks"]:
            mine = seeds[(seeds["method"] == method) & (seeds["task"] == task)]
            if mine.empty:
                continue
            one = tail[(tail["method"] == method) & (tail["task"] == task)]
            one = one[one["seed"] == first_seed]["value"]
            m1, lo1, hi1 = mean_ci(one)
            m, lo, hi = mean_ci(mine["value"])
            overhead = np.nan
            if ref is not None and ref in timing.index:
                overhead = 100 * (
                    timing.loc[method, "seconds_per_epoch"] / timing.loc[ref, "seconds_per_epoch"]
                    - 1
                )
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
                    "s per epoch": timing.loc[method, "seconds_per_epoch"],
                    "time overhead vs STL %": overhead,
                }
            )
    return pd.DataFrame(rows)


def _paired(seeds: pd.DataFrame, a: str, b: str, task: str) -> np.ndarray:
    wide = seeds[seeds["task"] == task].pivot(index="seed", columns="method", values="value")
    if a not in wide or b not in wide:
        return np.array([])
    return (wide[a] - wide[b]).dropna().to_numpy()


def _first(runs: pd.DataFrame, model: str, **where) -> str | None:
    rows = runs[runs["model"] == model]
    for key, value in where.items():
        rows = rows[rows[key] == value]
    return None if rows.empty else str(rows["method"].iloc[0])


def findings(curves, runs, settings: dict, source: str) -> pd.DataFrame:
    """The thesis' claims about this data set vs this run, each with a plain verdict."""
    metric, k = settings["main_metric"], settings["last_epochs"]
    seeds = per_seed(curves, metric, k)
    ref = reference_method(runs)
    hps, sps, csn = (_first(runs, m) for m in ("HPS", "SPS", "CSN"))
    unclipped = _first(runs, "STL", clip="unclipped")
    deap = source == "deap"
    claims = [
        (
            hps,
            "higher",
            "HPS scores higher than STL",
            "+0.05 (DEAP)" if deap else "+0.001 to +0.008",
        ),
        (sps, "lower", "SPS scores lower than STL", "-0.03 to -0.06" if deap else "-0.05 to -0.06"),
        (
            csn,
            "higher" if deap else "lower",
            "CSN vs STL",
            "+0.03 (DEAP)" if deap else "-0.06 to -0.07",
        ),
        (
            unclipped,
            "equal",
            "Unclipped vs clipped data (the code's clipping had no effect)",
            "no difference",
        ),
    ]
    rows = []
    for task in settings["main_tasks"]:
        for method, claim, text, thesis in claims:
            if method is None or ref is None:
                continue
            diff = _paired(seeds, method, ref, task)
            m, lo, hi = mean_ci(diff)
            rows.append(
                {
                    "claim": f"{text} ({method} - {ref}, {task}, {metric})",
                    "thesis": thesis,
                    "this run: mean difference": m,
                    "CI low": lo,
                    "CI high": hi,
                    "seeds": len(diff),
                    "verdict": verdict(diff, claim),
                }
            )
    if sps is not None and ref is not None:
        t = runs.pivot_table(index="seed", columns="method", values="seconds_per_epoch")
        ratio = (t[sps] / t[ref]).dropna().to_numpy()
        m, lo, hi = mean_ci(ratio)
        rows.append(
            {
                "claim": f"SPS takes much longer per epoch than STL (ratio {sps} / {ref})",
                "thesis": "1.9x to 4.3x",
                "this run: mean difference": m,
                "CI low": lo,
                "CI high": hi,
                "seeds": len(ratio),
                "verdict": verdict(ratio - 1.5, "higher") + " (judged: ratio > 1.5)",
            }
        )
    return pd.DataFrame(rows)
