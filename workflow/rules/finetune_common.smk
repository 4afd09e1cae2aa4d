"""Inputs and outputs of the fine-tuning rules (functions only, included before them).

The grid (issue 5): the unfreezing strategies on the encoder pre-trained on all drivers; the
three inits (pretrained_all, pretrained_half, scratch) with the best strategy; and the labelled
share of the fine-tuning training drivers x {pretrained_all, scratch}; every point over the
global seeds, on each enabled blink data set. Scratch runs train everything from epoch 0 and
carry the strategy name ``full``.
"""

FINETUNE = config["finetune"]
SCRATCH_STRATEGY = "full"
ENCODER_FRACTION = {"pretrained_all": "1", "pretrained_half": "0.5"}


def finetune_datasets():
    """The blink data sets fine-tuned on (none when this part or pre-training is off)."""
    if not (FINETUNE["enabled"] and PRETRAIN["enabled"]):
        return []
    return [
        name for name in pretrain_datasets() if FINETUNE["features"] in pretrain_feature_sets(name)
    ]


def finetune_points():
    """(init, strategy, share) of every point of the grid, each once, in a stable order."""
    best = FINETUNE["best_strategy"]
    points = [("pretrained_all", name, "1") for name in FINETUNE["strategies"]]
    points += [("pretrained_half", best, "1"), ("scratch", SCRATCH_STRATEGY, "1")]
    for share in FINETUNE["shares"]:
        points += [
            ("pretrained_all", best, f"{share:g}"),
            ("scratch", SCRATCH_STRATEGY, f"{share:g}"),
        ]
    return list(dict.fromkeys(points))


def finetune_run_dir(dataset, init, strategy, share, seed):
    return f"results/finetune/{dataset}/{init}/{strategy}/share{share}/seed{seed}"


def finetune_runs(wildcards):
    """The metrics and test scores of every run of one data set's grid."""
    files = []
    for init, strategy, share in finetune_points():
        for seed in config["seeds"]:
            base = finetune_run_dir(wildcards.dataset, init, strategy, share, seed)
            files += [f"{base}/metrics.csv", f"{base}/test.json"]
    return files


def finetune_predictions(wildcards):
    """Test predictions of the three inits at the best strategy and all labels (Figs 4.6-4.8)."""
    inits = {
        "pretrained_all": FINETUNE["best_strategy"],
        "pretrained_half": FINETUNE["best_strategy"],
        "scratch": SCRATCH_STRATEGY,
    }
    return {
        f"{init}_{seed}": f"{finetune_run_dir(wildcards.dataset, init, strategy, '1', seed)}/predictions.csv"
        for init, strategy in inits.items()
        for seed in config["seeds"]
    }


def _blink_data(dataset):
    base = f"results/blink/{dataset}"
    return {
        "blinks": f"{base}/clean/blinks.parquet",
        "manifest": f"{base}/splits/drivers.csv",
        "stats": f"{base}/normalisation.json",
    }


def _encoder(dataset, init, seed):
    features = FINETUNE["features"]
    fraction = ENCODER_FRACTION[init]
    pretext = FINETUNE["pretext"]
    return f"results/pretrain/{dataset}/{pretext}/{features}/frac{fraction}/seed{seed}/encoder.pt"


def finetune_inputs(wildcards):
    """A run's data, its encoder (pre-trained inits) and the hyper-parameters it needs."""
    files = _blink_data(wildcards.dataset)
    if wildcards.init == "scratch":
        if PRETRAIN["hyperparameters"] == "sweep":
            files["pretrain_best"] = f"results/pretrain/{wildcards.dataset}/sweep/best_params.yaml"
    else:
        files["encoder"] = _encoder(wildcards.dataset, wildcards.init, wildcards.seed)
    if FINETUNE["hyperparameters"] == "sweep":
        files["best"] = f"results/finetune/{wildcards.dataset}/sweep/best_params.yaml"
    return files


def finetune_schedule(wildcards):
    """A run's unfreezing schedule (scratch runs train everything from epoch 0)."""
    if wildcards.init == "scratch":
        return []
    return FINETUNE["strategies"][wildcards.strategy]


def finetune_scratch_pretrain(wildcards):
    """The pre-training settings a scratch run builds its encoder from (None: pre-trained)."""
    if wildcards.init != "scratch":
        return None
    return pick(PRETRAIN, "hyperparameters", "model", "training", "masking")


def finetune_sweep_inputs(wildcards):
    """The sweep's data and the encoder pre-trained on all drivers with the first seed."""
    return {
        **_blink_data(wildcards.dataset),
        "encoder": _encoder(wildcards.dataset, "pretrained_all", config["seeds"][0]),
    }


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
        ]
        if FINETUNE["hyperparameters"] == "sweep":
            outputs += [
                f"{base}/tables/table3_2_sweep.html",
                f"{base}/figures/fig3_7_importance.png",
                *finetune_sweep_helpers(name),
            ]
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
    if PRETRAIN["enabled"] and FINETUNE["features"] not in PRETRAIN["feature_sets"]:
        raise WorkflowError(
            f"config: finetune.features is {FINETUNE['features']!r}, which is not pre-trained; "
            f"expected one of pretrain.feature_sets ({', '.join(PRETRAIN['feature_sets'])})"
        )


check_finetune_config()


def finetune_rldd_enabled():
    """Fine-tuning runs on RLDD when both parts are on (RLDD pre-trains on its own folds)."""
    return FINETUNE["enabled"] and BLINK["rldd"]["enabled"]


def finetune_rldd_inputs(wildcards):
    """The RLDD files and, for the pre-trained init, the encoder of the same fold and seed."""
    files = {"rldd": rldd_inputs()}
    if wildcards.init == "pretrained":
        files["encoder"] = (
            f"results/pretrain/rldd/fold{wildcards.fold}/seed{wildcards.seed}/encoder.pt"
        )
    return files


def finetune_rldd_runs():
    """Test scores of every RLDD run: init x test fold x seed."""
    return expand(
        "results/finetune/rldd/{init}/fold{fold}/seed{seed}/test.json",
        init=["pretrained", "scratch"],
        fold=BLINK["rldd"]["folds"],
        seed=config["seeds"],
    )


def finetune_sweep_folder(wildcards):
    """The fine-tuning sweep's folder (journal, reservation lock, workers' summaries)."""
    return f"results/finetune/{wildcards.dataset}/sweep"


def finetune_sweep_storage(wildcards):
    """The shared study storage: finetune.sweep.storage (an RDB URL) or a journal file."""
    from vigilance.evaluation.sweeps import storage_spec

    return storage_spec(finetune_sweep_folder(wildcards), FINETUNE["sweep"]["storage"])


def finetune_sweep_stale_after_s():
    """Running trials older than a worker job may live belong to a lost worker."""
    return runtime("train") * 60


def finetune_sweep_helpers(dataset):
    """The summaries of the fine-tuning sweep's helper workers 1 .. W-1 (final outputs; only
    the lead, worker 0, feeds the gather step, as for pre-training)."""
    return expand(
        "results/finetune/{dataset}/sweep/workers/worker{worker}.json",
        dataset=dataset,
        worker=range(1, FINETUNE["sweep"]["workers"]),
    )
