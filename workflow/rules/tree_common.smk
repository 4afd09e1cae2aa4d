"""Inputs and outputs of the T-SCAF rules (functions only, included before them).

The grid is style x attention x training x seed: the tree with LASE-Net trained by
alternating updates serves Tables 2, 3 (both), 4 (alternating) and 5 (tree); the ablations
change the attention, the gradient-accumulation runs the training, the separate pair the style.
"""

TREE = config["tree"]


def tree_dataset():
    """The data set name: generated or folders."""
    return TREE["data"]["source"]


def tree_runs():
    """(style, attention, training) of every run of the grid, the shared run once."""
    runs = [("tree", "both", "alternating")]
    runs += [("tree", a, "alternating") for a in TREE["ablations"]]
    runs += [("tree", "both", f"accum{w:g}") for w in TREE["weights"]]
    runs += [("separate", "both", "alternating")]
    if ("tree", "none", "alternating") not in runs:
        runs.append(("tree", "none", "alternating"))  # the t-SNE without LASE-Net needs it
    return runs


def tree_run_files(name):
    """One file (metrics.csv, predictions.csv, ...) of every run and seed."""
    return [
        f"results/tree/{tree_dataset()}/{s}/{a}/{t}/seed{seed}/{name}"
        for s, a, t in tree_runs()
        for seed in config["seeds"]
    ]


def tree_main_files(name, attention="both"):
    """One file of the main tree (alternating updates) for every seed."""
    return [
        f"results/tree/{tree_dataset()}/tree/{attention}/alternating/seed{seed}/{name}"
        for seed in config["seeds"]
    ]


def tree_sequence_datasets():
    """Blink data sets of the sequence variant (none when it is off)."""
    if not TREE["sequence"]["enabled"]:
        return []
    return [name for name in blink_datasets() if name in TREE["sequence"]["datasets"]]


def tree_sequence_runs(dataset):
    """Metrics of the sequence variant's runs: single-task and tree, every seed."""
    return expand(
        "results/tree_sequence/{dataset}/{tasks}/seed{seed}/metrics.csv",
        dataset=dataset,
        tasks=["drowsiness", "drowsiness+identity"],
        seed=config["seeds"],
    )


def tree_outputs():
    """Every final output of the T-SCAF part."""
    base = f"results/tree/{tree_dataset()}"
    tables = ["table1_costs", "table2_accuracy", "table3_ablation", "table4_training"]
    tables += ["table5_tree_vs_separate", "findings"]
    return (
        [f"{base}/tables/{name}.html" for name in tables]
        + [f"{base}/figures/{name}.png" for name in ("roc", "tsne", "gradcam")]
        + [
            f"results/tree_sequence/{name}/tables/identity_helps.html"
            for name in tree_sequence_datasets()
        ]
    )


def tree_table(name, caption, label):
    """A table's HTML output, in the report under T-SCAF with its caption."""
    return report(
        f"results/tree/{{dataset}}/tables/{name}.html",
        caption=f"../../report/{caption}.rst",
        category="T-SCAF",
        subcategory="{dataset}",
        labels={"dataset": "{dataset}", "table": label},
    )
