"""Pre-train one encoder (dataset x pretext x features x fraction x seed); resume if stopped."""

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from vigilance.core.config import config_hash
from vigilance.core.device import describe_device, resolve_device
from vigilance.core.io import atomic_path, write_json
from vigilance.core.logs import script_context
from vigilance.core.seeding import seed_everything
from vigilance.core.settings import settings_from
from vigilance.pretrain.data import load_pretrain_data
from vigilance.pretrain.hparams import build_configs, resolve_params
from vigilance.pretrain.pretexts import make_pretext
from vigilance.pretrain.train import Trainer


@dataclass(frozen=True)
class Params:
    """The rule's params: where the hyper-parameters come from, their config values, the
    masking (row) or this pretext's settings, the window length and the device settings."""

    hyperparameters: str
    model: dict
    training: dict
    masking: dict
    pretext_settings: dict
    window: int
    device: str
    precision: str
    deterministic: bool
    replicate: int

    @property
    def section(self) -> dict:
        """The keys of the ``pretrain`` section the run reads, shaped as that section."""
        keys = ("hyperparameters", "model", "training", "masking")
        return {key: getattr(self, key) for key in keys}


def main(snakemake) -> None:
    w, out = snakemake.wildcards, snakemake.output
    with script_context(snakemake) as log:
        p = settings_from(Params, snakemake.params, snakemake.rule)
        seed = int(w.seed)
        seed_everything(seed, p.deterministic)
        device = resolve_device(p.device)
        inputs = snakemake.input
        train, val, n = load_pretrain_data(
            inputs.blinks, inputs.manifest, inputs.stats, w.features, float(w.fraction),
            p.window, device, continuations=w.pretext == "next_sequence", replicate=p.replicate,
        )  # fmt: skip
        pretext = make_pretext(w.pretext, p.masking, {w.pretext: p.pretext_settings})
        params = resolve_params(p.section, inputs.get("best"))
        configs = build_configs(params, n, p.window, p.masking, p.precision)
        identity = {
            "params": params,
            "masking": p.masking,
            "stats": json.loads(Path(inputs.stats).read_text()),
            "replicate": p.replicate,
        }
        if w.pretext != "row":  # row keeps the fingerprint of its checkpoints before pretexts
            identity["pretext"] = {"name": w.pretext, "settings": p.pretext_settings}
        fingerprint = config_hash(identity)
        trainer = Trainer(
            *configs,
            seed=seed,
            device=device,
            original_features=min(9, n),
            fingerprint=fingerprint,
            pretext=pretext,
        )
        log.info(
            "%d training, %d validation windows on %s; %s", len(train), len(val), device, params
        )
        started = time.perf_counter()
        state = Path(out.encoder).parent / "state" / "last.pt"
        rows = trainer.fit(train, val, state_path=state)
        with atomic_path(out.metrics) as tmp:
            pd.DataFrame(rows).to_csv(tmp, index=False)
        trainer.save_encoder(
            out.encoder,
            {
                "pretext": w.pretext,
                "features": w.features,
                "fraction": float(w.fraction),
                "seed": seed,
                "window": p.window,
            },
        )
        write_json(
            out.run,
            {
                "seconds": time.perf_counter() - started,
                "params": params,
                "best_val_loss": trainer.best,
                "epochs": trainer.epoch,
                "windows": {"train": len(train), "val": len(val)},
                **describe_device(device),
            },
        )
        state.unlink(missing_ok=True)  # only an unfinished run needs its checkpoint


main(snakemake)  # noqa: F821 - injected by Snakemake
