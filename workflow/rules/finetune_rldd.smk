"""Fine-tuning on UTA-RLDD (when blink.rldd is enabled): subject folds, 3-level target, and
the trivial and classical rows of its table on the same folds."""


# The results table reads the runs' small JSON files: on a cluster it would only queue.
localrules:
    tabulate_finetuning_rldd,


rule pretrain_rldd_encoder:
    input:
        unpack(rldd_pretrain_inputs),
    output:
        encoder="results/pretrain/rldd/{pretext}/fold{fold}/seed{seed}/encoder.pt",
        metrics="results/pretrain/rldd/{pretext}/fold{fold}/seed{seed}/metrics.csv",
        run="results/pretrain/rldd/{pretext}/fold{fold}/seed{seed}/run.json",
    log:
        "logs/pretrain/rldd/{pretext}/fold{fold}/seed{seed}/train.log",
    benchmark:
        "results/benchmarks/pretrain/rldd/{pretext}/fold{fold}/seed{seed}.tsv"
    wildcard_constraints:
        # The pretexts RLDD's windows allow (next_sequence needs recordings: see the schema).
        pretext=r"row|feature",
        fold=r"\d+",
    conda:
        "../../envs/train.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
        gpu=gpus(),
        gpu_model=gpu_model(),
    params:
        folder=lambda wildcards, input: str(Path(input.rldd[0]).parent),
        folds=BLINK["rldd"]["folds"],
        normalise=BLINK["rldd"]["normalise"],
        # Other data sets' pre-training pools, mapped onto RLDD's features (or none).
        pools=BLINK["rldd"]["pretrain_pools"],
        pool_stride=BLINK["rldd"]["pool_stride"],
        baseline_minutes=BLINK["calibration_minutes"],
        # The config's architecture: the blink sweep's best may not fit RLDD's 4 features.
        model=PRETRAIN["model"],
        training=PRETRAIN["training"],
        masking=PRETRAIN["masking"],
        # Only this pretext's settings (row reads masking), as in pretrain_encoder.
        pretext_settings=lambda wildcards: PRETRAIN["pretext_settings"].get(wildcards.pretext, {}),
        device=config["device"],
        precision=config["precision"],
        deterministic=config["deterministic"],
    script:
        "../scripts/pretrain_rldd_encoder.py"


rule finetune_rldd:
    input:
        unpack(finetune_rldd_inputs),
    output:
        metrics="results/finetune/rldd/{init}/fold{fold}/seed{seed}/metrics.csv",
        test="results/finetune/rldd/{init}/fold{fold}/seed{seed}/test.json",
        predictions="results/finetune/rldd/{init}/fold{fold}/seed{seed}/predictions.csv",
        run="results/finetune/rldd/{init}/fold{fold}/seed{seed}/run.json",
    log:
        "logs/finetune/rldd/{init}/fold{fold}/seed{seed}/train.log",
    benchmark:
        "results/benchmarks/finetune/rldd/{init}/fold{fold}/seed{seed}.tsv"
    wildcard_constraints:
        init=r"scratch|pretrained-(row|feature)",
        fold=r"\d+",
    conda:
        "../../envs/train.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
        gpu=gpus(),
        gpu_model=gpu_model(),
    params:
        folder=lambda wildcards, input: str(Path(input.rldd[0]).parent),
        folds=BLINK["rldd"]["folds"],
        normalise=BLINK["rldd"]["normalise"],
        # The config's values with RLDD's own (finetune.rldd, chosen on its validation folds):
        # the blink sweep's best is for another data set.
        head=FINETUNE["head"] | pick(FINETUNE["rldd"], "pooling"),
        training=FINETUNE["training"] | pick(FINETUNE["rldd"], "epochs", "patience"),
        schedule=FINETUNE["rldd"]["schedule"],
        scratch_pretrain=lambda wildcards: (
            pick(PRETRAIN, "model", "training", "masking") if wildcards.init == "scratch" else None
        ),
        device=config["device"],
        precision=config["precision"],
        deterministic=config["deterministic"],
    script:
        "../scripts/finetune_rldd.py"


rule score_rldd_baselines:
    # The trivial and classical rows, per test fold on the fine-tuning's split (cheap: one job).
    input:
        rldd_inputs(),
    output:
        test="results/finetune/rldd/baselines/test.csv",
        validation="results/finetune/rldd/baselines/validation.csv",
    log:
        "logs/finetune/rldd/baselines.log",
    benchmark:
        "results/benchmarks/finetune/rldd/baselines.tsv"
    conda:
        "../../envs/train.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        folder=lambda wildcards, input: str(Path(input[0]).parent),
        folds=BLINK["rldd"]["folds"],
        classifiers=BLINK["baselines"]["models"],
        regressors=FINETUNE["baselines"]["models"],
        forest_trees=BLINK["baselines"]["forest_trees"],
        trees=FINETUNE["baselines"]["trees"],
        # The randomised candidates' seed: the rows are per fold, the same for every seed.
        seed=config["seeds"][0],
    script:
        "../scripts/score_rldd_baselines.py"


rule tabulate_finetuning_rldd:
    input:
        runs=finetune_rldd_runs(),
        baselines="results/finetune/rldd/baselines/test.csv",
    output:
        csv="results/finetune/rldd/tables/results.csv",
        html=report(
            "results/finetune/rldd/tables/results.html",
            caption="../../report/finetune_rldd.rst",
            category="Fine-tuning",
            subcategory="rldd",
            labels={"dataset": "rldd", "table": "3-level results"},
        ),
    log:
        "logs/finetune/rldd/tables/results.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    script:
        "../scripts/tabulate_finetuning_rldd.py"
