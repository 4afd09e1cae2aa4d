"""Shared set-up, included first: the package on the path, config validation, resources.

The config is validated here, before any job is planned, so that a misspelt key stops the
workflow at once with a message naming the key and the file that set it.
"""

import subprocess
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError

# The vigilance package lives in workflow/: importable here, and by every job's script through
# PYTHONPATH (with or without --use-conda, locally or on a cluster node).
sys.path.insert(0, str(Path(workflow.basedir) / "workflow"))

from vigilance.core.config import validate_config
from vigilance.core.errors import VigilanceError
from vigilance.core.paths import export_package_path

export_package_path()

# Lowest precedence first: the configfile directive, then each --configfile, then --config.
_cli_files = [str(f) for f in workflow.config_settings.configfiles]
_sources = [str(f) for f in workflow.configfiles if str(f) not in _cli_files] + _cli_files
try:
    _resolved = validate_config(config, _sources, overrides=dict(workflow.config_settings.config))
except VigilanceError as err:
    raise WorkflowError(str(err)) from None
# In place: rules, params and the report all read this same object.
config.clear()
config.update(_resolved)


# Wildcards shared by every part. `dataset` names a blink data set (blink, pre-training,
# fine-tuning, the tree's sequence variant) or the tree's face set; the multi-task rules,
# whose experiments are named differently (deap-windows), constrain it rule by rule, so that
# no constraint depends on the order the rule files are included in.
wildcard_constraints:
    seed=r"\d+",
    dataset=r"[a-z][a-z0-9_]*",


def git_commit():
    """The workflow's git commit (or 'unknown'): a param, so the manifest follows the code."""
    try:
        out = subprocess.run(
            ["git", "-C", workflow.basedir, "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 else "unknown"


def mem_mb(kind):
    """Memory per attempt for a kind of job ('train' or 'default'): grows with each retry."""
    base = config["resources"][f"{kind}_mem_mb"]
    return lambda wildcards, attempt: base * attempt


def runtime(kind):
    """Wall-time limit in minutes for a kind of job ('train' or 'default')."""
    return config["resources"][f"{kind}_runtime_min"]


def train_threads():
    """CPU threads of a training or sweep job."""
    return config["resources"]["train_threads"]


def gpus():
    """GPUs asked for by a training or sweep job (the Snakemake 'gpu' resource)."""
    return config["resources"]["gpu"]


def gpu_model():
    """GPU model asked of SLURM, only by a job that asks for GPUs (None drops the resource:
    no model, or no GPU, asks for none)."""
    if config["resources"]["gpu"] > 0 and config["resources"]["gpu_model"]:
        return config["resources"]["gpu_model"]
    return None


def pick(section, *keys):
    """The named keys of a config section: a rule's params carry only what its script reads,
    so that changing another key of the section does not rerun its jobs."""
    return {key: section[key] for key in keys}


def omit(section, *keys):
    """A config section without the named keys (those its rule's script does not read)."""
    return {key: value for key, value in section.items() if key not in keys}


def all_outputs():
    """Every final output of the enabled parts (figures, tables, manifest)."""
    outputs = [
        "results/manifest/environment.json",
        "results/manifest/environment.html",
        *blink_outputs(),
        *pretrain_outputs(),
        *finetune_outputs(),
    ]
    if config["eyetracking"]["enabled"]:
        outputs += gaze_outputs()
    if config["tree"]["enabled"]:
        outputs += tree_outputs()
    if config["mtl"]["enabled"]:
        outputs += mtl_outputs()
    return outputs
