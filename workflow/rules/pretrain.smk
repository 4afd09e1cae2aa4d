"""Self-supervised pre-training: sweep, grid of encoders, aggregation, figures and tables."""


# Light jobs reading a few CSV files: on a cluster they would only queue.
localrules:
    aggregate_pretraining,
    plot_pretraining_curves,
    tabulate_pretraining,
    plot_sweep_importances,


wildcard_constraints:
    fraction=r"[0-9.]+",
    pretext="|".join(PRETEXT_NAMES),
    worker=r"\d+",


rule sweep_pretraining:
    input:
        "results/blink/{dataset}/clean/blinks.parquet",
        "results/blink/{dataset}/splits/drivers.csv",
        "results/blink/{dataset}/normalisation.json",
    output:
        "results/pretrain/{dataset}/sweep/workers/worker{worker}.json",
    log:
        "logs/pretrain/{dataset}/sweep/worker{worker}.log",
    benchmark:
        "results/benchmarks/pretrain/{dataset}/sweep/worker{worker}.tsv"
    conda:
        "../../envs/train.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
        gpu=gpus(),
        gpu_model=gpu_model(),
    params:
        # pretrain.sweep but how it is run (workers, storage: a new helper worker reruns no
        # worker), the fixed values of the rest.
        sweep=omit(PRETRAIN["sweep"], "workers", "storage"),
        model=PRETRAIN["model"],
        training=PRETRAIN["training"],
        masking=PRETRAIN["masking"],
        features=lambda wildcards: pretrain_feature_sets(wildcards.dataset)[0],
        widths=pretrain_widths,
        window=BLINK["window_length"],
        device=config["device"],
        precision=config["precision"],
        deterministic=config["deterministic"],
        storage=pretrain_sweep_storage,
        folder=pretrain_sweep_folder,
        stale_after_s=pretrain_sweep_stale_after_s(),
    script:
        "../scripts/sweep_pretraining.py"


rule gather_pretraining_sweep:
    input:
        # The lead worker only: the helpers share its study (see pretrain_sweep_helpers).
        "results/pretrain/{dataset}/sweep/workers/worker0.json",
    output:
        trials="results/pretrain/{dataset}/sweep/trials.csv",
        importances="results/pretrain/{dataset}/sweep/importances.csv",
        best="results/pretrain/{dataset}/sweep/best_params.yaml",
    log:
        "logs/pretrain/{dataset}/sweep/gather.log",
    conda:
        "../../envs/train.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        part="pretrain",
        # What names the study and fills in the best trial's fixed values: not how the
        # sweep was run (workers, storage), so that changing those does not rerun this.
        section={
            "sweep": omit(PRETRAIN["sweep"], "workers", "storage"),
            **pick(PRETRAIN, "model", "training", "masking"),
        },
        storage=pretrain_sweep_storage,
    script:
        "../scripts/gather_sweep.py"


rule pretrain_encoder:
    input:
        unpack(pretrain_inputs),
    output:
        encoder="results/pretrain/{dataset}/{pretext}/{features}/frac{fraction}/seed{seed}/encoder.pt",
        metrics="results/pretrain/{dataset}/{pretext}/{features}/frac{fraction}/seed{seed}/metrics.csv",
        run="results/pretrain/{dataset}/{pretext}/{features}/frac{fraction}/seed{seed}/run.json",
    log:
        "logs/pretrain/{dataset}/{pretext}/{features}/frac{fraction}/seed{seed}/train.log",
    benchmark:
        "results/benchmarks/pretrain/{dataset}/{pretext}/{features}/frac{fraction}/seed{seed}.tsv"
    conda:
        "../../envs/train.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
        gpu=gpus(),
        gpu_model=gpu_model(),
    params:
        hyperparameters=PRETRAIN["hyperparameters"],
        model=PRETRAIN["model"],
        training=PRETRAIN["training"],
        masking=PRETRAIN["masking"],
        # Only this pretext's settings, so that changing another's reruns nothing here.
        pretext_settings=lambda wildcards: PRETRAIN["pretext_settings"].get(wildcards.pretext, {}),
        # The seed's place among the seeds: its validation group of the pre-training pool.
        replicate=pretrain_replicate_of,
        window=BLINK["window_length"],
        device=config["device"],
        precision=config["precision"],
        deterministic=config["deterministic"],
    script:
        "../scripts/pretrain_encoder.py"


rule aggregate_pretraining:
    input:
        pretrain_runs,
    output:
        curves="results/pretrain/{dataset}/{pretext}/curves.csv",
        final="results/pretrain/{dataset}/{pretext}/final.csv",
    log:
        "logs/pretrain/{dataset}/{pretext}/aggregate.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    script:
        "../scripts/aggregate_pretraining.py"


rule plot_pretraining_curves:
    input:
        # The thesis' figures and tables are those of masked-row modelling.
        curves="results/pretrain/{dataset}/row/curves.csv",
    output:
        calibration=report(
            "results/pretrain/{dataset}/figures/fig4_1_calibration.png",
            caption="../../report/pretrain_fig4_1.rst",
            category="Pre-training",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "4.1 calibration features"},
        ),
        fraction=report(
            "results/pretrain/{dataset}/figures/fig4_2_fraction.png",
            caption="../../report/pretrain_fig4_2.rst",
            category="Pre-training",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "4.2 all vs half"},
        ),
        baselines=report(
            "results/pretrain/{dataset}/figures/fig4_3_baselines.png",
            caption="../../report/pretrain_fig4_3.rst",
            category="Pre-training",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "4.3 vs baselines"},
        ),
    log:
        "logs/pretrain/{dataset}/figures/curves.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_pretraining_curves.py"


rule tabulate_pretraining:
    input:
        trials="results/pretrain/{dataset}/sweep/trials.csv",
        best="results/pretrain/{dataset}/sweep/best_params.yaml",
        # The thesis' figures and tables are those of masked-row modelling.
        curves="results/pretrain/{dataset}/row/curves.csv",
    output:
        sweep_csv="results/pretrain/{dataset}/tables/table3_1_sweep.csv",
        sweep_html=report(
            "results/pretrain/{dataset}/tables/table3_1_sweep.html",
            caption="../../report/pretrain_table3_1.rst",
            category="Pre-training",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "table": "3.1 sweep"},
        ),
        findings_csv="results/pretrain/{dataset}/tables/findings.csv",
        findings_html=report(
            "results/pretrain/{dataset}/tables/findings.html",
            caption="../../report/pretrain_findings.rst",
            category="Pre-training",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "table": "findings"},
        ),
    log:
        "logs/pretrain/{dataset}/tables/tables.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        space=PRETRAIN["sweep"]["space"],
        margins=PRETRAIN["margins"],
    script:
        "../scripts/tabulate_pretraining.py"


rule plot_sweep_importances:
    input:
        "results/pretrain/{dataset}/sweep/importances.csv",
    output:
        report(
            "results/pretrain/{dataset}/figures/fig3_4_importance.png",
            caption="../../report/pretrain_fig3_4.rst",
            category="Pre-training",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "3.4 importance"},
        ),
    log:
        "logs/pretrain/{dataset}/figures/importance.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        part="pre-training",
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_sweep_importances.py"


rule plot_masking_example:
    input:
        "results/blink/{dataset}/clean/blinks.parquet",
        "results/blink/{dataset}/splits/drivers.csv",
        "results/blink/{dataset}/normalisation.json",
    output:
        report(
            "results/pretrain/{dataset}/figures/fig3_3_masking.png",
            caption="../../report/pretrain_fig3_3.rst",
            category="Pre-training",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "3.3 masking example"},
        ),
    log:
        "logs/pretrain/{dataset}/figures/masking.log",
    conda:
        "../../envs/train.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        masking=PRETRAIN["masking"],
        window=BLINK["window_length"],
        seed=config["seeds"][0],
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_masking_example.py"
