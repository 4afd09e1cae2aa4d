"""Multi-task learning (thesis 004): stand-in data, windows, the dataset x method x seed grid,
trivial and classical baselines, aggregation, Tables 4.1 / 4.2 with findings, and Figures 3.5
to 3.7 and 4.1 to 4.5 (as the thesis numbers them: 4.1 / 4.4 OPPORTUNITY, 4.2 / 4.5 DEAP)."""


# The download runs where Snakemake runs (compute nodes often cannot reach the internet); the
# aggregation, tables and curves read small CSV files: on a cluster they would only queue.
localrules:
    download_opportunity,
    aggregate_mtl_runs,
    tabulate_mtl_results,
    plot_mtl_opportunity_curves,
    plot_mtl_deap_curves,


wildcard_constraints:
    source=r"opportunity|deap|gaze",
    clipping=r"clipped|unclipped",
    method=r"[A-Za-z][A-Za-z0-9_]*",


rule generate_opportunity_data:
    output:
        mtl_generated_files("opportunity"),
    log:
        "logs/mtl/generated/opportunity.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        settings=MTL["opportunity"]["generator"],
    script:
        "../scripts/generate_mtl_data.py"


rule generate_deap_data:
    output:
        mtl_generated_files("deap"),
    log:
        "logs/mtl/generated/deap.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        settings=MTL["deap"]["generator"],
    script:
        "../scripts/generate_mtl_data.py"


rule prepare_mtl_windows:
    input:
        mtl_source_inputs,
    output:
        windows="results/mtl/{source}/windows_{clipping}.npz",
        summary="results/mtl/{source}/windows_{clipping}.json",
    log:
        "logs/mtl/{source}/windows_{clipping}.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        folder=lambda wildcards: mtl_folder(wildcards.source),
        settings=lambda wildcards: mtl_window_settings(wildcards.source),
    script:
        "../scripts/prepare_mtl_windows.py"


rule train_mtl_model:
    input:
        windows=mtl_windows,
    output:
        model=f"{MTL_RUN}/model.pt",
        metrics=f"{MTL_RUN}/metrics.csv",
        predictions=f"{MTL_RUN}/predictions.csv",
        stitch=f"{MTL_RUN}/stitch.csv",
        run=f"{MTL_RUN}/run.json",
    log:
        "logs/mtl/{dataset}/{method}/seed{seed}/train.log",
    benchmark:
        "results/benchmarks/mtl/{dataset}/{method}/seed{seed}.tsv"
    wildcard_constraints:
        dataset=MTL_DATASET,
    conda:
        "../../envs/train.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
        gpu=gpus(),
        gpu_model=gpu_model(),
    params:
        method=lambda wildcards: mtl_methods(wildcards.dataset)[wildcards.method],
        model=lambda wildcards: mtl_settings(wildcards.dataset)["model"],
        training=lambda wildcards: mtl_settings(wildcards.dataset)["training"],
        main_tasks=lambda wildcards: mtl_settings(wildcards.dataset)["main_tasks"],
        split=lambda wildcards: mtl_split(wildcards.dataset),
        device=config["device"],
        precision=config["precision"],
        deterministic=config["deterministic"],
    script:
        "../scripts/train_mtl_model.py"


rule aggregate_mtl_runs:
    input:
        mtl_runs,
    output:
        curves="results/mtl/{dataset}/curves.csv",
        runs="results/mtl/{dataset}/runs.csv",
        stitch="results/mtl/{dataset}/stitch.csv",
    log:
        "logs/mtl/{dataset}/aggregate.log",
    wildcard_constraints:
        dataset=MTL_DATASET,
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        methods=lambda wildcards: {
            name: {k: spec[k] for k in ("clip", "dense_dropout")}
            for name, spec in mtl_methods(wildcards.dataset).items()
        },
    script:
        "../scripts/aggregate_mtl_runs.py"


rule fit_mtl_baselines:
    input:
        windows=mtl_dataset_windows,
    output:
        "results/mtl/{dataset}/baselines.csv",
    log:
        "logs/mtl/{dataset}/baselines.log",
    wildcard_constraints:
        dataset=MTL_DATASET,
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        main_tasks=lambda wildcards: mtl_settings(wildcards.dataset)["main_tasks"],
        seeds=config["seeds"],
        split=lambda wildcards: mtl_split(wildcards.dataset),
    script:
        "../scripts/fit_mtl_baselines.py"


rule tabulate_mtl_results:
    input:
        curves="results/mtl/{dataset}/curves.csv",
        runs="results/mtl/{dataset}/runs.csv",
        baselines="results/mtl/{dataset}/baselines.csv",
    output:
        results_csv="results/mtl/{dataset}/tables/results.csv",
        results_html=mtl_report(
            "results/mtl/{dataset}/tables/results.html", "mtl_results", "Tables 4.1 / 4.2"
        ),
        findings_csv="results/mtl/{dataset}/tables/findings.csv",
        findings_html=mtl_report(
            "results/mtl/{dataset}/tables/findings.html", "mtl_findings", "findings"
        ),
    log:
        "logs/mtl/{dataset}/tables.log",
    wildcard_constraints:
        dataset=MTL_DATASET,
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        main_metric=lambda wildcards: mtl_settings(wildcards.dataset)["main_metric"],
        main_tasks=lambda wildcards: mtl_settings(wildcards.dataset)["main_tasks"],
        table_epochs=lambda wildcards: mtl_settings(wildcards.dataset)["table_epochs"],
        equivalence_margin=MTL["opportunity"]["equivalence_margin"],
        equivalence_reason=MTL["opportunity"]["equivalence_reason"],
    script:
        "../scripts/tabulate_mtl_results.py"


rule plot_mtl_opportunity_curves:
    input:
        curves="results/mtl/opportunity/curves.csv",
        runs="results/mtl/opportunity/runs.csv",
        stitch="results/mtl/opportunity/stitch.csv",
    output:
        hps=mtl_report("results/mtl/opportunity/figures/fig4_1_hps.png", "mtl_fig4_1", "4.1 HPS"),
        sps=mtl_report("results/mtl/opportunity/figures/fig4_3_sps.png", "mtl_fig4_3", "4.3 SPS"),
        csn=mtl_report("results/mtl/opportunity/figures/fig4_4_csn.png", "mtl_fig4_4", "4.4 CSN"),
        baselines=mtl_report(
            "results/mtl/opportunity/figures/fig3_6_baselines.png", "mtl_fig3_6", "3.6 baselines"
        ),
        clipping=mtl_report(
            "results/mtl/opportunity/figures/fig3_7_clipping.png", "mtl_fig3_7", "3.7 clipping"
        ),
    log:
        "logs/mtl/opportunity/figures/curves.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        main_metric=MTL["opportunity"]["main_metric"],
        main_tasks=MTL["opportunity"]["main_tasks"],
        last_epochs=MTL["opportunity"]["last_epochs"],
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_mtl_curves.py"


rule plot_mtl_deap_curves:
    input:
        curves="results/mtl/{dataset}/curves.csv",
        runs="results/mtl/{dataset}/runs.csv",
        stitch="results/mtl/{dataset}/stitch.csv",
    output:
        hps=mtl_report("results/mtl/{dataset}/figures/fig4_2_hps.png", "mtl_fig4_2", "4.2 HPS"),
        sps=mtl_report("results/mtl/{dataset}/figures/fig4_3_sps.png", "mtl_fig4_3", "4.3 SPS"),
        csn=mtl_report("results/mtl/{dataset}/figures/fig4_5_csn.png", "mtl_fig4_5", "4.5 CSN"),
    log:
        "logs/mtl/{dataset}/figures/curves.log",
    wildcard_constraints:
        dataset=r"deap-windows|deap-trials|gaze",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        main_metric=lambda wildcards: mtl_settings(wildcards.dataset)["main_metric"],
        main_tasks=lambda wildcards: mtl_settings(wildcards.dataset)["main_tasks"],
        last_epochs=lambda wildcards: mtl_settings(wildcards.dataset)["last_epochs"],
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_mtl_curves.py"


rule plot_mtl_spikes:
    input:
        mtl_source_inputs,
    output:
        mtl_report("results/mtl/{dataset}/figures/fig3_5_spikes.png", "mtl_fig3_5", "3.5 spikes"),
    log:
        "logs/mtl/{dataset}/figures/spikes.log",
    wildcard_constraints:
        dataset=MTL_DATASET,
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        folder=lambda wildcards: mtl_folder(MTL_SOURCES[wildcards.dataset]),
        clip_sigmas=lambda wildcards: mtl_settings(wildcards.dataset)["clip_sigmas"],
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_mtl_spikes.py"


rule download_opportunity:
    output:
        folder=directory("results/mtl/download/opportunity"),
        source="results/mtl/download/opportunity.json",
    log:
        "logs/mtl/download/opportunity.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        url=MTL["opportunity"]["url"],
        sha256=MTL["opportunity"]["sha256"],
    script:
        "../scripts/download_opportunity.py"
