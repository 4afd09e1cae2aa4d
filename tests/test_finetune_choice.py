"""Choices made from this run (issue 14, item 4): the unfreezing strategy chosen from the
strategy grid's validation numbers (each tie rule), the init and share runs depending on that
choice in the ci DAG, and the scratch arm's own sweep feeding the scratch runs."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import CONFIGS, copy_workflow, run_snakemake
from test_finetune import BINS, CPU, _data, _finetune_section

from vigilance.core.errors import VigilanceError
from vigilance.finetune.choice import choice_document, choose_strategy, read_runs
from vigilance.finetune.hparams import build_configs, flat_defaults
from vigilance.finetune.run import build_model, make_trainer
from vigilance.finetune.sweep import best_params, run_sweep, study_identity
from vigilance.finetune.train import KPI

ORDER = ["frozen", "top1", "top2"]
SCHEDULES = {"frozen": [], "top1": [[3, 1]], "top2": [[3, 1], [6, 2]]}


def _runs(numbers: dict[str, list[tuple[float, float]]]) -> pd.DataFrame:
    """Per-run rows from {strategy: [(val KPI, val MSE) per seed]}."""
    return pd.DataFrame(
        [
            {"strategy": name, "seed": seed, "val_kpi": kpi, "val_mse": mse}
            for name, values in numbers.items()
            for seed, (kpi, mse) in enumerate(values, 1)
        ]
    )


@pytest.mark.parametrize(
    "numbers, chosen",
    [
        # The highest mean KPI over seeds wins, though another has the best single seed.
        ({"frozen": [(0.2, 1), (0.2, 1)], "top1": [(0.5, 1), (0.0, 1)],
          "top2": [(0.3, 2), (0.3, 2)]}, "top2"),
        # Equal mean KPI: the lower mean validation MSE.
        ({"frozen": [(0.4, 1.2), (0.2, 1.2)], "top1": [(0.3, 1.1), (0.3, 1.0)],
          "top2": [(0.1, 0.5), (0.1, 0.5)]}, "top1"),
        # Equal KPI and MSE: the strategy listed first in config.
        ({"frozen": [(0.1, 2), (0.1, 2)], "top1": [(0.3, 1), (0.3, 1)],
          "top2": [(0.3, 1), (0.3, 1)]}, "top1"),
        # An undefined kappa (NaN) counts as worst, even with the lowest MSE.
        ({"frozen": [(math.nan, 0.1), (math.nan, 0.1)], "top1": [(-0.2, 3), (-0.1, 3)],
          "top2": [(-0.3, 3), (-0.3, 3)]}, "top1"),
    ],
    ids=["mean_kpi", "tie_lower_mse", "tie_config_order", "nan_is_worst"],
)  # fmt: skip
def test_the_chosen_strategy_is_the_one_the_validation_numbers_say(numbers, chosen):
    name, table = choose_strategy(_runs(numbers), ORDER)
    assert name == chosen
    assert list(table["strategy"]) == ORDER
    assert table.set_index("strategy").loc[chosen, "rank"] == 1
    assert sorted(table["rank"]) == [1, 2, 3]


def test_a_strategy_without_runs_is_refused():
    runs = _runs({"frozen": [(0.1, 1)], "top1": [(0.2, 1)]})
    with pytest.raises(VigilanceError, match="no runs of top2"):
        choose_strategy(runs, ORDER)


def test_the_document_holds_the_used_schedule_and_both_choices():
    runs = _runs({"frozen": [(0.1, 1)], "top1": [(0.4, 1)], "top2": [(math.nan, 1)]})
    chosen, table = choose_strategy(runs, ORDER)
    run = choice_document(chosen, table, "top2", "run", SCHEDULES)
    assert (run["strategy"], run["schedule"], run["chosen_by_run"]) == ("top1", [[3, 1]], "top1")
    assert run["thesis"] == "top2" and run["strategies"]["top2"]["val_kpi_mean"] is None
    thesis = choice_document(chosen, table, "top2", "thesis", SCHEDULES)
    assert (thesis["strategy"], thesis["schedule"], thesis["chosen_by_run"]) == (
        "top2", [[3, 1], [6, 2]], "top1",
    )  # fmt: skip


def test_the_selected_epochs_validation_numbers_are_read_from_the_run_files(tmp_path):
    runs = {}
    for name, epoch in (("frozen", 0), ("top1", 2)):
        rows = [
            {"epoch": e, "split": split, "metric": metric, "value": value}
            for e in range(3)
            for split, metric, value in (
                ("val", KPI, 0.1 * e), ("val", "loss", 2.0 - e), ("train", "loss", 9.0),
            )
        ]  # fmt: skip
        pd.DataFrame(rows).to_csv(tmp_path / f"{name}.csv", index=False)
        (tmp_path / f"{name}.json").write_text(json.dumps({"epoch": epoch}))
        runs[(name, 0, 1)] = (tmp_path / f"{name}.csv", tmp_path / f"{name}.json")
    frame = read_runs(runs).set_index("strategy")
    assert frame.loc["top1", "val_kpi"] == pytest.approx(0.2)
    assert frame.loc["top1", "val_mse"] == 0.0 and frame.loc["frozen", "val_mse"] == 2.0
    (tmp_path / "top1.json").write_text(json.dumps({"epoch": 7}))
    with pytest.raises(VigilanceError, match="selected epoch 7"):
        read_runs(runs)


def _scratch_pretrain() -> dict:
    """config.yaml's pre-training settings, a small architecture (the scratch model's)."""
    pretrain = yaml.safe_load(CONFIGS["default"].read_text())["pretrain"]
    model = {**pretrain["model"], "d_model": 8, "n_blocks": 2, "n_heads": 2}
    return {"hyperparameters": "config", **pretrain, "model": model}


def _scratch_model_args() -> dict:
    pretrain = _scratch_pretrain()
    return {
        "pretrain_params": {**pretrain["model"], **pretrain["training"]},
        "n_features": 9,
        "window": 8,
        "masking": pretrain["masking"],
    }


def test_the_scratch_arm_gets_its_own_sweep_of_the_same_space(tmp_path):
    section = _finetune_section(trials=2)
    data = {"train": _data(0), "val": _data(1)}
    storage = f"sqlite:///{tmp_path / 'study.sqlite'}"
    study = run_sweep(
        section, data, None, CPU, "auto", storage, "scratch", BINS, init="scratch",
        model_args=_scratch_model_args(),
    )  # fmt: skip
    assert len(study.trials) == 2
    assert set(study.trials[0].params) == set(section["sweep"]["space"])
    best = best_params(study, section)
    finite = [t.value for t in study.trials if t.value is not None and np.isfinite(t.value)]
    assert best["best_value"] == (max(finite) if finite else None)
    common = ({**section, "features": "original"}, "generated", [], 8, BINS, "cpu", "auto", True)
    scratch = study_identity(*common, init="scratch", scratch_pretrain=_scratch_pretrain()).name
    assert scratch != study_identity(*common).name and "scratch" in scratch


@pytest.fixture(scope="module")
def ci_dry_run(tmp_path_factory) -> str:
    cwd = copy_workflow(tmp_path_factory.mktemp("dry") / "vigilance")
    proc = run_snakemake("-n", "--configfile", str(CONFIGS["ci"]), cwd=cwd)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _jobs(dry_run: str) -> list[dict]:
    """(rule, input, output) of every job of a dry run's output."""
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", dry_run):
        rule = re.match(r"(?:local)?rule (\w+):", block)
        fields = dict(re.findall(r"^    (input|output): (.*)$", block, re.M))
        if rule:
            jobs.append({"rule": rule[1], **{k: v.split(", ") for k, v in fields.items()}})
    return jobs


def test_the_init_and_share_runs_depend_on_the_choice_in_the_ci_dag(ci_dry_run):
    jobs = _jobs(ci_dry_run)
    chosen = [j for j in jobs if any("/chosen/" in o for o in j.get("output", []))]
    trained = [j for j in chosen if j["rule"] == "finetune_model"]
    copied = [j for j in chosen if j["rule"] == "copy_chosen_finetuning_run"]
    assert trained and copied
    for job in chosen:
        assert "results/finetune/generated/chosen_strategy.yaml" in job["input"]
    # pretrained_half with all labels, pretrained_all at the smaller share and the pretext
    # axis' pretrained-feature are trained; pretrained_all with all labels is the chosen
    # strategy's grid run, copied.
    assert {o.split("/")[3] for j in trained for o in j["output"]} == {
        "pretrained_half", "pretrained_all", "pretrained-feature",
    }  # fmt: skip
    assert all("/pretrained_all/chosen/share1/" in o for j in copied for o in j["output"])
    choice = next(j for j in jobs if j["rule"] == "choose_finetuning_strategy")
    strategies = yaml.safe_load(CONFIGS["ci"].read_text())["finetune"]["strategies"]
    for name in strategies:
        assert any(f"/pretrained_all/{name}/share1/" in i for i in choice["input"])


def test_the_scratch_sweeps_best_feeds_the_scratch_runs(ci_dry_run):
    jobs = _jobs(ci_dry_run)
    scratch = [j for j in jobs if j["rule"] == "finetune_model"
               and any("/scratch/" in o for o in j["output"])]  # fmt: skip
    pretrained = [j for j in jobs if j["rule"] == "finetune_model"
                  and not any("/scratch/" in o for o in j["output"])]  # fmt: skip
    assert scratch and pretrained
    assert all(
        "results/finetune/generated/scratch_sweep/best_params.yaml" in j["input"] for j in scratch
    )
    assert all(
        "results/finetune/generated/sweep/best_params.yaml" in j["input"] for j in pretrained
    )
    sweeps = [j for j in jobs if j["rule"] == "sweep_finetuning"]
    scratch_sweep = next(j for j in sweeps if "scratch_sweep" in j["output"][0])
    assert not any("encoder.pt" in i for i in scratch_sweep["input"])
    assert len(sweeps) == 2


def test_the_scratch_model_of_the_sweep_trains_everything():
    # The scratch arm builds the pre-training's architecture with fresh weights: nothing frozen.
    section = _finetune_section()
    head, cfg = build_configs(flat_defaults(section), "auto")
    model = build_model("scratch", head, 0, **_scratch_model_args())
    trainer, effective = make_trainer(model, cfg, "scratch", [], 0, CPU, BINS, 7.0)
    trainer.train_epoch(_data(0))
    assert all(p.requires_grad for p in trainer.model.parameters())
    assert effective == [[0, len(model.backbone.blocks)]]
    assert math.isfinite(trainer.evaluate(_data(1))["loss"])
