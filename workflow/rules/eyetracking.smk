"""Eye tracking (ETRA 2021 tutorial): classical baselines, small deep models, honest measures.

The tutorial's real gaze recordings (18 observers x 4 images) are validated, cut into chunks and
classified by image and by observer: scikit-learn baselines on the flattened chunk and on
hand-made gaze features, small PyTorch models on the sequence; grouped k-fold cross-validation
(no recording on both sides) and, as a contrast, the tutorial's leaky random-chunk split.
Functions (paths, inputs, the part's final outputs) are in common.smk.
"""


# The download runs where Snakemake runs (compute nodes often cannot reach the internet); the
# scores, tables and figures read small files: on a cluster they would only queue.
localrules:
    download_gaze_recordings,
    score_gaze_classifiers,
    plot_gaze_confusion_matrices,
    plot_gaze_fair_vs_leaky,


rule download_gaze_recordings:
    output:
        folder=directory("results/eyetracking/download/paths"),
        source="results/eyetracking/download/source.json",
    log:
        "logs/eyetracking/download/paths.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        download={"url": config["eyetracking"]["url"], "sha256": config["eyetracking"]["sha256"]},
    script:
        "../scripts/download_gaze_recordings.py"


rule chunk_gaze_recordings:
    input:
        recordings=lambda wildcards: gaze_recordings(),
    output:
        chunks=f"{GAZE_DIR}/chunks.npz",
        csv=f"{GAZE_DIR}/recordings.csv",
        html=report(
            f"{GAZE_DIR}/recordings.html",
            caption="../../report/eyetracking_recordings.rst",
            category=GAZE_REPORT,
            subcategory="Data",
            labels={"table": "recordings"},
        ),
    log:
        f"logs/eyetracking/etra2021/chunks.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        chunks=lambda wildcards: gaze_chunk_params(),
    script:
        "../scripts/chunk_gaze_recordings.py"


rule extract_gaze_features:
    input:
        chunks=f"{GAZE_DIR}/chunks.npz",
    output:
        features=f"{GAZE_DIR}/features.npz",
    log:
        "logs/eyetracking/etra2021/features.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        fixation_speed=config["eyetracking"]["fixation_speed"],
    script:
        "../scripts/extract_gaze_features.py"


rule fit_gaze_baselines:
    input:
        chunks=f"{GAZE_DIR}/chunks.npz",
        features=lambda wildcards: (
            [f"{GAZE_DIR}/features.npz"] if wildcards.inputs == "gaze" else []
        ),
    output:
        predictions=f"{GAZE_CLASSICAL}/predictions.csv",
    log:
        f"logs/{GAZE_CLASSICAL.removeprefix('results/')}/predictions.log",
    benchmark:
        f"results/benchmarks/{GAZE_CLASSICAL.removeprefix('results/')}.tsv"
    wildcard_constraints:
        task=GAZE_TASKS,
        scheme=GAZE_SCHEMES,
        inputs="flat|gaze",
    conda:
        "../../envs/analysis.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
    params:
        classical=omit(config["eyetracking"]["classical"], "inputs"),
        folds=config["eyetracking"]["folds"],
    script:
        "../scripts/fit_gaze_baselines.py"


rule train_gaze_classifier:
    input:
        chunks=f"{GAZE_DIR}/chunks.npz",
    output:
        predictions=f"{GAZE_DEEP}/predictions.csv",
        metrics=f"{GAZE_DEEP}/metrics.csv",
        checkpoint=f"{GAZE_DEEP}/checkpoint.pt",
        time=f"{GAZE_DEEP}/time.json",
    log:
        f"logs/{GAZE_DEEP.removeprefix('results/')}/train.log",
    benchmark:
        f"results/benchmarks/{GAZE_DEEP.removeprefix('results/')}.tsv"
    wildcard_constraints:
        task=GAZE_TASKS,
        scheme=GAZE_SCHEMES,
        model="MLP|CNN|LSTM",
    conda:
        "../../envs/train.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
        gpu=gpus(),
    params:
        deep=omit(config["eyetracking"]["deep"], "models"),
        folds=config["eyetracking"]["folds"],
        device=config["device"],
        precision=config["precision"],
        deterministic=config["deterministic"],
    script:
        "../scripts/train_gaze_classifier.py"


rule score_gaze_classifiers:
    input:
        chunks=f"{GAZE_DIR}/chunks.npz",
        predictions=lambda wildcards: [path for path, _ in gaze_runs(wildcards.task)],
    output:
        scores=f"{GAZE_DIR}/{{task}}/fold_scores.csv",
        table=f"{GAZE_DIR}/{{task}}/comparison.csv",
        table_html=report(
            f"{GAZE_DIR}/{{task}}/comparison.html",
            caption="../../report/eyetracking_comparison.rst",
            category=GAZE_REPORT,
            subcategory="{task} task",
            labels={"task": "{task}", "table": "comparison of models"},
        ),
        per_class=f"{GAZE_DIR}/{{task}}/per_class.csv",
        per_class_html=report(
            f"{GAZE_DIR}/{{task}}/per_class.html",
            caption="../../report/eyetracking_per_class.rst",
            category=GAZE_REPORT,
            subcategory="{task} task",
            labels={"task": "{task}", "table": "per-class measures of the best models"},
        ),
        confusion=f"{GAZE_DIR}/{{task}}/confusion.csv",
    log:
        "logs/eyetracking/etra2021/{task}/scores.log",
    wildcard_constraints:
        task=GAZE_TASKS,
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        runs=lambda wildcards: [run for _, run in gaze_runs(wildcards.task)],
    script:
        "../scripts/score_gaze_classifiers.py"


rule plot_gaze_confusion_matrices:
    input:
        confusion=f"{GAZE_DIR}/{{task}}/confusion.csv",
    output:
        png=report(
            f"{GAZE_DIR}/{{task}}/confusion_matrices.png",
            caption="../../report/eyetracking_confusion.rst",
            category=GAZE_REPORT,
            subcategory="{task} task",
            labels={"task": "{task}", "figure": "confusion matrices"},
        ),
    log:
        "logs/eyetracking/etra2021/{task}/confusion_matrices.log",
    wildcard_constraints:
        task=GAZE_TASKS,
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_gaze_confusion_matrices.py"


rule plot_gaze_fair_vs_leaky:
    input:
        tables=expand(f"{GAZE_DIR}/{{task}}/comparison.csv", task=config["eyetracking"]["tasks"]),
    output:
        png=report(
            f"{GAZE_DIR}/fair_vs_leaky.png",
            caption="../../report/eyetracking_fair_vs_leaky.rst",
            category=GAZE_REPORT,
            subcategory="Fair vs leaky",
            labels={"figure": "fair vs leaky"},
        ),
    log:
        "logs/eyetracking/etra2021/fair_vs_leaky.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        tasks=config["eyetracking"]["tasks"],
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_gaze_fair_vs_leaky.py"
