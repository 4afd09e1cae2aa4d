"""Inputs, outputs and checks of the blink-data rules (functions only, included before them).

Each enabled data set of `blink.datasets` flows through the same rules under the `dataset`
wildcard; a data set folder that does not exist stops the workflow before any job starts.
"""

from pathlib import Path

BLINK = config["blink"]
BLINK_FILES = ("blinks.parquet", "blinks.csv")


def blink_datasets():
    """Names of the enabled blink data sets."""
    return [name for name, spec in BLINK["datasets"].items() if spec["enabled"]]


def _check_blink_datasets():
    for name in blink_datasets():
        path = BLINK["datasets"][name]["path"]
        if not path and name != "generated":
            raise WorkflowError(
                f"config: field 'blink.datasets.{name}.path' has value '': only the data set "
                "'generated' is made by the workflow (expected a folder in the open format)"
            )
        if path and not (Path(path) / "drivers.csv").is_file():
            raise WorkflowError(
                f"{path}: field 'blink.datasets.{name}.path' has value {path!r}: no drivers.csv "
                "there (expected a folder in the open blink format)"
            )


def _check_rldd_pools():
    for name in BLINK["rldd"]["pretrain_pools"]:
        if name not in blink_datasets():
            raise WorkflowError(
                f"config: field 'blink.rldd.pretrain_pools' has value {name!r}: not an enabled "
                f"blink data set (expected one of {blink_datasets()})"
            )


_check_blink_datasets()
_check_rldd_pools()


def blink_raw_folder(wildcards):
    """The folder holding a data set's raw files."""
    path = BLINK["datasets"][wildcards.dataset]["path"]
    return path or f"results/blink/{wildcards.dataset}/raw"


def blink_raw_inputs(wildcards):
    """The raw files of a data set, so that Snakemake reruns when they change."""
    folder = Path(blink_raw_folder(wildcards))
    if not BLINK["datasets"][wildcards.dataset]["path"]:
        return {"drivers": folder / "drivers.csv", "blinks": folder / "blinks.parquet"}
    files = {"drivers": folder / "drivers.csv"}
    for name in BLINK_FILES:
        if (folder / name).exists():
            files["blinks"] = folder / name
            return files
    files["recordings"] = sorted((folder / "recordings").glob("*.*"))
    return files


def rldd_folder():
    """Where the RLDD files are read from: the configured folder or the download."""
    return BLINK["rldd"]["path"] or "results/blink/rldd/raw"


def rldd_inputs():
    """The per-fold RLDD test files the workflow reads."""
    names = []
    for fold in BLINK["rldd"]["folds"]:
        names += [f"BlinksTest_30_Fold{fold}.npy", f"LabelsTest_30_Fold{fold}.npy"]
    return [f"{rldd_folder()}/{name}" for name in names]


def blink_outputs():
    """Every final output of the blink-data part."""
    outputs = ["results/blink/kss_scale.html"]
    for name in blink_datasets():
        base = f"results/blink/{name}"
        outputs += [
            f"{base}/splits/drivers.html",
            f"{base}/normalisation.json",
            f"{base}/describe/size.html",
            f"{base}/describe/kss_histogram.html",
            f"{base}/describe/features_by_kss.png",
            f"{base}/describe/kss_trajectories.png",
        ]
        for features in BLINK["datasets"][name]["feature_sets"]:
            outputs.append(f"{base}/{features}/signal_check.html")
            outputs.append(f"{base}/{features}/pretext_check.html")
            if BLINK["baselines"]["enabled"]:
                outputs.append(f"{base}/{features}/baselines/comparison.html")
    if BLINK["rldd"]["enabled"]:
        outputs.append("results/blink/rldd/describe/folds.html")
    return outputs
