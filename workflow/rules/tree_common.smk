"""Inputs and outputs of the T-SCAF rules (functions only, included before them).

The grid is split x style x attention x training x seed: on the first split of
``tree.splits`` (driver-wise by default) the tree with LASE-Net trained by alternating updates
serves Tables 2, 3 (both), 4 (alternating) and 5 (tree); the ablations change the attention,
the gradient-accumulation runs the training, the separate pair the style. Every other split
(the paper's frame-leaky 9:1) runs the main tree only, beside it in Table 2. The baselines run
once per split and seed, on the same test items.
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


def tree_primary_split():
    """The split of Tables 3-5 and the figures (the first of tree.splits)."""
    return TREE["splits"][0]


def tree_replicate(wildcards):
    """The replicate index of a seed: it tests fold (index mod folds) of its split."""
    return config["seeds"].index(int(wildcards.seed))


def tree_run_files(name):
    """One file (metrics.csv, ...) of every run and seed, every split."""
    base = f"results/tree/{tree_dataset()}"
    files = [
        f"{base}/{tree_primary_split()}/{s}/{a}/{t}/seed{seed}/{name}"
        for s, a, t in tree_runs()
        for seed in config["seeds"]
    ]
    files += [
        f"{base}/{split}/tree/both/alternating/seed{seed}/{name}"
        for split in TREE["splits"][1:]
        for seed in config["seeds"]
    ]
    return files


def tree_baseline_files(name="metrics.csv"):
    """One file of the baselines of every split and seed."""
    return expand(
        "results/tree/{dataset}/{split}/baselines/seed{seed}/{name}",
        dataset=tree_dataset(),
        split=TREE["splits"],
        seed=config["seeds"],
        name=name,
    )


def tree_main_files(name, attention="both"):
    """One file of the main tree (alternating updates, primary split) for every seed."""
    base = f"results/tree/{tree_dataset()}/{tree_primary_split()}"
    return [f"{base}/tree/{attention}/alternating/seed{seed}/{name}" for seed in config["seeds"]]


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
    tables += ["table5_tree_vs_separate", "auc", "findings"]
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
