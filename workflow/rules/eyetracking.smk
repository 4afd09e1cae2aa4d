"""Eye tracking (ETRA 2021 tutorial, or any gaze recordings in a declared layout): the data.

The recordings are read in their declared layout and validated, tabulated, cut into chunks and
described by hand-made gaze features. Classification rules are in eyetracking_classify.smk,
the regression task in eyetracking_regress.smk; functions in eyetracking_common.smk.
"""


# The download runs where Snakemake runs (compute nodes often cannot reach the internet).
localrules:
    download_gaze_recordings,


rule download_gaze_recordings:
    output:
        folder=directory(GAZE_DOWNLOAD),
        source="results/eyetracking/download/source.json",
    log:
        "logs/eyetracking/download/paths.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        download={"url": GAZE["url"], "sha256": GAZE["sha256"]},
    script:
        "../scripts/download_gaze_recordings.py"


rule read_gaze_recordings:
    input:
        recordings=lambda wildcards: gaze_recordings(),
    output:
        recordings=f"{GAZE_DIR}/recordings.npz",
        csv=f"{GAZE_DIR}/recordings.csv",
        html=report(
            f"{GAZE_DIR}/recordings.html",
            caption="../../report/eyetracking_recordings.rst",
            category=GAZE_REPORT,
            subcategory="Data",
            labels={"table": "recordings"},
        ),
    log:
        f"{GAZE_LOGS}/recordings.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        reader={"folder": gaze_folder(), "layout": GAZE["layout"], "labels": GAZE["labels"]},
    script:
        "../scripts/read_gaze_recordings.py"


rule chunk_gaze_recordings:
    input:
        recordings=f"{GAZE_DIR}/recordings.npz",
    output:
        chunks=f"{GAZE_DIR}/chunks.npz",
    log:
        f"{GAZE_LOGS}/chunks.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        chunks={key: GAZE[key] for key in ("chunk_length", "chunk_step", "signal")},
    script:
        "../scripts/chunk_gaze_recordings.py"


rule extract_gaze_features:
    input:
        chunks=f"{GAZE_DIR}/chunks.npz",
    output:
        features=f"{GAZE_DIR}/features.npz",
    log:
        f"{GAZE_LOGS}/features.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        fixation_speed=GAZE["fixation_speed"],
    script:
        "../scripts/extract_gaze_features.py"


include: "eyetracking_classify.smk"
include: "eyetracking_regress.smk"
