"""T-SCAF data and training: generated or imported face sets, one training job per grid point."""


wildcard_constraints:
    style=r"tree|separate",
    attention=r"none|se|la|both",
    training=r"alternating|accum0\.\d+",


rule generate_tree_faces:
    output:
        fatigue="results/tree/generated/data/fatigue.npz",
        identity="results/tree/generated/data/identity.npz",
        pairs="results/tree/generated/data/pairs.npz",
        sizes="results/tree/generated/data/sizes.json",
    log:
        "logs/tree/generated/data/generate.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        generator=TREE["data"]["generator"],
        seed=TREE["data"]["seed"],
    script:
        "../scripts/generate_tree_faces.py"


rule import_tree_folders:
    output:
        fatigue="results/tree/folders/data/fatigue.npz",
        identity="results/tree/folders/data/identity.npz",
        pairs="results/tree/folders/data/pairs.npz",
        sizes="results/tree/folders/data/sizes.json",
    log:
        "logs/tree/folders/data/import.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        data=omit(TREE["data"], "generator", "source"),
    script:
        "../scripts/import_tree_folders.py"


rule train_tree:
    input:
        fatigue="results/tree/{dataset}/data/fatigue.npz",
        identity="results/tree/{dataset}/data/identity.npz",
        pairs="results/tree/{dataset}/data/pairs.npz",
    output:
        model="results/tree/{dataset}/{style}/{attention}/{training}/seed{seed}/model.pt",
        metrics="results/tree/{dataset}/{style}/{attention}/{training}/seed{seed}/metrics.csv",
        predictions="results/tree/{dataset}/{style}/{attention}/{training}/seed{seed}/predictions.csv",
        features="results/tree/{dataset}/{style}/{attention}/{training}/seed{seed}/features.npz",
        run="results/tree/{dataset}/{style}/{attention}/{training}/seed{seed}/run.json",
    log:
        "logs/tree/{dataset}/{style}/{attention}/{training}/seed{seed}/train.log",
    benchmark:
        "results/benchmarks/tree/{dataset}/{style}/{attention}/{training}/seed{seed}.tsv"
    conda:
        "../../envs/train.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
        gpu=gpus(),
        gpu_model=gpu_model(),
    params:
        model=TREE["model"],
        training=TREE["training"],
        device=config["device"],
        deterministic=config["deterministic"],
    script:
        "../scripts/train_tree.py"


rule train_tree_sequence:
    input:
        blinks="results/blink/{dataset}/clean/blinks.parquet",
        manifest="results/blink/{dataset}/splits/drivers.csv",
        stats="results/blink/{dataset}/normalisation.json",
    output:
        metrics="results/tree_sequence/{dataset}/{tasks}/seed{seed}/metrics.csv",
        run="results/tree_sequence/{dataset}/{tasks}/seed{seed}/run.json",
    log:
        "logs/tree_sequence/{dataset}/{tasks}/seed{seed}/train.log",
    benchmark:
        "results/benchmarks/tree_sequence/{dataset}/{tasks}/seed{seed}.tsv"
    wildcard_constraints:
        tasks=r"drowsiness|drowsiness\+identity",
    conda:
        "../../envs/train.yaml"
    threads: train_threads()
    resources:
        mem_mb=mem_mb("train"),
        runtime=runtime("train"),
        gpu=gpus(),
        gpu_model=gpu_model(),
    params:
        sequence=omit(TREE["sequence"], "enabled", "datasets", "features"),
        features=TREE["sequence"]["features"],
        window=BLINK["window_length"],
        deterministic=config["deterministic"],
    script:
        "../scripts/train_tree_sequence.py"
