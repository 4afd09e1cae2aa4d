"""Pre-train an encoder on the RLDD training folds of one test fold, by one pretext task, and
on the pre-training pools of the other blink data sets blink.rldd.pretrain_pools names."""

import time
from dataclasses import dataclass

import pandas as pd

from vigilance.blink.rldd import RLDD_WINDOW
from vigilance.blink.rldd_pool import StackedWindows, pool_windows
from vigilance.core.device import describe_device, resolve_device
from vigilance.core.io import atomic_path, write_json
from vigilance.core.logs import script_context
from vigilance.core.seeding import seed_everything
from vigilance.core.settings import settings_from
from vigilance.finetune.rldd import fold_views
from vigilance.pretrain.hparams import build_configs, flat_defaults
from vigilance.pretrain.pretexts import make_pretext
from vigilance.pretrain.train import Trainer


@dataclass(frozen=True)
class Params:
    """The rule's params: the RLDD folder and folds, the other data sets' pools (their window
    stride and per-driver baseline), the config's architecture, training and masking (row),
    this pretext's settings, the device settings."""

    folder: str
    folds: list
    normalise: bool
    pools: list
    pool_stride: int
    baseline_minutes: float
    model: dict
    training: dict
    masking: dict
    pretext_settings: dict
    device: str
    precision: str
    deterministic: bool


def main(snakemake) -> None:
    w, out = snakemake.wildcards, snakemake.output
    with script_context(snakemake) as log:
        p = settings_from(Params, snakemake.params, snakemake.rule)
        seed = int(w.seed)
        seed_everything(seed, p.deterministic)
        device = resolve_device(p.device)
        # Labels unused here; normalise: with the training folds' statistics only.
        views = fold_views(p.folder, p.folds, int(w.fold), device, p.normalise)
        train, val = views["train"], views["val"]
        n = train.windows.x.shape[2]
        pools = {}
        for name in p.pools:
            pools[name] = pool_windows(
                snakemake.input[f"{name}_blinks"],
                snakemake.input[f"{name}_manifest"],
                p.baseline_minutes,
                RLDD_WINDOW,
                p.pool_stride,
                train.windows.stats,
                device,
            )
            log.info("pool %s: %d windows (every %d-th)", name, len(pools[name]), p.pool_stride)
        sizes = {"rldd_training_folds": len(train), **{k: len(v) for k, v in pools.items()}}
        if pools:
            train = StackedWindows([train, *pools.values()])
        # The config's architecture: the blink sweep's best may not fit RLDD's 4 features.
        params = flat_defaults({"model": p.model, "training": p.training})
        configs = build_configs(params, n, RLDD_WINDOW, p.masking, p.precision)
        pretext = make_pretext(w.pretext, p.masking, {w.pretext: p.pretext_settings})
        trainer = Trainer(*configs, seed=seed, device=device, original_features=n, pretext=pretext)
        log.info(
            "test fold %s, pretext %s: %d training, %d validation windows",
            w.fold, w.pretext, len(train), len(val),
        )  # fmt: skip
        started = time.perf_counter()
        rows = trainer.fit(train, val)
        with atomic_path(out.metrics) as tmp:
            pd.DataFrame(rows).to_csv(tmp, index=False)
        trainer.save_encoder(out.encoder, {"fold": int(w.fold), "seed": seed, "pretext": w.pretext})
        write_json(out.run, {"seconds": time.perf_counter() - started, "params": params,
                             "pretext": w.pretext, "pretraining_windows": sizes,
                             **describe_device(device)})  # fmt: skip


main(snakemake)  # noqa: F821 - injected by Snakemake
