"""Fine-tuning on UTA-RLDD (when blink.rldd is enabled): subject folds, 3-level target."""


rule pretrain_rldd_encoder:
    input:
        rldd_inputs(),
    output:
        encoder="results/pretrain/rldd/fold{fold}/seed{seed}/encoder.pt",
        metrics="results/pretrain/rldd/fold{fold}/seed{seed}/metrics.csv",
        run="results/pretrain/rldd/fold{fold}/seed{seed}/run.json",
    log:
        "logs/pretrain/rldd/fold{fold}/seed{seed}/train.log",
    benchmark:
        "results/benchmarks/pretrain/rldd/fold{fold}/seed{seed}.tsv"
    conda:
        "../../envs/train.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
        gpu=gpus(),
        gpu_model=gpu_model(),
    params:
        folder=lambda wildcards, input: str(Path(input[0]).parent),
        folds=BLINK["rldd"]["folds"],
        pretrain=PRETRAIN,
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
        init=r"pretrained|scratch",
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
        finetune=FINETUNE,
        pretrain=PRETRAIN,
        device=config["device"],
        precision=config["precision"],
        deterministic=config["deterministic"],
    script:
        "../scripts/finetune_rldd.py"


rule tabulate_finetuning_rldd:
    input:
        finetune_rldd_runs(),
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
