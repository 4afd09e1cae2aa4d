"""Inputs and outputs of the pre-training rules (functions only, included before them).

The grid is dataset x pretext x features x fraction x seed: every enabled blink data set, the
configured pretext tasks (vigilance.pretrain.pretexts), feature sets and driver fractions (the
smaller fractions only on pretrain.fraction_feature_sets), and the global seeds. The thesis' figures and tables (masked rows) need ``row`` among the pretexts;
every other pretext gets its aggregated curves and final values.
"""

from vigilance.blink.format import FEATURE_SETS
from vigilance.pretrain.pretext_names import PRETEXT_NAMES

PRETRAIN = config["pretrain"]


def pretrain_datasets():
    """The blink data sets pre-trained on (none when the part is off)."""
    if not PRETRAIN["enabled"]:
        return []
    return [name for name in blink_datasets() if pretrain_feature_sets(name)]


def pretrain_feature_sets(dataset):
    """The pre-training feature sets this data set is run with (both lists allow them)."""
    allowed = BLINK["datasets"][dataset]["feature_sets"]
    return [f for f in PRETRAIN["feature_sets"] if f in allowed]


def pretrain_widths(wildcards):
    """Feature counts of the data set's pre-training feature sets (the sweep must fit all)."""
    return [len(FEATURE_SETS[f]) for f in pretrain_feature_sets(wildcards.dataset)]


def pretrain_fractions(features):
    """Driver fractions a feature set is pre-trained at: every configured one for the sets in
    pretrain.fraction_feature_sets; the largest only for the others (no figure or claim reads
    them at a smaller pool, and each such run costs a full pre-training; a fine-tuning init
    that needs one is built on demand)."""
    if features in PRETRAIN["fraction_feature_sets"]:
        return PRETRAIN["fractions"]
    return [max(PRETRAIN["fractions"])]


def pretrain_runs(wildcards):
    """Metrics files of every run of one data set's grid of one pretext."""
    run = "results/pretrain/{dataset}/{pretext}/{features}/frac{fraction:g}/seed{seed}/metrics.csv"
    return [
        run.format(**wildcards, features=features, fraction=fraction, seed=seed)
        for features in pretrain_feature_sets(wildcards.dataset)
        for fraction in pretrain_fractions(features)
        for seed in config["seeds"]
    ]


def pretrain_replicate_of(wildcards):
    """Replicate r of a pre-training run: its seed's place among the seeds (it validates on
    the pre-training pool's group r mod G; vigilance.blink.splits)."""
    return config["seeds"].index(int(wildcards.seed))


def pretrain_inputs(wildcards):
    """A run's data and, when the grid uses the sweep's values, its best parameters."""
    base = f"results/blink/{wildcards.dataset}"
    files = {
        "blinks": f"{base}/clean/blinks.parquet",
        "manifest": f"{base}/splits/drivers.csv",
        "stats": f"{base}/normalisation.json",
    }
    if PRETRAIN["hyperparameters"] == "sweep":
        files["best"] = f"results/pretrain/{wildcards.dataset}/sweep/best_params.yaml"
    return files


def pretrain_outputs():
    """Every final output of the pre-training part."""
    outputs = []
    for name in pretrain_datasets():
        base = f"results/pretrain/{name}"
        outputs += [f"{base}/{pretext}/final.csv" for pretext in PRETRAIN["pretexts"]]
        outputs += pretrain_sweep_helpers(name)
        if "row" not in PRETRAIN["pretexts"]:
            continue
        outputs += [
            f"{base}/figures/fig4_1_calibration.png",
            f"{base}/figures/fig4_2_fraction.png",
            f"{base}/figures/fig4_3_baselines.png",
            f"{base}/figures/fig3_3_masking.png",
            f"{base}/figures/fig3_4_importance.png",
            f"{base}/tables/table3_1_sweep.html",
            f"{base}/tables/findings.html",
        ]
    return outputs


# ---- the sweep over workers (vigilance.evaluation.sweeps) ----


def pretrain_sweep_folder(wildcards):
    """The sweep's folder (journal, reservation lock, workers' summaries)."""
    return f"results/pretrain/{wildcards.dataset}/sweep"


def pretrain_sweep_storage(wildcards):
    """The shared study storage: pretrain.sweep.storage (an RDB URL) or a journal file."""
    from vigilance.evaluation.sweeps import storage_spec

    return storage_spec(pretrain_sweep_folder(wildcards), PRETRAIN["sweep"]["storage"])


def pretrain_sweep_stale_after_s():
    """Running trials older than a worker job may live belong to a lost worker."""
    return runtime("train") * 60


def pretrain_sweep_helpers(dataset):
    """The summaries of the sweep's helper workers 1 .. W-1 (final outputs).

    Only worker 0, the lead, feeds the gather step; the helpers share its study and nothing
    depends on them, so changing pretrain.sweep.workers reruns nothing already computed.
    """
    return expand(
        "results/pretrain/{dataset}/sweep/workers/worker{worker}.json",
        dataset=dataset,
        worker=range(1, PRETRAIN["sweep"]["workers"]),
    )
