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

from vigilance.config import validate_config
from vigilance.errors import VigilanceError
from vigilance.paths import export_package_path

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


wildcard_constraints:
    seed=r"\d+",


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
    """GPU model asked of SLURM ('' for any)."""
    return config["resources"]["gpu_model"]


def all_outputs():
    """Every final output of the enabled parts (figures, tables, manifest)."""
    outputs = [
        "results/manifest/environment.json",
        "results/manifest/environment.html",
    ]
    if config["eyetracking"]["enabled"]:
        outputs += gaze_outputs()
    return outputs


# ---- Eye tracking (ETRA 2021 tutorial; rules in eyetracking.smk) ------------------------------

from vigilance.eyetracking import recording_files

GAZE_DIR = "results/eyetracking/etra2021"
GAZE_CLASSICAL = f"{GAZE_DIR}/{{task}}/{{scheme}}/classical-{{inputs}}/seed{{seed}}"
GAZE_DEEP = f"{GAZE_DIR}/{{task}}/{{scheme}}/{{model}}/seed{{seed}}"
GAZE_DOWNLOAD = "results/eyetracking/download/paths"
GAZE_REPORT = "Eye tracking (ETRA 2021)"
GAZE_TASKS = "image|observer"
GAZE_SCHEMES = "grouped|leaky"

# A missing or empty recordings folder stops the workflow before any job, naming the key.
if config["eyetracking"]["enabled"] and not config["eyetracking"]["download"]:
    try:
        recording_files(config["eyetracking"]["path"])
    except VigilanceError as err:
        raise WorkflowError(str(err)) from None


def gaze_schemes():
    """Evaluation schemes: grouped folds, plus the tutorial's leaky split when asked for."""
    return ["grouped", "leaky"] if config["eyetracking"]["leaky_contrast"] else ["grouped"]


def gaze_folder():
    """The folder the recordings are read from: downloaded, or eyetracking.path."""
    et = config["eyetracking"]
    return GAZE_DOWNLOAD if et["download"] else et["path"]


def gaze_recordings():
    """Input of the chunking rule: the download's folder, or every recording file."""
    if config["eyetracking"]["download"]:
        return GAZE_DOWNLOAD
    return [str(path) for path in recording_files(gaze_folder())]


def gaze_chunk_params():
    """The chunking settings, with the folder to read."""
    et = config["eyetracking"]
    keys = ("chunk_length", "chunk_step", "signal")
    return {"folder": gaze_folder(), **{key: et[key] for key in keys}}


def gaze_runs(task):
    """(predictions file, what it holds) of every model, scheme and seed of a task."""
    et = config["eyetracking"]
    runs = []
    for scheme in gaze_schemes():
        for seed in config["seeds"]:
            where = {"task": task, "scheme": scheme, "seed": seed}
            for inputs in et["classical"]["inputs"]:
                path = f"{GAZE_CLASSICAL.format(inputs=inputs, **where)}/predictions.csv"
                runs.append((path, {"scheme": scheme, "family": "classical", "inputs": inputs}))
            for model in et["deep"]["models"]:
                path = f"{GAZE_DEEP.format(model=model, **where)}/predictions.csv"
                inputs = f"{et['signal']} sequence"
                runs.append((path, {"scheme": scheme, "family": "deep", "inputs": inputs}))
    return runs


def gaze_outputs():
    """The eye-tracking part's tables and figures for the report."""
    et = config["eyetracking"]
    outputs = [f"{GAZE_DIR}/recordings.html"]
    for task in et["tasks"]:
        outputs += [
            f"{GAZE_DIR}/{task}/{name}"
            for name in ("comparison.html", "per_class.html", "confusion_matrices.png")
        ]
    if et["leaky_contrast"]:
        outputs.append(f"{GAZE_DIR}/fair_vs_leaky.png")
    return outputs

# ---- end eye tracking --------------------------------------------------------------------------
