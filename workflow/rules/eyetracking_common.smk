"""Inputs, outputs and checks of the eye-tracking rules (functions only, included before them).

ETRA 2021 tutorial recordings; rules in eyetracking.smk. A missing or empty recordings folder
stops the workflow before any job, naming the config key.
"""

from vigilance.eyetracking.reader import recording_files

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
