"""Inputs, outputs and the grid of the multi-task rules (functions only, included before them).

The grid is dataset x method x seed: the enabled experiments (opportunity, deap-windows,
deap-trials, gaze), each data set's named methods, and the global seeds. Generated stand-ins
are written by the workflow when a data set's path is empty.
"""

from vigilance.mtl.opportunity import RUNS, SUBJECTS

MTL = config["mtl"]
MTL_REPORT = "Multi-task learning"
MTL_SOURCES = {
    "opportunity": "opportunity",
    "deap-windows": "deap",
    "deap-trials": "deap",
    "gaze": "gaze",
}
MTL_RUN = "results/mtl/{dataset}/{method}/seed{seed}"
# The `dataset` wildcard of every multi-task rule, constrained in each of them: the other parts'
# data sets are named differently.
MTL_DATASET = "|".join(MTL_SOURCES)


def mtl_datasets():
    """The enabled experiments (the `dataset` wildcard's values)."""
    if not MTL["enabled"]:
        return []
    out = ["opportunity"] if MTL["opportunity"]["enabled"] else []
    if MTL["deap"]["enabled"]:
        out += [f"deap-{split}" for split in MTL["deap"]["splits"]]
    if MTL["gaze"]["enabled"]:
        out.append("gaze")
    return out


def mtl_settings(dataset):
    """The config section of an experiment's source data set."""
    return MTL[MTL_SOURCES[dataset]]


def mtl_methods(dataset):
    """Method name -> settings of an experiment."""
    return mtl_settings(dataset)["methods"]


def mtl_keys(dataset, *keys):
    """Only the named keys of an experiment's config section (a rule's exact params)."""
    section = mtl_settings(dataset)
    return {key: section[key] for key in keys if key in section}


# The keys vigilance.mtl.data.split and .prepare read, per source.
MTL_SPLIT_KEYS = {
    "opportunity": ("train_runs", "validation_runs", "test_runs"),
    "deap": ("test_share", "validation_share"),
    "gaze": (),
}
MTL_WINDOW_KEYS = {
    "opportunity": ("window", "step", "clip_sigmas"),
    "deap": ("window", "step", "threshold", "clip_sigmas"),
    "gaze": ("window", "step", "signal"),
}


def mtl_split(dataset):
    """The split settings of an experiment."""
    return mtl_keys(dataset, *MTL_SPLIT_KEYS[MTL_SOURCES[dataset]])


def mtl_window_settings(source):
    """The windowing settings of a source."""
    return {key: MTL[source][key] for key in MTL_WINDOW_KEYS[source]}


def mtl_dataset_windows(wildcards):
    """The windows of an experiment's data set variant (its clip setting)."""
    source = MTL_SOURCES[wildcards.dataset]
    clipping = "clipped" if MTL[source].get("clip", False) else "unclipped"
    return f"results/mtl/{source}/windows_{clipping}.npz"


def mtl_generated_files(source):
    """The generated stand-in's files of a source (opportunity or deap)."""
    if source == "opportunity":
        return [f"results/mtl/generated/opportunity/S{s}-{r}.dat" for s in SUBJECTS for r in RUNS]
    subjects = MTL["deap"]["generator"]["subjects"]
    return [f"results/mtl/generated/deap/s{k:02d}.dat" for k in range(1, subjects + 1)]


def mtl_folder(source):
    """Where a source's files are read from."""
    if source == "opportunity" and MTL["opportunity"]["download"]:
        return "results/mtl/download/opportunity"
    if source == "gaze":
        return MTL["gaze"]["path"] or gaze_folder()
    return MTL[source]["path"] or f"results/mtl/generated/{source}"


def mtl_source_inputs(wildcards):
    """Input of the preparing rule: generated files, the download, or nothing (a user path)."""
    source = wildcards.get("source") or MTL_SOURCES[wildcards.dataset]
    if source == "opportunity" and MTL["opportunity"]["download"]:
        return "results/mtl/download/opportunity"
    if source == "gaze":
        return [] if MTL["gaze"]["path"] else gaze_recordings()
    return [] if MTL[source]["path"] else mtl_generated_files(source)


def mtl_clipping(dataset, method):
    """The data variant (clipped or unclipped) a method trains on."""
    choice = mtl_methods(dataset)[method]["clip"]
    if choice == "dataset":
        return "clipped" if mtl_settings(dataset).get("clip", False) else "unclipped"
    return choice


def mtl_windows(wildcards):
    """The prepared windows a run trains on."""
    source = MTL_SOURCES[wildcards.dataset]
    clipping = mtl_clipping(wildcards.dataset, wildcards.method)
    return f"results/mtl/{source}/windows_{clipping}.npz"


def mtl_runs(wildcards):
    """Every run's files of one experiment (metrics, run facts, cross-stitch weights)."""
    return expand(
        f"{MTL_RUN}/{{file}}",
        dataset=wildcards.dataset,
        method=list(mtl_methods(wildcards.dataset)),
        seed=config["seeds"],
        file=["metrics.csv", "run.json", "stitch.csv"],
    )


# The thesis' figures per experiment: OPPORTUNITY has Figs 3.5-3.7, 4.1 (HPS), 4.3 (SPS) and
# 4.4 (CSN); DEAP (and gaze) Figs 4.2 (HPS), 4.3 (SPS) and 4.5 (CSN).
MTL_FIGURES = {
    "opportunity": {
        "hps": "fig4_1_hps",
        "sps": "fig4_3_sps",
        "csn": "fig4_4_csn",
        "baselines": "fig3_6_baselines",
        "clipping": "fig3_7_clipping",
    },
    "other": {"hps": "fig4_2_hps", "sps": "fig4_3_sps", "csn": "fig4_5_csn"},
}


def mtl_figures(dataset):
    """The figures of one experiment."""
    base = f"results/mtl/{dataset}/figures"
    names = list(MTL_FIGURES["opportunity" if dataset == "opportunity" else "other"].values())
    if dataset == "opportunity":
        names.append("fig3_5_spikes")
    return [f"{base}/{name}.png" for name in names]


def mtl_outputs():
    """Every final output of the multi-task part."""
    outputs = []
    for dataset in mtl_datasets():
        base = f"results/mtl/{dataset}/tables"
        outputs += [f"{base}/results.html", f"{base}/findings.html", *mtl_figures(dataset)]
    return outputs


def mtl_report(path, caption, label):
    """A report entry of the multi-task part (a figure or table of one experiment)."""
    kind = "table" if path.endswith(".html") else "figure"
    # results/mtl/<dataset>/...: the wildcard, or the literal name of a one-experiment rule.
    dataset = path.split("/")[2]
    return report(
        path,
        caption=f"../../report/{caption}.rst",
        category=MTL_REPORT,
        subcategory=dataset,
        labels={"dataset": dataset, kind: label},
    )


# The gaze experiment needs recordings: its own path, or the eye-tracking part's.
if MTL["enabled"] and MTL["gaze"]["enabled"]:
    try:
        if MTL["gaze"]["path"] or not config["eyetracking"]["download"]:
            recording_files(MTL["gaze"]["path"] or config["eyetracking"]["path"])
    except VigilanceError as err:
        raise WorkflowError(f"{err} (set mtl.gaze.path)") from None
