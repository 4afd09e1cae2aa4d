"""Fine-tuning for drowsiness: sweep, the grid of runs, aggregation, figures and tables."""


# Light jobs reading a few CSV files: on a cluster they would only queue.
localrules:
    aggregate_finetuning,
    plot_finetuning_curves,
    plot_confusion_matrices,


wildcard_constraints:
    init=r"pretrained_all|pretrained_half|scratch",
    strategy=r"[a-z0-9_]+",
    share=r"[0-9.]+",


rule sweep_finetuning:
    input:
        unpack(finetune_sweep_inputs),
    output:
        "results/finetune/{dataset}/sweep/workers/worker{worker}.json",
    log:
        "logs/finetune/{dataset}/sweep/worker{worker}.log",
    benchmark:
        "results/benchmarks/finetune/{dataset}/sweep/worker{worker}.tsv"
    conda:
        "../../envs/train.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
        gpu=gpus(),
        gpu_model=gpu_model(),
    params:
        # Every key of finetune.sweep (workers and storage too), the fixed values of the
        # rest, and the one schedule the sweep fine-tunes with.
        sweep=FINETUNE["sweep"],
        features=FINETUNE["features"],
        evaluation=FINETUNE["evaluation"],
        head=FINETUNE["head"],
        training=FINETUNE["training"],
        best_strategy=FINETUNE["best_strategy"],
        schedule=FINETUNE["strategies"][FINETUNE["best_strategy"]],
        window=BLINK["window_length"],
        bins=BLINK["kss_bins"],
        device=config["device"],
        precision=config["precision"],
        deterministic=config["deterministic"],
        storage=finetune_sweep_storage,
        folder=finetune_sweep_folder,
        stale_after_s=finetune_sweep_stale_after_s(),
    script:
        "../scripts/sweep_finetuning.py"


rule gather_finetuning_sweep:
    input:
        finetune_sweep_workers,
    output:
        trials="results/finetune/{dataset}/sweep/trials.csv",
        importances="results/finetune/{dataset}/sweep/importances.csv",
        best="results/finetune/{dataset}/sweep/best_params.yaml",
    log:
        "logs/finetune/{dataset}/sweep/gather.log",
    conda:
        "../../envs/train.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        part="finetune",
        # What names the study and fills in the best trial's fixed values (not workers,
        # storage: how the sweep was run).
        section={
            "sweep": omit(FINETUNE["sweep"], "workers", "storage"),
            **pick(FINETUNE, "head", "training"),
        },
        storage=finetune_sweep_storage,
    script:
        "../scripts/gather_sweep.py"


rule finetune_model:
    input:
        unpack(finetune_inputs),
    output:
        model="results/finetune/{dataset}/{init}/{strategy}/share{share}/seed{seed}/model.pt",
        metrics="results/finetune/{dataset}/{init}/{strategy}/share{share}/seed{seed}/metrics.csv",
        test="results/finetune/{dataset}/{init}/{strategy}/share{share}/seed{seed}/test.json",
        predictions="results/finetune/{dataset}/{init}/{strategy}/share{share}/seed{seed}/predictions.csv",
        run="results/finetune/{dataset}/{init}/{strategy}/share{share}/seed{seed}/run.json",
    log:
        "logs/finetune/{dataset}/{init}/{strategy}/share{share}/seed{seed}/train.log",
    benchmark:
        "results/benchmarks/finetune/{dataset}/{init}/{strategy}/share{share}/seed{seed}.tsv"
    conda:
        "../../envs/train.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
        gpu=gpus(),
        gpu_model=gpu_model(),
    params:
        features=FINETUNE["features"],
        evaluation=FINETUNE["evaluation"],
        hyperparameters=FINETUNE["hyperparameters"],
        head=FINETUNE["head"],
        training=FINETUNE["training"],
        schedule=finetune_schedule,
        scratch_pretrain=finetune_scratch_pretrain,
        window=BLINK["window_length"],
        bins=BLINK["kss_bins"],
        device=config["device"],
        precision=config["precision"],
        deterministic=config["deterministic"],
    script:
        "../scripts/finetune_model.py"


rule aggregate_finetuning:
    input:
        finetune_runs,
    output:
        curves="results/finetune/{dataset}/curves.csv",
        test="results/finetune/{dataset}/test.csv",
    log:
        "logs/finetune/{dataset}/aggregate.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    script:
        "../scripts/aggregate_finetuning.py"


rule plot_finetuning_curves:
    input:
        curves="results/finetune/{dataset}/curves.csv",
        test="results/finetune/{dataset}/test.csv",
    output:
        strategies=report(
            "results/finetune/{dataset}/figures/fig4_4_strategies.png",
            caption="../../report/finetune_fig4_4.rst",
            category="Fine-tuning",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "4.4 unfreezing strategies"},
        ),
        inits=report(
            "results/finetune/{dataset}/figures/fig4_5_inits.png",
            caption="../../report/finetune_fig4_5.rst",
            category="Fine-tuning",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "4.5 pre-trained vs scratch"},
        ),
        efficiency=report(
            "results/finetune/{dataset}/figures/label_efficiency.png",
            caption="../../report/finetune_label_efficiency.rst",
            category="Fine-tuning",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "label efficiency"},
        ),
    log:
        "logs/finetune/{dataset}/figures/curves.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        strategies=list(FINETUNE["strategies"]),
        best_strategy=FINETUNE["best_strategy"],
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_finetuning_curves.py"


rule plot_confusion_matrices:
    input:
        unpack(finetune_predictions),
    output:
        pretrained_all=report(
            "results/finetune/{dataset}/figures/fig4_6_confusion_pretrained_all.png",
            caption="../../report/finetune_confusion.rst",
            category="Fine-tuning",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "4.6 confusion, pre-trained (all)"},
        ),
        pretrained_half=report(
            "results/finetune/{dataset}/figures/fig4_7_confusion_pretrained_half.png",
            caption="../../report/finetune_confusion.rst",
            category="Fine-tuning",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "4.7 confusion, pre-trained (half)"},
        ),
        scratch=report(
            "results/finetune/{dataset}/figures/fig4_8_confusion_scratch.png",
            caption="../../report/finetune_confusion.rst",
            category="Fine-tuning",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "4.8 confusion, scratch"},
        ),
    log:
        "logs/finetune/{dataset}/figures/confusion.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        bins=BLINK["kss_bins"],
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_finetuning_confusion.py"
