"""Fine-tuning for drowsiness: sweep, the grid of runs, aggregation, figures and tables."""


# Light jobs reading a few CSV files: on a cluster they would only queue.
localrules:
    aggregate_finetuning,
    plot_finetuning_curves,
    plot_confusion_matrices,
    choose_finetuning_strategy,
    copy_chosen_finetuning_run,


wildcard_constraints:
    init=r"pretrained_all|pretrained_half|scratch|pretrained-[a-z_]+",
    strategy=r"[a-z0-9_]+",
    share=r"[0-9.]+",
    fold=r"\d+",


# The chosen strategy's runs with all labels are its grid runs: copied, not trained again.
ruleorder: copy_chosen_finetuning_run > finetune_model


rule sweep_finetuning:
    # sweep/: the pre-trained arm; scratch_sweep/: the scratch arm (same space and budget).
    input:
        unpack(finetune_sweep_inputs),
    output:
        "results/finetune/{dataset}/{sweep}/workers/worker{worker}.json",
    log:
        "logs/finetune/{dataset}/{sweep}/worker{worker}.log",
    benchmark:
        "results/benchmarks/finetune/{dataset}/{sweep}/worker{worker}.tsv"
    wildcard_constraints:
        sweep=r"sweep|scratch_sweep",
    conda:
        "../../envs/train.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
        gpu=gpus(),
        gpu_model=gpu_model(),
    params:
        # finetune.sweep but how it is run (workers, storage), the fixed values of the rest,
        # the arm, the one schedule the pre-trained arm fine-tunes with, and the pre-training
        # settings the scratch arm builds its model from.
        init=finetune_sweep_init,
        scratch_pretrain=finetune_sweep_scratch_pretrain,
        sweep=omit(FINETUNE["sweep"], "workers", "storage"),
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
        # The lead worker only: the helpers share its study (see finetune_sweep_helpers).
        "results/finetune/{dataset}/{sweep}/workers/worker0.json",
    output:
        trials="results/finetune/{dataset}/{sweep}/trials.csv",
        importances="results/finetune/{dataset}/{sweep}/importances.csv",
        best="results/finetune/{dataset}/{sweep}/best_params.yaml",
    log:
        "logs/finetune/{dataset}/{sweep}/gather.log",
    wildcard_constraints:
        sweep=r"sweep|scratch_sweep",
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
        model="results/finetune/{dataset}/{init}/{strategy}/share{share}/fold{fold}/seed{seed}/model.pt",
        metrics="results/finetune/{dataset}/{init}/{strategy}/share{share}/fold{fold}/seed{seed}/metrics.csv",
        test="results/finetune/{dataset}/{init}/{strategy}/share{share}/fold{fold}/seed{seed}/test.json",
        predictions="results/finetune/{dataset}/{init}/{strategy}/share{share}/fold{fold}/seed{seed}/predictions.csv",
        run="results/finetune/{dataset}/{init}/{strategy}/share{share}/fold{fold}/seed{seed}/run.json",
    log:
        "logs/finetune/{dataset}/{init}/{strategy}/share{share}/fold{fold}/seed{seed}/train.log",
    benchmark:
        "results/benchmarks/finetune/{dataset}/{init}/{strategy}/share{share}/fold{fold}/seed{seed}.tsv"
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


rule choose_finetuning_strategy:
    input:
        unpack(finetune_strategy_runs),
    output:
        choice="results/finetune/{dataset}/chosen_strategy.yaml",
        csv="results/finetune/{dataset}/tables/strategy_choice.csv",
        html=report(
            "results/finetune/{dataset}/tables/strategy_choice.html",
            caption="../../report/finetune_strategy_choice.rst",
            category="Fine-tuning",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "table": "unfreezing strategy: chosen and thesis"},
        ),
    log:
        "logs/finetune/{dataset}/chosen_strategy.log",
    conda:
        "../../envs/train.yaml"  # reads the runs through vigilance.finetune (torch)
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        strategies=FINETUNE["strategies"],
        best_strategy=FINETUNE["best_strategy"],
        strategy_choice=FINETUNE["strategy_choice"],
    script:
        "../scripts/choose_finetuning_strategy.py"


rule copy_chosen_finetuning_run:
    input:
        unpack(finetune_chosen_run_inputs),
    output:
        **{
            name: f"results/finetune/{{dataset}}/pretrained_all/chosen/share1/fold{{fold}}/seed{{seed}}/{file}"
            for name, file in RUN_FILES.items()
        },
    log:
        "logs/finetune/{dataset}/pretrained_all/chosen/share1/fold{fold}/seed{seed}/copy.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    script:
        "../scripts/copy_chosen_finetuning_run.py"


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
        best_strategy=finetune_init_strategy(),
        pretext=FINETUNE["pretext"],
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
