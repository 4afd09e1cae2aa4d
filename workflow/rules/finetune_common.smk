"""Inputs and outputs of the fine-tuning rules (functions only, included before them).

The grid (issue 5): the unfreezing strategies on the encoder pre-trained on all drivers; the
three inits (pretrained_all, pretrained_half, scratch) with the best strategy; and the labelled
share of the fine-tuning training drivers x {pretrained_all, scratch}; every point over the
fine-tuning seeds (``finetune.seeds``) on every outer fold of the labelled drivers
(``blink.splits.folds``: ``splits/fold<k>/drivers.csv``), on each enabled blink data set; the
replicates of a point are its folds x seeds. Scratch runs train everything from epoch 0 and
carry the strategy name ``full``.

The best strategy (issue 14): under ``finetune.strategy_choice: run`` it is chosen from this
run's strategy grid (``chosen_strategy.yaml``, rule choose_finetuning_strategy); the init and
share runs carry the strategy name ``chosen`` and read their schedule from that file, so their
paths are known when the DAG is built and they depend on the strategy runs (no checkpoint
rule: a dry run shows the whole grid). The ``pretrained_all/chosen/share1`` runs are the chosen
strategy's grid runs, copied (same schedule, seed and data: the same run). Under ``thesis``
they use ``finetune.best_strategy`` by name, as typed into config.

Hyper-parameters (``finetune.hyperparameters: sweep``): both arms are tuned alike, each by its
own sweep of the same space and budget: ``sweep/`` on the encoder pre-trained on all drivers
(with ``best_strategy``'s schedule: the sweep precedes the strategy grid), ``scratch_sweep/``
for the scratch arm (no encoder). Otherwise neither arm is swept.
"""

FINETUNE = config["finetune"]
SCRATCH_STRATEGY = "full"
CHOSEN_STRATEGY = "chosen"
SWEEP_DIRS = {"pretrained_all": "sweep", "scratch": "scratch_sweep"}
ENCODER_FRACTION = {"pretrained_all": "1", "pretrained_half": "0.5"}
# The replicates of every point: outer folds x fine-tuning seeds.
FINETUNE_FOLDS = list(range(BLINK["splits"]["folds"]))
FINETUNE_SEEDS = FINETUNE["seeds"] or config["seeds"]
# The pretext axis: finetune.pretext's runs are pretrained_all; every other pretext of
# finetune.pretexts is the init pretrained-<pretext> (all drivers, the chosen strategy).
PRETEXT_INITS = {
    f"pretrained-{name}": name for name in FINETUNE["pretexts"] if name != FINETUNE["pretext"]
}


def finetune_datasets():
    """The blink data sets fine-tuned on (none when this part or pre-training is off)."""
    if not (FINETUNE["enabled"] and PRETRAIN["enabled"]):
        return []
    return [
        name for name in pretrain_datasets() if FINETUNE["features"] in pretrain_feature_sets(name)
    ]


def finetune_init_strategy():
    """The strategy name of the init comparison and the label-efficiency grid: ``chosen``
    (this run's choice) or the thesis' ``best_strategy``."""
    if FINETUNE["strategy_choice"] == "run":
        return CHOSEN_STRATEGY
    return FINETUNE["best_strategy"]


def finetune_points():
    """(init, strategy, share) of every point of the grid, each once, in a stable order."""
    best = finetune_init_strategy()
    points = [("pretrained_all", name, "1") for name in FINETUNE["strategies"]]
    points += [("pretrained_half", best, "1"), ("scratch", SCRATCH_STRATEGY, "1")]
    for share in FINETUNE["shares"]:
        points += [
            ("pretrained_all", best, f"{share:g}"),
            ("scratch", SCRATCH_STRATEGY, f"{share:g}"),
        ]
        points += [(init, best, f"{share:g}") for init in PRETEXT_INITS]
    return list(dict.fromkeys(points))


def finetune_run_dir(dataset, init, strategy, share, fold, seed):
    return f"results/finetune/{dataset}/{init}/{strategy}/share{share}/fold{fold}/seed{seed}"


def finetune_replicates():
    """(fold, seed) of every replicate of a point."""
    return [(fold, seed) for fold in FINETUNE_FOLDS for seed in FINETUNE_SEEDS]


def finetune_runs(wildcards):
    """The metrics and test scores of every run of one data set's grid."""
    files = []
    for init, strategy, share in finetune_points():
        for fold, seed in finetune_replicates():
            base = finetune_run_dir(wildcards.dataset, init, strategy, share, fold, seed)
            files += [f"{base}/metrics.csv", f"{base}/test.json"]
    return files


def finetune_predictions(wildcards):
    """Test predictions of the three inits at the best strategy and all labels (Figs 4.6-4.8)."""
    inits = {
        "pretrained_all": finetune_init_strategy(),
        "pretrained_half": finetune_init_strategy(),
        "scratch": SCRATCH_STRATEGY,
    }
    files = {}
    for init, strategy in inits.items():
        for fold, seed in finetune_replicates():
            base = finetune_run_dir(wildcards.dataset, init, strategy, "1", fold, seed)
            files[f"{init}_{fold}_{seed}"] = f"{base}/predictions.csv"
    return files


def _blink_data(dataset, fold):
    """A data set's blinks, the split manifest of one outer fold and the normalisation (the
    same for every fold: fitted on the pre-training pool)."""
    base = f"results/blink/{dataset}"
    return {
        "blinks": f"{base}/clean/blinks.parquet",
        "manifest": f"{base}/splits/fold{fold}/drivers.csv",
        "stats": f"{base}/normalisation.json",
    }


def _encoder(dataset, init, seed):
    """The encoder a pre-trained init starts from (pretrained-<pretext>: all drivers)."""
    features = FINETUNE["features"]
    fraction = ENCODER_FRACTION.get(init, "1")
    pretext = PRETEXT_INITS.get(init, FINETUNE["pretext"])
    return f"results/pretrain/{dataset}/{pretext}/{features}/frac{fraction}/seed{seed}/encoder.pt"


def _pretrain_best(dataset):
    """The pre-training sweep's best, which a scratch model's architecture comes from."""
    if PRETRAIN["hyperparameters"] == "sweep":
        return {"pretrain_best": f"results/pretrain/{dataset}/sweep/best_params.yaml"}
    return {}


def finetune_inputs(wildcards):
    """A run's data, its encoder (pre-trained inits), its arm's hyper-parameters and, for the
    strategy ``chosen``, the choice it reads its schedule from."""
    files = _blink_data(wildcards.dataset, wildcards.fold)
    if wildcards.init == "scratch":
        files.update(_pretrain_best(wildcards.dataset))
    else:
        files["encoder"] = _encoder(wildcards.dataset, wildcards.init, wildcards.seed)
    if FINETUNE["hyperparameters"] == "sweep":
        arm = SWEEP_DIRS["scratch" if wildcards.init == "scratch" else "pretrained_all"]
        files["best"] = f"results/finetune/{wildcards.dataset}/{arm}/best_params.yaml"
    if wildcards.strategy == CHOSEN_STRATEGY:
        files["chosen"] = finetune_choice_file(wildcards.dataset)
    return files


def finetune_schedule(wildcards):
    """A run's unfreezing schedule (scratch runs train everything from epoch 0; None: read
    from the choice file)."""
    if wildcards.init == "scratch":
        return []
    if wildcards.strategy == CHOSEN_STRATEGY:
        return None
    return FINETUNE["strategies"][wildcards.strategy]


def finetune_choice_file(dataset):
    return f"results/finetune/{dataset}/chosen_strategy.yaml"


def finetune_strategy_runs(wildcards):
    """The selected epoch and validation measures of every strategy run (all labels), keyed
    ``<strategy>-<fold>-<seed>-<kind>``."""
    files = {}
    for name in FINETUNE["strategies"]:
        for fold, seed in finetune_replicates():
            base = finetune_run_dir(wildcards.dataset, "pretrained_all", name, "1", fold, seed)
            files[f"{name}-{fold}-{seed}-metrics"] = f"{base}/metrics.csv"
            files[f"{name}-{fold}-{seed}-test"] = f"{base}/test.json"
    return files


def finetune_chosen_run_inputs(wildcards):
    """The choice and every strategy's run of this fold and seed (the chosen one is copied)."""
    files = {"chosen": finetune_choice_file(wildcards.dataset)}
    for name in FINETUNE["strategies"]:
        base = finetune_run_dir(
            wildcards.dataset, "pretrained_all", name, "1", wildcards.fold, wildcards.seed
        )
        for output in RUN_FILES:
            files[f"{name}-{output}"] = f"{base}/{RUN_FILES[output]}"
    return files


RUN_FILES = {
    "model": "model.pt",
    "metrics": "metrics.csv",
    "test": "test.json",
    "predictions": "predictions.csv",
    "run": "run.json",
}


def finetune_scratch_pretrain(wildcards):
    """The pre-training settings a scratch run builds its encoder from (None: pre-trained)."""
    if wildcards.init != "scratch":
        return None
    return pick(PRETRAIN, "hyperparameters", "model", "training", "masking")


def finetune_sweep_init(wildcards):
    """The arm a sweep tunes: ``sweep/`` the pre-trained one, ``scratch_sweep/`` scratch."""
    return {directory: init for init, directory in SWEEP_DIRS.items()}[wildcards.sweep]


def finetune_sweep_scratch_pretrain(wildcards):
    """The pre-training settings the scratch arm's sweep builds its models from (None: the
    pre-trained arm)."""
    if finetune_sweep_init(wildcards) != "scratch":
        return None
    return pick(PRETRAIN, "hyperparameters", "model", "training", "masking")


def finetune_sweep_inputs(wildcards):
    """The sweep's data (outer fold 0's train and validation drivers) and the encoder
    pre-trained on all drivers with the first seed (the scratch arm's sweep: the pre-training
    sweep's best, its architecture)."""
    files = _blink_data(wildcards.dataset, 0)
    if finetune_sweep_init(wildcards) == "scratch":
        return {**files, **_pretrain_best(wildcards.dataset)}
    return {**files, "encoder": _encoder(wildcards.dataset, "pretrained_all", config["seeds"][0])}


def finetune_outputs():
    """Every final output of the fine-tuning part."""
    outputs = []
    if finetune_rldd_enabled():
        outputs.append("results/finetune/rldd/tables/results.html")
    for name in finetune_datasets():
        base = f"results/finetune/{name}"
        outputs += [
            f"{base}/figures/fig4_4_strategies.png",
            f"{base}/figures/fig4_5_inits.png",
            f"{base}/figures/fig4_6_confusion_pretrained_all.png",
            f"{base}/figures/fig4_7_confusion_pretrained_half.png",
            f"{base}/figures/fig4_8_confusion_scratch.png",
            f"{base}/figures/label_efficiency.png",
            f"{base}/tables/results.html",
            f"{base}/tables/paired.html",
            f"{base}/tables/findings.html",
            f"{base}/tables/strategy_choice.html",
        ]
        if FINETUNE["hyperparameters"] == "sweep":
            outputs += [
                f"{base}/tables/table3_2_sweep.html",
                f"{base}/tables/table3_2_scratch_sweep.html",
                f"{base}/figures/fig3_7_importance.png",
            ]
            for directory in SWEEP_DIRS.values():
                outputs += finetune_sweep_helpers(name, directory)
    return outputs


def check_finetune_config():
    """Cross-key checks the schema cannot express."""
    if not FINETUNE["enabled"]:
        return
    if FINETUNE["best_strategy"] not in FINETUNE["strategies"]:
        raise WorkflowError(
            f"config: finetune.best_strategy is {FINETUNE['best_strategy']!r}; expected one of "
            f"finetune.strategies ({', '.join(FINETUNE['strategies'])})"
        )
    outside = sorted(set(FINETUNE_SEEDS) - set(config["seeds"]))
    if outside:
        raise WorkflowError(
            f"config: finetune.seeds has {outside}, which are not top-level seeds; expected a "
            f"subset of seeds ({config['seeds']}): a pre-trained init starts from the encoder "
            "of its seed"
        )
    if PRETRAIN["enabled"] and FINETUNE["features"] not in PRETRAIN["feature_sets"]:
        raise WorkflowError(
            f"config: finetune.features is {FINETUNE['features']!r}, which is not pre-trained; "
            f"expected one of pretrain.feature_sets ({', '.join(PRETRAIN['feature_sets'])})"
        )


check_finetune_config()


def finetune_rldd_enabled():
    """Fine-tuning runs on RLDD when both parts are on (RLDD pre-trains on its own folds)."""
    return FINETUNE["enabled"] and BLINK["rldd"]["enabled"]


def rldd_pretrain_inputs(wildcards):
    """RLDD's files and the clean blinks and split manifest of every configured pool."""
    files = {"rldd": rldd_inputs()}
    for name in BLINK["rldd"]["pretrain_pools"]:
        files[f"{name}_blinks"] = f"results/blink/{name}/clean/blinks.parquet"
        files[f"{name}_manifest"] = f"results/blink/{name}/splits/drivers.csv"
    return files


def finetune_rldd_inputs(wildcards):
    """The RLDD files and, for a pre-trained init (``pretrained-<pretext>``), the encoder of
    that pretext, fold and seed."""
    files = {"rldd": rldd_inputs()}
    if wildcards.init != "scratch":
        pretext = wildcards.init.removeprefix("pretrained-")
        files["encoder"] = (
            f"results/pretrain/rldd/{pretext}/fold{wildcards.fold}/seed{wildcards.seed}/encoder.pt"
        )
    return files


def finetune_rldd_inits():
    """The RLDD inits: scratch and one pre-trained init per blink.rldd.pretexts entry."""
    return ["scratch", *(f"pretrained-{pretext}" for pretext in BLINK["rldd"]["pretexts"])]


def finetune_rldd_runs():
    """Test scores of every RLDD run: init x test fold x seed."""
    return expand(
        "results/finetune/rldd/{init}/fold{fold}/seed{seed}/test.json",
        init=finetune_rldd_inits(),
        fold=BLINK["rldd"]["folds"],
        seed=config["seeds"],
    )


def finetune_sweep_folder(wildcards):
    """A fine-tuning sweep's folder (journal, reservation lock, workers' summaries)."""
    return f"results/finetune/{wildcards.dataset}/{wildcards.sweep}"


def finetune_sweep_storage(wildcards):
    """The shared study storage: finetune.sweep.storage (an RDB URL) or a journal file."""
    from vigilance.evaluation.sweeps import storage_spec

    return storage_spec(finetune_sweep_folder(wildcards), FINETUNE["sweep"]["storage"])


def finetune_sweep_stale_after_s():
    """Running trials older than a worker job may live belong to a lost worker."""
    return runtime("train") * 60


def finetune_sweep_helpers(dataset, directory="sweep"):
    """The summaries of a fine-tuning sweep's helper workers 1 .. W-1 (final outputs; only
    the lead, worker 0, feeds the gather step, as for pre-training)."""
    return expand(
        "results/finetune/{dataset}/{sweep}/workers/worker{worker}.json",
        dataset=dataset,
        sweep=directory,
        worker=range(1, FINETUNE["sweep"]["workers"]),
    )
