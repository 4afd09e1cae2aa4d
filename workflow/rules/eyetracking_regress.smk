"""Eye tracking, regression: predict the gaze point k samples ahead from the previous N.

The tutorial's scanpath LSTM (document 002) and an MLP (one job each), ridge regression and two
trivial predictors (last point, training mean; one job), cross-validated by protocol
(eyetracking.regression);
one comparison table (MAE, MSE, RMSE, R^2 in screen pixels) and a figure of predicted vs true
points.
"""


# Scoring and plotting read small files: on a cluster they would only queue.
localrules:
    score_gaze_predictors,
    plot_gaze_predictions,


rule train_gaze_predictor:
    input:
        recordings=f"{GAZE_DIR}/recordings.npz",
    output:
        predictions=f"{GAZE_FORECAST}/predictions.csv",
        metrics=f"{GAZE_FORECAST}/metrics.csv",
        time=f"{GAZE_FORECAST}/time.json",
    log:
        f"{GAZE_FORECAST.replace('results/', 'logs/', 1)}/train.log",
    benchmark:
        f"results/benchmarks/{GAZE_FORECAST.removeprefix('results/')}.tsv"
    wildcard_constraints:
        protocol=GAZE_PROTOCOLS,
        predictor="baselines|MLP|LSTM",
    conda:
        "../../envs/train.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
        gpu=gpus(),
    params:
        windows={k: GAZE["regression"][k] for k in ("history", "horizon", "step")},
        models=lambda wildcards: (
            [m for m in GAZE["regression"]["models"] if m not in ("MLP", "LSTM")]
            if wildcards.predictor == "baselines"
            else [wildcards.predictor]
        ),
        settings={
            k: GAZE["regression"][k]
            for k in (
                "frame",
                "width",
                "dropout",
                "epochs",
                "batch_size",
                "learning_rate",
                "ridge_alpha",
            )
        },
        folds=GAZE["folds"],
        device=config["device"],
        precision=config["precision"],
        deterministic=config["deterministic"],
    script:
        "../scripts/train_gaze_predictor.py"


rule score_gaze_predictors:
    input:
        predictions=[path for path, _ in gaze_forecasts()],
    output:
        scores=f"{GAZE_DIR}/regression/fold_scores.csv",
        table=f"{GAZE_DIR}/regression/comparison.csv",
        table_html=report(
            f"{GAZE_DIR}/regression/comparison.html",
            caption="../../report/eyetracking_regression.rst",
            category=GAZE_REPORT,
            subcategory="Regression task",
            labels={"table": "gaze prediction"},
        ),
    log:
        f"{GAZE_LOGS}/regression/scores.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        runs=[run for _, run in gaze_forecasts()],
    script:
        "../scripts/score_gaze_predictors.py"


rule plot_gaze_predictions:
    input:
        recordings=f"{GAZE_DIR}/recordings.npz",
        predictions=[
            path
            for path, run in gaze_forecasts()
            if run["seed"] == config["seeds"][0]
            and run["protocol"] == GAZE["regression"]["protocols"][0]
        ],
    output:
        png=report(
            f"{GAZE_DIR}/regression/predictions.png",
            caption="../../report/eyetracking_predictions.rst",
            category=GAZE_REPORT,
            subcategory="Regression task",
            labels={"figure": "predicted vs true gaze"},
        ),
    log:
        f"{GAZE_LOGS}/regression/predictions.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_gaze_predictions.py"
