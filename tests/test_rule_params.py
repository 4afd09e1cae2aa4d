"""Each rule's params hold exactly the config keys its script reads (issue 13, item 2).

Snakemake reruns a job whose params changed since its outputs were made. A rule that passes a
whole config section therefore reruns all its jobs when any key of the section changes, even
one the job never reads (``pretrain.sweep.workers`` used to rerun every encoder and every
fine-tuning run). Checked two ways:

- by convention, on every job of the full DAG (default and ci configs, and one with every
  optional part and download switched on) and every rule's fixed params: no param is a whole
  top-level section, and none carries a section's ``enabled`` switch (a job never reads it);
- for real, on the ci DAG with every output touched (``--touch``, nothing trains): after
  changing a key, Snakemake's own record says which jobs' params changed, and a dry run which
  jobs would run; only the jobs the key really affects may appear.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import CONFIGS, copy_workflow, run_snakemake

from vigilance.core.errors import VigilanceError
from vigilance.core.settings import settings_from

# Every optional part and download on: the DAG then holds nearly every rule.
EVERYTHING_ON = {
    "blink": {"rldd": {"enabled": True}},
    "eyetracking": {"enabled": True, "download": True},
    "mtl": {"opportunity": {"download": True}, "gaze": {"enabled": True}},
}
# The manifest records the whole resolved config: that is its job.
WHOLE_CONFIG_ALLOWED = {("write_manifest", "config")}

# Run in a fresh interpreter (one workflow per process): every job of the DAG of a workflow
# folder and config files, whether it needs to run, whether Snakemake's record of its params
# differs from its params now, and its params (JSON; anything else as its repr).
DAG_SCRIPT = r"""
import json, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.enums import Quietness
from snakemake.settings.types import ConfigSettings, DAGSettings, OutputSettings, ResourceSettings

workdir, *configfiles = sys.argv[1:]
with SnakemakeApi(OutputSettings(quiet={Quietness.ALL})) as api:
    workflow_api = api.workflow(
        resource_settings=ResourceSettings(),
        config_settings=ConfigSettings(configfiles=[Path(f) for f in configfiles]),
        snakefile=Path(workdir) / "Snakefile",
        workdir=Path(workdir),
    )
    workflow_api.dag(DAGSettings())
    workflow = workflow_api._workflow  # the public API lists no jobs
    workflow._prepare_dag(forceall=False, ignore_incomplete=True, lock_warn_only=True)
    workflow._build_dag()
    jobs = [
        {
            "rule": job.rule.name,
            "wildcards": dict(job.wildcards_dict),
            "needrun": workflow.dag.needrun(job),
            "params_changed": bool(workflow.persistence.params_changed(job)),
            "params": dict(job.params.items()),
        }
        for job in workflow.dag.jobs
    ]
    out = {"config": dict(workflow.config), "jobs": jobs}
    print("@@DAG@@" + json.dumps(out, default=repr))
"""


def dag_jobs(workdir: Path, *configfiles: Path) -> dict:
    """The DAG's jobs (see DAG_SCRIPT) and the resolved config."""
    proc = subprocess.run(
        [sys.executable, "-c", DAG_SCRIPT, str(workdir), *map(str, configfiles)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-5000:]
    line = next(line for line in proc.stdout.splitlines() if line.startswith("@@DAG@@"))
    return json.loads(line.removeprefix("@@DAG@@"))


def whole_sections(name: str, value, config: dict, where: str = "") -> list[str]:
    """Why a param value passes more than its script reads: a whole top-level config section,
    or a section's ``enabled`` switch, anywhere inside it."""
    where = where or name
    found = [f"{where} is config[{key!r}]" for key, section in config.items()
             if isinstance(section, dict) and value == section]  # fmt: skip
    if isinstance(value, dict):
        if "enabled" in value:
            found.append(f"{where} holds a section's 'enabled' switch")
        for key, item in value.items():
            found += whole_sections(name, item, config, f"{where}.{key}")
    elif isinstance(value, list):
        for k, item in enumerate(value):
            found += whole_sections(name, item, config, f"{where}[{k}]")
    return found


@dataclass(frozen=True)
class _Settings:
    window: int
    bins: list


def test_settings_from_builds_the_dataclass_from_exactly_its_params():
    settings = settings_from(_Settings, {"window": 30, "bins": [[1, 3]]}, "fit")
    assert settings == _Settings(30, [[1, 3]])
    assert settings_from(_Settings, {"window": 30}, bins=[]) == _Settings(30, [])


@pytest.mark.parametrize(
    "params, named",
    [({"window": 30}, "missing ['bins']"), ({"window": 30, "bins": [], "seeds": [1]}, "seeds")],
    ids=["missing", "unexpected"],
)
def test_settings_from_refuses_params_that_differ_from_the_fields(params, named):
    with pytest.raises(VigilanceError) as err:
        settings_from(_Settings, params, "fit_blink_baselines")
    message = str(err.value)
    assert named in message and "rule fit_blink_baselines" in message
    assert "exactly ['window', 'bins']" in message


def test_the_section_check_catches_a_whole_section_and_an_enabled_switch():
    config = {"pretrain": {"enabled": True, "sweep": {"workers": 1}}, "seeds": [1]}
    assert whole_sections("p", config["pretrain"], config)
    assert whole_sections("p", {"a": config["pretrain"]}, config) == [
        "p.a is config['pretrain']",
        "p.a holds a section's 'enabled' switch",
    ]
    assert whole_sections("p", {"enabled": False, "x": 1}, config)
    assert not whole_sections("p", config["pretrain"]["sweep"], config)
    assert not whole_sections("p", [1], config)


@pytest.fixture(scope="module")
def everything_on(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("configs") / "everything_on.yaml"
    path.write_text(yaml.safe_dump(EVERYTHING_ON))
    return path


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory) -> Path:
    return copy_workflow(tmp_path_factory.mktemp("fresh") / "vigilance")


@pytest.mark.parametrize("name", ["default", "ci", "everything_on"])
def test_no_job_passes_a_whole_config_section(name, everything_on, fresh_copy):
    files = {"default": [], "ci": [CONFIGS["ci"]], "everything_on": [everything_on]}[name]
    dag = dag_jobs(fresh_copy, *files)
    assert len({job["rule"] for job in dag["jobs"]}) > 20, "the DAG lost its rules"
    problems = set()
    for job in dag["jobs"]:
        for param, value in job["params"].items():
            if (job["rule"], param) not in WHOLE_CONFIG_ALLOWED:
                problems |= {
                    f"{job['rule']}: {p}" for p in whole_sections(param, value, dag["config"])
                }
    assert not problems, sorted(problems)


def test_no_rule_has_a_fixed_param_that_is_a_whole_config_section(parsed_rules):
    """Every rule, also those no DAG above holds (their fixed, non-function params)."""
    config = parsed_rules["config"]
    problems = []
    for rule in parsed_rules["rules"]:
        for param, value in rule.params.items():
            if callable(value) or (rule.name, param) in WHOLE_CONFIG_ALLOWED:
                continue
            problems += [f"{rule.name}: {p}" for p in whole_sections(param, value, config)]
    assert not problems, problems


# ---- reruns after a config change, on the touched ci DAG ---------------------------------------


@pytest.fixture(scope="module")
def touched_ci(tmp_path_factory) -> Path:
    """A workflow copy whose every ci output exists and is recorded as made (nothing ran)."""
    cwd = copy_workflow(tmp_path_factory.mktemp("touched") / "vigilance")
    ci = ["--configfile", str(CONFIGS["ci"])]
    proc = run_snakemake("--summary", *ci, cwd=cwd)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for line in proc.stdout.splitlines()[1:]:
        path = cwd / line.split("\t")[0]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    # In DAG order, so that every output is newer than its inputs; the params are recorded.
    proc = run_snakemake("--touch", "--forceall", "--cores", "1", *ci, cwd=cwd)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return cwd


def changed_and_scheduled(cwd: Path, tmp_path: Path, change: dict) -> tuple[dict, dict]:
    """After a config change: (rule -> wildcards of the jobs whose params changed, rule ->
    wildcards of the jobs a run would start)."""
    overlay = tmp_path / "change.yaml"
    overlay.write_text(yaml.safe_dump(change))
    dag = dag_jobs(cwd, CONFIGS["ci"], overlay)
    changed, scheduled = {}, {}
    for job in dag["jobs"]:
        if job["params_changed"]:
            changed.setdefault(job["rule"], []).append(job["wildcards"])
        if job["needrun"]:
            scheduled.setdefault(job["rule"], []).append(job["wildcards"])
    return changed, scheduled


def test_more_sweep_workers_schedule_the_new_helper_worker_only(touched_ci, tmp_path):
    changed, scheduled = changed_and_scheduled(
        touched_ci, tmp_path, {"pretrain": {"sweep": {"workers": 2}}}
    )
    # How the sweep is run is no job's params (but the manifest's, which records the config);
    # the new helper worker shares the lead's complete study, and only the lead (worker 0)
    # feeds the gather step: no gather, encoder or fine-tuning run is scheduled.
    assert set(changed) == {"write_manifest"}, changed
    assert [w["worker"] for w in scheduled.pop("sweep_pretraining")] == ["1"]
    assert set(scheduled) <= {"write_manifest", "all"}, scheduled


def test_the_smaller_pools_run_only_on_the_feature_sets_that_read_them(touched_ci, tmp_path):
    ci = dag_jobs(touched_ci, CONFIGS["ci"])
    runs = {(j["wildcards"]["features"], j["wildcards"]["fraction"])
            for j in ci["jobs"] if j["rule"] == "pretrain_encoder"}  # fmt: skip
    # Fig 4.2 and the all-vs-half claim read the original features at both pools; Fig 4.1 and
    # the calibration claim read both feature sets at the full pool: nothing else is trained.
    assert runs == {("original", "1"), ("original", "0.5"), ("with_calibration", "1")}, runs
    change = {"pretrain": {"fraction_feature_sets": ["original", "with_calibration"]}}
    _, scheduled = changed_and_scheduled(touched_ci, tmp_path, change)
    new = scheduled.pop("pretrain_encoder")
    assert sorted((w["features"], w["fraction"], w["seed"]) for w in new) == [
        ("with_calibration", "0.5", "1"),
        ("with_calibration", "0.5", "2"),
    ]
    assert "finetune_model" not in scheduled and "sweep_pretraining" not in scheduled


def test_a_new_share_schedules_only_its_runs_and_the_aggregates(touched_ci, tmp_path):
    changed, scheduled = changed_and_scheduled(
        touched_ci, tmp_path, {"finetune": {"shares": [0.25, 0.5, 1.0]}}
    )
    # The baselines beside the fine-tuning runs are fitted per share: the new share is theirs.
    assert set(changed) == {"write_manifest", "score_finetuning_baselines"}, changed
    runs = scheduled.pop("finetune_model")
    assert {w["share"] for w in runs} == {"0.25"}
    # pretrained_all, pretrained-feature (the pretext axis) and scratch, 2 folds x 1 seed.
    assert len(runs) == 3 * 2
    downstream = {"aggregate_finetuning", "plot_finetuning_curves", "plot_confusion_matrices"}
    downstream |= {"tabulate_finetuning", "write_manifest", "all", "score_finetuning_baselines"}
    assert set(scheduled) <= downstream, scheduled


def test_a_changed_schedule_reruns_only_that_strategys_runs(touched_ci, tmp_path):
    change = {"finetune": {"strategies": {"top1_epoch3": [[2, 1]]}}}
    changed, scheduled = changed_and_scheduled(touched_ci, tmp_path, change)
    assert {w["strategy"] for w in changed.pop("finetune_model")} == {"top1_epoch3"}
    # The results table names each strategy's schedule; the manifest records the config; the
    # strategy choice holds every schedule (the runs named chosen read theirs from it, so
    # they rerun after it, their params unchanged).
    allowed = {"tabulate_finetuning", "write_manifest", "choose_finetuning_strategy"}
    assert set(changed) <= allowed, changed
    strategies = {w["strategy"] for w in scheduled["finetune_model"]}
    assert "top1_epoch3" in strategies and strategies <= {"top1_epoch3", "chosen"}
    assert "sweep_finetuning" not in scheduled and "pretrain_encoder" not in scheduled


def test_a_table_setting_of_a_multi_task_source_reruns_no_training(touched_ci, tmp_path):
    changed, scheduled = changed_and_scheduled(
        touched_ci, tmp_path, {"mtl": {"opportunity": {"table_epochs": 3}}}
    )
    # table_epochs: the epochs Table 4.1 averages (the figures read last_epochs).
    assert set(changed) == {"tabulate_mtl_results", "write_manifest"}, changed
    assert {w["dataset"] for w in changed["tabulate_mtl_results"]} == {"opportunity"}
    assert not {"prepare_mtl_windows", "train_mtl_model"} & set(scheduled), scheduled


def test_the_default_fine_tunes_every_pretext_at_every_share_fold_and_seed(fresh_copy):
    # Thesis 6.1's open question in the default run: the feature and next-sequence encoders
    # (one each, all drivers, original features) fine-tuned at this run's chosen strategy on
    # every labelled share, fold and fine-tuning seed, beside row's pretrained_all and scratch.
    dag = dag_jobs(fresh_copy)
    config = dag["config"]
    assert config["finetune"]["pretexts"] == ["row", "feature", "next_sequence"]
    shares = {f"{share:g}" for share in config["finetune"]["shares"]}
    replicates = config["blink"]["splits"]["folds"] * len(config["finetune"]["seeds"])
    runs = [j["wildcards"] for j in dag["jobs"] if j["rule"] == "finetune_model"]
    for init in ("pretrained-feature", "pretrained-next_sequence"):
        mine = [w for w in runs if w["init"] == init]
        assert {w["strategy"] for w in mine} == {"chosen"}, mine
        assert {w["share"] for w in mine} == shares
        assert len(mine) == len(shares) * replicates
    encoders = [j["wildcards"] for j in dag["jobs"] if j["rule"] == "pretrain_encoder"]
    for pretext in ("feature", "next_sequence"):
        mine = [w for w in encoders if w["pretext"] == pretext]
        assert {(w["features"], w["fraction"]) for w in mine} == {("original", "1")}, mine
