"""Blink data: generate, validate and clean, split by driver, normalise, describe, RLDD."""


# The KSS scale table is written from the config alone: a cluster job would only queue.
localrules:
    tabulate_kss_scale,


wildcard_constraints:
    features=r"original|with_calibration",


rule generate_blink_data:
    output:
        blinks="results/blink/generated/raw/blinks.parquet",
        drivers="results/blink/generated/raw/drivers.csv",
    log:
        "logs/blink/generated/raw/generate.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        generator=BLINK["generator"],
    script:
        "../scripts/generate_blink_data.py"


rule prepare_blink_data:
    input:
        unpack(blink_raw_inputs),
    output:
        blinks="results/blink/{dataset}/clean/blinks.parquet",
        drivers="results/blink/{dataset}/clean/drivers.csv",
        cleaning="results/blink/{dataset}/clean/cleaning.json",
    log:
        "logs/blink/{dataset}/clean/prepare.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        folder=blink_raw_folder,
        max_missing_share=BLINK["max_missing_share"],
        calibration_minutes=BLINK["calibration_minutes"],
    script:
        "../scripts/prepare_blink_data.py"


rule split_blink_drivers:
    input:
        blinks="results/blink/{dataset}/clean/blinks.parquet",
        drivers="results/blink/{dataset}/clean/drivers.csv",
    output:
        csv="results/blink/{dataset}/splits/drivers.csv",
        folds=expand(
            "results/blink/{{dataset}}/splits/fold{fold}/drivers.csv",
            fold=range(BLINK["splits"]["folds"]),
        ),
        html=report(
            "results/blink/{dataset}/splits/drivers.html",
            caption="../../report/blink_splits.rst",
            category="Blink data",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "table": "split manifest"},
        ),
    log:
        "logs/blink/{dataset}/splits/drivers.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        bins=BLINK["kss_bins"],
        splits=BLINK["splits"],
    script:
        "../scripts/split_blink_drivers.py"


rule normalise_blink_features:
    input:
        blinks="results/blink/{dataset}/clean/blinks.parquet",
        manifest="results/blink/{dataset}/splits/drivers.csv",
    output:
        "results/blink/{dataset}/normalisation.json",
    log:
        "logs/blink/{dataset}/normalisation.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    script:
        "../scripts/normalise_blink_features.py"


rule describe_blink_data:
    input:
        blinks="results/blink/{dataset}/clean/blinks.parquet",
        manifest="results/blink/{dataset}/splits/drivers.csv",
    output:
        size_csv="results/blink/{dataset}/describe/size.csv",
        size_html=report(
            "results/blink/{dataset}/describe/size.html",
            caption="../../report/blink_size.rst",
            category="Blink data",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "table": "size"},
        ),
        kss_csv="results/blink/{dataset}/describe/kss_histogram.csv",
        kss_html=report(
            "results/blink/{dataset}/describe/kss_histogram.html",
            caption="../../report/blink_kss_histogram.rst",
            category="Blink data",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "table": "KSS histogram"},
        ),
        features=report(
            "results/blink/{dataset}/describe/features_by_kss.png",
            caption="../../report/blink_features_by_kss.rst",
            category="Blink data",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "features by KSS level"},
        ),
        trajectories=report(
            "results/blink/{dataset}/describe/kss_trajectories.png",
            caption="../../report/blink_kss_trajectories.rst",
            category="Blink data",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "KSS trajectories"},
        ),
    log:
        "logs/blink/{dataset}/describe/describe.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        bins=BLINK["kss_bins"],
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/describe_blink_data.py"


rule tabulate_kss_scale:
    output:
        csv="results/blink/kss_scale.csv",
        html=report(
            "results/blink/kss_scale.html",
            caption="../../report/kss_scale.rst",
            category="Blink data",
            labels={"table": "KSS scale (thesis Table 2.1)"},
        ),
    log:
        "logs/blink/kss_scale.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        bins=BLINK["kss_bins"],
    script:
        "../scripts/tabulate_kss_scale.py"


rule check_blink_signal:
    input:
        blinks="results/blink/{dataset}/clean/blinks.parquet",
        manifest="results/blink/{dataset}/splits/drivers.csv",
        stats="results/blink/{dataset}/normalisation.json",
    output:
        csv="results/blink/{dataset}/{features}/signal_check.csv",
        html=report(
            "results/blink/{dataset}/{features}/signal_check.html",
            caption="../../report/blink_signal_check.rst",
            category="Blink data",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "features": "{features}", "table": "signal check"},
        ),
        pretext_csv="results/blink/{dataset}/{features}/pretext_check.csv",
        pretext_html=report(
            "results/blink/{dataset}/{features}/pretext_check.html",
            caption="../../report/blink_pretext_check.rst",
            category="Blink data",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "features": "{features}", "table": "pretext check"},
        ),
    log:
        "logs/blink/{dataset}/{features}/signal_check.log",
    conda:
        "../../envs/train.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        window=BLINK["window_length"],
        stride=BLINK["signal_check_stride"],
        seeds=config["seeds"],
    script:
        "../scripts/check_blink_signal.py"


rule fit_blink_baselines:
    input:
        blinks="results/blink/{dataset}/clean/blinks.parquet",
        manifest="results/blink/{dataset}/splits/drivers.csv",
        stats="results/blink/{dataset}/normalisation.json",
    output:
        predictions="results/blink/{dataset}/{features}/baselines/predictions.csv",
        csv="results/blink/{dataset}/{features}/baselines/comparison.csv",
        html=report(
            "results/blink/{dataset}/{features}/baselines/comparison.html",
            caption="../../report/blink_baselines.rst",
            category="Blink data",
            subcategory="{dataset}",
            labels={
                "dataset": "{dataset}",
                "features": "{features}",
                "table": "classical baselines",
            },
        ),
    log:
        "logs/blink/{dataset}/{features}/baselines.log",
    conda:
        "../../envs/train.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        window=BLINK["window_length"],
        bins=BLINK["kss_bins"],
        models=BLINK["baselines"]["models"],
        folds=BLINK["baselines"]["folds"],
        stride=BLINK["baselines"]["stride"],
        forest_trees=BLINK["baselines"]["forest_trees"],
        seeds=config["seeds"],
    script:
        "../scripts/fit_blink_baselines.py"
