"""T-SCAF evaluation: costs (Table 1), aggregation, Tables 2-5 and findings, ROC, t-SNE, Grad-CAM."""


# Light jobs reading a few CSV files: on a cluster they would only queue.
localrules:
    aggregate_tree,
    tabulate_tree,
    plot_tree_roc,
    tabulate_tree_sequence,


rule count_tree_costs:
    output:
        csv="results/tree/{dataset}/tables/table1_costs.csv",
        html=report(
            "results/tree/{dataset}/tables/table1_costs.html",
            caption="../../report/tree_table1.rst",
            category="T-SCAF",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "table": "1 size and FLOPs"},
        ),
    log:
        "logs/tree/{dataset}/tables/table1_costs.log",
    conda:
        "../../envs/train.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        model=TREE["model"],
    script:
        "../scripts/count_tree_costs.py"


rule aggregate_tree:
    input:
        lambda wildcards: tree_run_files("metrics.csv"),
    output:
        "results/tree/{dataset}/final.csv",
    log:
        "logs/tree/{dataset}/aggregate.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    script:
        "../scripts/aggregate_tree.py"


rule tabulate_tree:
    input:
        final="results/tree/{dataset}/final.csv",
        costs="results/tree/{dataset}/tables/table1_costs.csv",
    output:
        table2="results/tree/{dataset}/tables/table2_accuracy.csv",
        table3="results/tree/{dataset}/tables/table3_ablation.csv",
        table4="results/tree/{dataset}/tables/table4_training.csv",
        table5="results/tree/{dataset}/tables/table5_tree_vs_separate.csv",
        findings="results/tree/{dataset}/tables/findings.csv",
        table2_html=tree_table("table2_accuracy", "tree_table2", "2 accuracy"),
        table3_html=tree_table("table3_ablation", "tree_table3", "3 ablation"),
        table4_html=tree_table("table4_training", "tree_table4", "4 training"),
        table5_html=tree_table("table5_tree_vs_separate", "tree_table5", "5 tree vs separate"),
        findings_html=tree_table("findings", "tree_findings", "findings"),
    log:
        "logs/tree/{dataset}/tables/tables.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        root=TREE["model"]["root"]["name"],
    script:
        "../scripts/tabulate_tree.py"


rule plot_tree_roc:
    input:
        lambda wildcards: tree_main_files("predictions.csv"),
    output:
        report(
            "results/tree/{dataset}/figures/roc.png",
            caption="../../report/tree_roc.rst",
            category="T-SCAF",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "ROC per task"},
        ),
    log:
        "logs/tree/{dataset}/figures/roc.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_tree_roc.py"


rule plot_tree_tsne:
    input:
        without=lambda wildcards: tree_main_files("features.npz", "none")[0],
        lase=lambda wildcards: tree_main_files("features.npz")[0],
    output:
        report(
            "results/tree/{dataset}/figures/tsne.png",
            caption="../../report/tree_tsne.rst",
            category="T-SCAF",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "t-SNE of fatigue features"},
        ),
    log:
        "logs/tree/{dataset}/figures/tsne.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        dpi=config["figures"]["dpi"],
        perplexity=TREE["tsne_perplexity"],
        seed=config["seeds"][0],
    script:
        "../scripts/plot_tree_tsne.py"


rule explain_tree_branches:
    input:
        model=lambda wildcards: tree_main_files("model.pt")[0],
        fatigue="results/tree/{dataset}/data/fatigue.npz",
    output:
        report(
            "results/tree/{dataset}/figures/gradcam.png",
            caption="../../report/tree_gradcam.rst",
            category="T-SCAF",
            subcategory="{dataset}",
            labels={"dataset": "{dataset}", "figure": "Grad-CAM per branch"},
        ),
    log:
        "logs/tree/{dataset}/figures/gradcam.log",
    conda:
        "../../envs/train.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    params:
        dpi=config["figures"]["dpi"],
        images=TREE["explain_images"],
    script:
        "../scripts/explain_tree_branches.py"


rule tabulate_tree_sequence:
    input:
        lambda wildcards: tree_sequence_runs(wildcards.dataset),
    output:
        csv="results/tree_sequence/{dataset}/tables/identity_helps.csv",
        html=report(
            "results/tree_sequence/{dataset}/tables/identity_helps.html",
            caption="../../report/tree_sequence.rst",
            category="T-SCAF",
            subcategory="sequences: {dataset}",
            labels={"dataset": "{dataset}", "table": "does identity help drowsiness?"},
        ),
    log:
        "logs/tree_sequence/{dataset}/tables/identity_helps.log",
    conda:
        "../../envs/analysis.yaml"
    resources:
        mem_mb=mem_mb("default"),
        runtime=runtime("default"),
    script:
        "../scripts/tabulate_tree_sequence.py"
