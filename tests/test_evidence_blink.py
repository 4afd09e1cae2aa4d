"""Findings of theses 000/001 that could come out otherwise: valid search spaces, masked-row
scoring, verdict tables, baseline rows and a generator that poses the question."""

from __future__ import annotations

import copy
import functools
import warnings

import optuna
import pytest
import torch
import yaml
from conftest import CONFIGS

from vigilance.blink.format import FEATURE_SETS
from vigilance.core.errors import VigilanceError
from vigilance.finetune.hparams import build_configs as finetune_configs
from vigilance.finetune.hparams import flat_defaults as finetune_defaults
from vigilance.finetune.model import FinetuneModel
from vigilance.pretrain.hparams import (
    build_configs,
    check_space,
    flat_defaults,
    resolve_coupled,
    suggest_valid,
)
from vigilance.pretrain.model import PretrainModel
from vigilance.pretrain.sweep import suggest
from vigilance.pretrain.thesis import RANGES


@functools.cache
def _merged(name: str) -> dict:
    """A shipped config as Snakemake merges it (config.yaml, then the override file); shared
    between tests, so never modified."""

    def update(base, extra):
        out = copy.deepcopy(base)
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = update(out[key], value)
            else:
                out[key] = value
        return out

    config = yaml.safe_load(CONFIGS["default"].read_text())
    if name != "default":
        config = update(config, yaml.safe_load(CONFIGS[name].read_text()))
    return config


def _categorical_values(space: dict):
    for name, spec in space.items():
        if name not in RANGES:
            for value in spec:
                yield name, value


def _trial(space: dict, name: str, value, seed: int):
    """A trial whose ``name`` is fixed at ``value``, every other choice random."""
    if name == "head_hidden":
        value = "-".join(map(str, value))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.PartialFixedSampler(
            {name: value}, optuna.samplers.RandomSampler(seed=seed)
        )
    return optuna.create_study(sampler=sampler).ask()


optuna.logging.set_verbosity(optuna.logging.WARNING)
SPACES = [
    (config, name, value)
    for config in ("default", "ci", "paper")
    for name, value in _categorical_values(_merged(config)["pretrain"]["sweep"]["space"])
]


@pytest.mark.parametrize(("config", "name", "value"), SPACES)
def test_every_value_of_every_pretraining_space_builds_a_model(config, name, value):
    settings = _merged(config)
    pretrain = settings["pretrain"]
    widths = [len(FEATURE_SETS[f]) for f in pretrain["feature_sets"]]
    window = settings["blink"]["window_length"]
    fixed = flat_defaults(pretrain)
    for seed in range(2):  # the other choices at random: the coupling must hold for each
        trial = _trial(pretrain["sweep"]["space"], name, value, seed)
        params = {
            **fixed,
            **suggest_valid(trial, pretrain["sweep"]["space"], fixed, widths, suggest),
        }
        assert params[name] == value
        for width in widths:
            backbone, head, _, _ = build_configs(params, width, window, pretrain["masking"], "fp32")
            with torch.device("meta"):  # the shapes are checked, nothing is allocated
                PretrainModel(backbone, head)


@pytest.mark.parametrize("config", ["default", "ci", "paper"])
def test_every_value_of_every_finetuning_space_builds_a_model(config):
    settings = _merged(config)
    finetune, pretrain = settings["finetune"], settings["pretrain"]
    backbone = build_configs(
        flat_defaults(pretrain), 9, settings["blink"]["window_length"], pretrain["masking"], "fp32"
    )[0]
    space = finetune["sweep"]["space"]
    for name, value in _categorical_values(space):
        trial = _trial(space, name, value, 0)
        params = {**finetune_defaults(finetune), **suggest(trial, space)}
        head, _ = finetune_configs(params, "fp32")
        with torch.device("meta"):
            FinetuneModel(backbone, head)


def test_none_upscaling_draws_head_counts_that_divide_its_width():
    space = {"upscaling": ["none", "linear"], "n_heads": [2, 4, 8], "d_model": [32]}
    fixed = {"upscaling": "linear", "d_model": 32, "n_heads": 2, "upscaling_heads": 1}
    heads = set()
    for seed in range(20):
        trial = _trial(space, "upscaling", "none", seed)
        params = suggest_valid(trial, space, fixed, [9, 18], suggest)
        heads.add(params["n_heads"])
        assert trial.params["n_heads|upscaling=none"] == params["n_heads"]
        resolved = resolve_coupled({**fixed, **trial.params})
        assert resolved["n_heads"] == params["n_heads"]  # best_params.yaml resolves alike
    assert heads == {1, 3}  # the divisors of 9 (and 18) up to the largest offered count


def test_attention_concat_draws_an_embedding_wider_than_every_feature_set():
    space = {"upscaling": ["attention_concat", "linear"], "d_model": [12, 24]}
    fixed = {"upscaling": "linear", "d_model": 32, "n_heads": 2, "upscaling_heads": 1}
    for seed in range(10):
        trial = _trial(space, "upscaling", "attention_concat", seed)
        assert suggest_valid(trial, space, fixed, [9, 18], suggest)["d_model"] == 24
        linear = _trial(space, "upscaling", "linear", seed)
        assert "d_model|upscaling=linear" not in linear.params  # unrestricted there


@pytest.mark.parametrize(
    ("space", "field"),
    [
        ({"upscaling": ["attention_concat"], "d_model": [8, 16]}, "pretrain.sweep.space.d_model"),
        ({"upscaling": ["linear"], "d_model": [32], "n_heads": [2, 3]}, "space.n_heads"),
    ],
)
def test_a_value_no_trial_can_use_is_a_configuration_error(space, field):
    fixed = {"upscaling": "linear", "d_model": 32, "n_heads": 2, "upscaling_heads": 1}
    with pytest.raises(VigilanceError, match=field):
        check_space(space, fixed, [9, 18])
