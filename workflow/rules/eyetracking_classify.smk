"""Eye tracking, classification: which image, and who, from chunks of gaze (document 002).

Per task and protocol (eyetracking.tasks.<task>.protocols): trivial classifiers, scikit-learn
baselines on the flattened chunk and on hand-made gaze features, small PyTorch models on the
sequence; then one comparison table per task, confusion matrices, the protocols side by side,
and the findings against the tutorial's reported results.
"""


# The trivial rows, scores, tables and figures read small files: on a cluster they would only
# queue.
localrules:
    fit_gaze_trivial,
    score_gaze_classifiers,
    plot_gaze_confusion_matrices,
    plot_gaze_protocols,
    tabulate_gaze_findings,


rule fit_gaze_trivial:
    input:
        chunks=f"{GAZE_DIR}/chunks.npz",
    output:
        predictions=f"{GAZE_TRIVIAL}/predictions.csv",
    log:
        f"{GAZE_TRIVIAL.replace('results/', 'logs/', 1)}/predictions.log",
    wildcard_constraints:
        task=GAZE_TASKS,
        protocol=GAZE_PROTOCOLS,
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        folds=GAZE["folds"],
    script:
        "../scripts/fit_gaze_trivial.py"


rule fit_gaze_baselines:
    input:
        chunks=f"{GAZE_DIR}/chunks.npz",
        features=lambda wildcards: (
            [f"{GAZE_DIR}/features.npz"] if wildcards.inputs == "gaze" else []
        ),
    output:
        predictions=f"{GAZE_CLASSICAL}/predictions.csv",
    log:
        f"{GAZE_CLASSICAL.replace('results/', 'logs/', 1)}/predictions.log",
    benchmark:
        f"results/benchmarks/{GAZE_CLASSICAL.removeprefix('results/')}.tsv"
    wildcard_constraints:
        task=GAZE_TASKS,
        protocol=GAZE_PROTOCOLS,
        inputs="flat|gaze",
    conda:
        "../../envs/analysis.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
    params:
        classical=omit(GAZE["classical"], "inputs"),
        folds=GAZE["folds"],
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
        f"{GAZE_DEEP.replace('results/', 'logs/', 1)}/train.log",
    benchmark:
        f"results/benchmarks/{GAZE_DEEP.removeprefix('results/')}.tsv"
    wildcard_constraints:
        task=GAZE_TASKS,
        protocol=GAZE_PROTOCOLS,
        model="MLP|CNN|LSTM|ScanpathLSTM",
    conda:
        "../../envs/train.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
        gpu=gpus(),
    params:
        deep=omit(GAZE["deep"], "models"),
        folds=GAZE["folds"],
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
        f"{GAZE_LOGS}/{{task}}/scores.log",
    wildcard_constraints:
        task=GAZE_TASKS,
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        runs=lambda wildcards: [run for _, run in gaze_runs(wildcards.task)],
        protocols=lambda wildcards: gaze_protocols(wildcards.task),
        folds=GAZE["folds"],
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
        f"{GAZE_LOGS}/{{task}}/confusion_matrices.log",
    wildcard_constraints:
        task=GAZE_TASKS,
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        protocol=lambda wildcards: gaze_protocols(wildcards.task)[0],
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_gaze_confusion_matrices.py"


rule plot_gaze_protocols:
    input:
        tables=expand(f"{GAZE_DIR}/{{task}}/comparison.csv", task=gaze_tasks()),
    output:
        png=report(
            f"{GAZE_DIR}/protocols.png",
            caption="../../report/eyetracking_protocols.rst",
            category=GAZE_REPORT,
            subcategory="Protocols",
            labels={"figure": "protocols side by side"},
        ),
    log:
        f"{GAZE_LOGS}/protocols.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        protocols={task: gaze_protocols(task) for task in gaze_tasks()},
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_gaze_protocols.py"


rule tabulate_gaze_findings:
    input:
        unpack(lambda wildcards: gaze_findings_inputs()),
    output:
        csv=f"{GAZE_DIR}/findings.csv",
        html=report(
            f"{GAZE_DIR}/findings.html",
            caption="../../report/eyetracking_findings.rst",
            category=GAZE_REPORT,
            subcategory="Findings",
            labels={"table": "findings against the tutorial"},
        ),
    log:
        f"{GAZE_LOGS}/findings.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        findings=GAZE["findings"],
    script:
        "../scripts/tabulate_gaze_findings.py"
