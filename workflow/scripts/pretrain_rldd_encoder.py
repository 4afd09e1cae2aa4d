"""Pre-train an encoder on the RLDD training folds of one test fold (masked modelling)."""

import time

import pandas as pd

from vigilance.blink.rldd import RLDD_WINDOW, RLDDWindows
from vigilance.device import describe_device, resolve_device
from vigilance.finetune.rldd import FoldView, fold_roles
from vigilance.io import atomic_path, write_json
from vigilance.logs import script_context
from vigilance.pretrain.hparams import build_configs, flat_defaults
from vigilance.pretrain.train import Trainer
from vigilance.seeding import seed_everything


def main(snakemake) -> None:
    p, w, out = snakemake.params, snakemake.wildcards, snakemake.output
    with script_context(snakemake) as log:
        seed = int(w.seed)
        seed_everything(seed, p.deterministic)
        device = resolve_device(p.device)
        windows = RLDDWindows.from_folder(p.folder, p.folds, device)
        train_folds, val_fold = fold_roles(list(p.folds), int(w.fold))
        train, val = FoldView(windows, train_folds), FoldView(windows, [val_fold])
        # The config's architecture: the blink sweep's best may not fit RLDD's 4 features.
        params = flat_defaults(p.pretrain)
        n = windows.x.shape[2]
        configs = build_configs(params, n, RLDD_WINDOW, p.pretrain["masking"], p.precision)
        trainer = Trainer(*configs, seed=seed, device=device, original_features=n)
        log.info("folds %s train, %d validation: %d / %d windows", train_folds, val_fold,
                 len(train), len(val))  # fmt: skip
        started = time.perf_counter()
        rows = trainer.fit(train, val)
        with atomic_path(out.metrics) as tmp:
            pd.DataFrame(rows).to_csv(tmp, index=False)
        trainer.save_encoder(out.encoder, {"fold": int(w.fold), "seed": seed})
        write_json(out.run, {"seconds": time.perf_counter() - started, "params": params,
                             **describe_device(device)})  # fmt: skip


main(snakemake)  # noqa: F821 - injected by Snakemake
