"""Inputs, outputs and checks of the eye-tracking rules (functions only, included before them).

Any folder of gaze recordings in a declared layout (eyetracking.layout, eyetracking.labels);
the ETRA 2021 tutorial's by default. Rules in eyetracking.smk (data), eyetracking_classify.smk
(classification), eyetracking_regress.smk (the regression task). A bad layout, a protocol that
cannot answer its task, or a missing recordings folder stops the workflow before any job,
naming the config key.
"""

from vigilance.eyetracking.layout import from_config
from vigilance.eyetracking.protocols import PROTOCOLS, check_protocol
from vigilance.eyetracking.reader import recording_files

GAZE = config["eyetracking"]
GAZE_DIR = f"results/eyetracking/{GAZE['dataset']}"
GAZE_CLASSICAL = f"{GAZE_DIR}/{{task}}/{{protocol}}/classical-{{inputs}}/seed{{seed}}"
GAZE_TRIVIAL = f"{GAZE_DIR}/{{task}}/{{protocol}}/trivial/seed{{seed}}"
GAZE_DEEP = f"{GAZE_DIR}/{{task}}/{{protocol}}/{{model}}/seed{{seed}}"
GAZE_FORECAST = f"{GAZE_DIR}/regression/{{protocol}}/{{predictor}}/seed{{seed}}"
GAZE_LOGS = GAZE_DIR.replace("results/", "logs/", 1)
GAZE_DOWNLOAD = "results/eyetracking/download/paths"
GAZE_REPORT = "Eye tracking ({})".format(
    {"etra2021": "ETRA 2021"}.get(GAZE["dataset"], GAZE["dataset"])
)
GAZE_TASKS = "image|observer"
GAZE_PROTOCOLS = "|".join(PROTOCOLS)


def _check_gaze_config():
    """Everything about the part's config that can be checked before any job."""
    layout, labelling = from_config(GAZE["layout"], GAZE["labels"])
    labelling.regex()
    for task, spec in GAZE["tasks"].items():
        for protocol in spec["protocols"]:
            check_protocol(task, protocol)
    if GAZE["download"] and layout.name != "etra2021":
        raise VigilanceError(
            "the download holds the ETRA 2021 recordings",
            field="eyetracking.layout.preset",
            value=GAZE["layout"]["preset"],
            expected="etra2021 with download: true (or download: false and a path)",
        )
    if not GAZE["download"]:
        recording_files(GAZE["path"], layout, labelling)


if GAZE["enabled"]:
    try:
        _check_gaze_config()
    except VigilanceError as err:
        raise WorkflowError(str(err)) from None


def gaze_folder():
    """The folder the recordings are read from: downloaded, or eyetracking.path."""
    return GAZE_DOWNLOAD if GAZE["download"] else GAZE["path"]


def gaze_recordings():
    """Input of the reading rule: the download's folder, or every recording (and manifest)."""
    if GAZE["download"]:
        return [GAZE_DOWNLOAD]
    layout, labelling = from_config(GAZE["layout"], GAZE["labels"])
    files = [str(path) for path in recording_files(gaze_folder(), layout, labelling)]
    return files + ([labelling.manifest] if labelling.manifest else [])


def gaze_tasks():
    """The classification tasks configured (those with at least one protocol)."""
    return [task for task, spec in GAZE["tasks"].items() if spec["protocols"]]


def gaze_protocols(task):
    """The protocols a task runs (its config order)."""
    return list(GAZE["tasks"][task]["protocols"])


def gaze_runs(task):
    """(predictions file, what it holds) of every model, protocol and seed of a task."""
    runs = []
    for protocol in gaze_protocols(task):
        for seed in config["seeds"]:
            where = {"task": task, "protocol": protocol, "seed": seed}
            path = f"{GAZE_TRIVIAL.format(**where)}/predictions.csv"
            runs.append((path, {"protocol": protocol, "family": "trivial", "inputs": "labels"}))
            for inputs in GAZE["classical"]["inputs"]:
                path = f"{GAZE_CLASSICAL.format(inputs=inputs, **where)}/predictions.csv"
                runs.append((path, {"protocol": protocol, "family": "classical", "inputs": inputs}))
            for model in GAZE["deep"]["models"]:
                path = f"{GAZE_DEEP.format(model=model, **where)}/predictions.csv"
                inputs = f"{GAZE['signal']} sequence"
                runs.append((path, {"protocol": protocol, "family": "deep", "inputs": inputs}))
    return runs


def gaze_forecasts():
    """(predictions file, protocol and seed) of the regression jobs: baselines, each network."""
    reg = GAZE["regression"]
    jobs = [m for m in reg["models"] if m in ("MLP", "LSTM")]
    if set(reg["models"]) - set(jobs):
        jobs.insert(0, "baselines")  # LastPoint, TrainingMean, Ridge: one job
    runs = []
    for protocol in reg["protocols"]:
        for seed in config["seeds"]:
            for job in jobs:
                where = {"protocol": protocol, "predictor": job, "seed": seed}
                path = f"{GAZE_FORECAST.format(**where)}/predictions.csv"
                runs.append((path, {"protocol": protocol, "seed": seed}))
    return runs


def gaze_findings_inputs():
    """The fold scores the findings table reads: the image task's and the regression's."""
    inputs = {}
    if "image" in gaze_tasks():
        inputs["image"] = f"{GAZE_DIR}/image/fold_scores.csv"
    if GAZE["regression"]["enabled"]:
        inputs["regression"] = f"{GAZE_DIR}/regression/fold_scores.csv"
    return inputs


def gaze_outputs():
    """The eye-tracking part's tables and figures for the report."""
    outputs = [f"{GAZE_DIR}/recordings.html", f"{GAZE_DIR}/findings.html"]
    for task in gaze_tasks():
        outputs += [
            f"{GAZE_DIR}/{task}/{name}"
            for name in ("comparison.html", "per_class.html", "confusion_matrices.png")
        ]
    if any(len(gaze_protocols(task)) > 1 for task in gaze_tasks()):
        outputs.append(f"{GAZE_DIR}/protocols.png")
    if GAZE["regression"]["enabled"]:
        outputs += [f"{GAZE_DIR}/regression/comparison.html"]
        outputs += [f"{GAZE_DIR}/regression/predictions.png"]
    return outputs
