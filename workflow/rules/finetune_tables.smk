"""Fine-tuning tables: the trivial and classical rows, results with paired comparisons,
findings, Table 3.2 and Fig 3.7."""


rule score_finetuning_baselines:
    # One job per outer fold: the fold's test windows, its validation choosing the model.
    input:
        blinks="results/blink/{dataset}/clean/blinks.parquet",
        manifest="results/blink/{dataset}/splits/fold{fold}/drivers.csv",
        stats="results/blink/{dataset}/normalisation.json",
    output:
        "results/finetune/{dataset}/baselines/fold{fold}/test.csv",
    log:
        "logs/finetune/{dataset}/baselines/fold{fold}.log",
    benchmark:
        "results/benchmarks/finetune/{dataset}/baselines/fold{fold}.tsv"
    conda:
        "../../envs/train.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
    params:
        features=FINETUNE["features"],
        evaluation=FINETUNE["evaluation"],
        baselines=FINETUNE["baselines"],
        shares=FINETUNE["shares"],
        seeds=FINETUNE_SEEDS,
        window=BLINK["window_length"],
        bins=BLINK["kss_bins"],
    script:
        "../scripts/score_finetuning_baselines.py"


# Light jobs reading a few CSV files: on a cluster they would only queue.
localrules:
    tabulate_finetuning,
    tabulate_finetuning_sweep,
    plot_finetuning_importances,


rule tabulate_finetuning:
    input:
        curves="results/finetune/{dataset}/curves.csv",
        test="results/finetune/{dataset}/test.csv",
        baselines=expand(
            "results/finetune/{{dataset}}/baselines/fold{fold}/test.csv", fold=FINETUNE_FOLDS
        ),
    output:
        results_csv="results/finetune/{dataset}/tables/results.csv",
        results_html=report(
            "results/finetune/{dataset}/tables/results.html",
            caption="../../report/finetune_results.rst",
            category="Fine-tuning",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "table": "results (test set)"},
        ),
        paired_csv="results/finetune/{dataset}/tables/paired.csv",
        paired_html=report(
            "results/finetune/{dataset}/tables/paired.html",
            caption="../../report/finetune_paired.rst",
            category="Fine-tuning",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "table": "paired comparisons"},
        ),
        findings_csv="results/finetune/{dataset}/tables/findings.csv",
        findings_html=report(
            "results/finetune/{dataset}/tables/findings.html",
            caption="../../report/finetune_findings.rst",
            category="Fine-tuning",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "table": "findings"},
        ),
    log:
        "logs/finetune/{dataset}/tables/tables.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        strategies=FINETUNE["strategies"],
        best_strategy=finetune_init_strategy(),
        pretext=FINETUNE["pretext"],
    script:
        "../scripts/tabulate_finetuning.py"


rule tabulate_finetuning_sweep:
    # table3_2_sweep: the pre-trained arm's sweep; table3_2_scratch_sweep: the scratch arm's.
    input:
        trials="results/finetune/{dataset}/{sweep}/trials.csv",
        best="results/finetune/{dataset}/{sweep}/best_params.yaml",
    output:
        csv="results/finetune/{dataset}/tables/table3_2_{sweep}.csv",
        html=report(
            "results/finetune/{dataset}/tables/table3_2_{sweep}.html",
            caption="../../report/finetune_table3_2.rst",
            category="Fine-tuning",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "table": "3.2 {sweep}"},
        ),
    log:
        "logs/finetune/{dataset}/tables/{sweep}.log",
    wildcard_constraints:
        sweep=r"sweep|scratch_sweep",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        space=FINETUNE["sweep"]["space"],
    script:
        "../scripts/tabulate_finetuning_sweep.py"


rule plot_finetuning_importances:
    input:
        "results/finetune/{dataset}/sweep/importances.csv",
    output:
        report(
            "results/finetune/{dataset}/figures/fig3_7_importance.png",
            caption="../../report/finetune_fig3_7.rst",
            category="Fine-tuning",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "3.7 importance"},
        ),
    log:
        "logs/finetune/{dataset}/figures/importance.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        part="fine-tuning",
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_sweep_importances.py"
