"""Every named method of configs/paper.yaml is built as thesis 004's Tables C.1-C.8 describe.

The expected widths and parameter counts are written down from the tables' layer sizes, not
read from the models: a convolution with kernel k, F_in input and F_out output maps has
k * F_in * F_out + F_out parameters, a dense layer d_in * d_out + d_out, the input batch norm 2
(scale and shift; its running statistics are buffers), a T x T cross-stitch unit T^2. Lengths
after a "valid" convolution and a max-pool: floor((L - k + 1) / p).

OPPORTUNITY, input 64 x 107 (Table C.1): 64 -(11)-> 54 -/2-> 27 -(10)-> 18 -/3-> 6 -(6)-> 1,
so the flattened features are 30 x 1 x 107 = 3210. DEAP, input 128 x 40 (Table C.2):
128 -(8)-> 121 -/4-> 30 -(6)-> 25 -/3-> 8 -(4)-> 5 -/2-> 2, so 16 x 2 x 40 = 1280.
"""

from __future__ import annotations

import pytest
import torch
from conftest import CONFIGS
from snakemake.utils import update_config

from vigilance.core.config import load_yaml, validate_config
from vigilance.mtl.models import GroupedDense
from vigilance.mtl.opportunity import N_CLASSES
from vigilance.mtl.run import method_arch, method_tasks

OPP_TASKS = list(N_CLASSES)
DEAP_TASKS = ["valence", "arousal", "dominance", "liking"]


def conv(k, f_in, f_out):
    return k * f_in * f_out + f_out


def dense(d_in, d_out):
    return d_in * d_out + d_out


def stack(d_in, sizes, out):
    total = 0
    for size in sizes:
        total += dense(d_in, size)
        d_in = size
    return total + dense(d_in, out)


OPP_CONVS = 2 + conv(11, 1, 50) + conv(10, 50, 40) + conv(6, 40, 30)  # = 27872
DEAP_CONVS = 2 + conv(8, 1, 64) + conv(6, 64, 32) + conv(4, 32, 16)  # = 14962
OPP_FLAT, DEAP_FLAT = 3210, 1280


def opp_classes(tasks):
    return [N_CLASSES[t] for t in tasks]


# method -> (model, tasks, per-task dense widths after the trunk, shared widths, expected count)
STL_C1 = OPP_CONVS + stack(OPP_FLAT, [1000, 1000, 1000, 500, 500], 18)
HPS_C3 = OPP_CONVS + dense(OPP_FLAT, 1000) + 2 * dense(1000, 1000)
SPS_C5 = 2 * OPP_CONVS + stack(OPP_FLAT, [1000, 500], 18) + stack(OPP_FLAT, [1000, 500], 6)
EXPECTED_OPP = {
    "STL": ([1000, 1000, 1000, 500, 500], [], STL_C1),
    "HPS_6_0_LW11": (
        [500, 500],
        [1000, 1000, 1000],
        HPS_C3 + stack(1000, [500, 500], 18) + stack(1000, [500, 500], 6),
    ),
    "HPS": (
        [500, 500],
        [1000, 1000, 1000],
        HPS_C3 + stack(1000, [500, 500], 18) + stack(1000, [500, 500], 6),
    ),
    # Shared convolutions only; heads of 2 x 500 on the 3210 flattened features.
    "HPS_6_0_LW21_nodense": (
        [500, 500],
        [],
        OPP_CONVS + stack(OPP_FLAT, [500, 500], 18) + stack(OPP_FLAT, [500, 500], 6),
    ),
    "HPS_6_0_2_4": (
        [500, 500],
        [1000, 1000, 1000],
        HPS_C3 + sum(stack(1000, [500, 500], k) for k in (18, 6, 14, 14)),
    ),
    "HPS_all": (
        [500, 500],
        [1000, 1000, 1000],
        HPS_C3 + sum(stack(1000, [500, 500], k) for k in (18, 6, 6, 14, 24, 14, 24)),
    ),
    "SPS": ([1000, 500], [], SPS_C5),
    "SPS_0005": ([1000, 500], [], SPS_C5),
    "SPS_001": ([1000, 500], [], SPS_C5),
    "CSN": ([1000, 500], [], SPS_C5 + 3 * 4),
    "CSN_1000x50": (
        [1000, 50],
        [],
        2 * OPP_CONVS + stack(OPP_FLAT, [1000, 50], 18) + stack(OPP_FLAT, [1000, 50], 6) + 3 * 4,
    ),
    "STL_nodropout": ([1000, 1000, 1000, 500, 500], [], STL_C1),
    "STL_unclipped": ([1000, 1000, 1000, 500, 500], [], STL_C1),
    "STL_nodropout_unclipped": ([1000, 1000, 1000, 500, 500], [], STL_C1),
}
DEAP_COLUMN = DEAP_CONVS + stack(DEAP_FLAT, [56], 2)  # = 86812, Table C.2
EXPECTED_DEAP = {
    "STL": ([56], [], 2 * DEAP_COLUMN),
    # Table C.4: shared convolutions, heads [48, 32, 16] and 2 outputs each.
    "HPS": ([48, 32, 16], [], DEAP_CONVS + 2 * stack(DEAP_FLAT, [48, 32, 16], 2)),
    "HPS_dropout": ([48, 32, 16], [], DEAP_CONVS + 2 * stack(DEAP_FLAT, [48, 32, 16], 2)),
    "SPS": ([56], [], 2 * DEAP_COLUMN),
    "SPS_0001": ([56], [], 2 * DEAP_COLUMN),
    "CSN": ([56], [], 2 * DEAP_COLUMN + 3 * 4),
}
# Dropout (rate per dense layer of a column or head, in order), as the tables place it.
DROPOUT = {
    ("opportunity", "STL"): [0.4, 0.4, 0.4, 0.0, 0.0],
    ("opportunity", "STL_nodropout"): [0.0] * 5,
    ("opportunity", "HPS"): [0.4, 0.4, 0.4, 0.0, 0.0],
    ("opportunity", "SPS"): [0.0, 0.0],
    ("opportunity", "CSN"): [0.0, 0.0],
    ("deap", "HPS"): [0.0, 0.0, 0.0],
    ("deap", "HPS_dropout"): [0.4, 0.4, 0.0],
}
LOSS_WEIGHTS = {
    ("opportunity", "HPS"): [2, 1],
    ("opportunity", "HPS_6_0_LW11"): [1, 1],
    ("opportunity", "HPS_6_0_2_4"): [2, 1, 1, 1],
    ("opportunity", "SPS"): [1, 1],
    ("opportunity", "SPS_0005"): [2, 1],
    ("opportunity", "CSN"): [2, 1],
    ("opportunity", "CSN_1000x50"): [2, 1],
}


@pytest.fixture(scope="module")
def paper():
    config = load_yaml(CONFIGS["default"])
    update_config(config, load_yaml(CONFIGS["paper"]))
    return validate_config(config)["mtl"]


def _build(paper, source, name):
    from vigilance.mtl.registry import build_model

    settings = paper[source]
    method = settings["methods"][name]
    tasks = method_tasks(method, settings, OPP_TASKS if source == "opportunity" else DEAP_TASKS)
    classes = opp_classes(tasks) if source == "opportunity" else [2] * len(tasks)
    length, channels = (64, 107) if source == "opportunity" else (128, 40)
    arch = method_arch(settings["model"], method)
    weights = list(method["loss_weights"]) or None
    model = build_model(
        method["model"],
        length,
        channels,
        classes,
        arch,
        loss_weights=weights,
        trace_norm_weight=method["trace_norm_weight"],
    )
    return model, tasks


def _widths(sequential) -> list[int]:
    return [m.weight.shape[-1] for m in sequential if isinstance(m, GroupedDense)]


def _rates(sequential) -> list[float]:
    out = []
    for m in sequential:
        if isinstance(m, GroupedDense):
            out.append(0.0)
        elif isinstance(m, torch.nn.Dropout):
            out[-1] = m.p
    return out


def test_every_paper_method_is_in_the_expected_tables(paper):
    expected = {"LSTM", "CNNLSTM"} | set(EXPECTED_OPP)
    assert set(paper["opportunity"]["methods"]) == expected
    assert set(paper["deap"]["methods"]) == set(EXPECTED_DEAP)


@pytest.mark.parametrize(
    ("source", "name"),
    [("opportunity", n) for n in EXPECTED_OPP] + [("deap", n) for n in EXPECTED_DEAP],
)
def test_paper_method_layer_widths_and_parameter_count(paper, source, name):
    from vigilance.mtl.models import HPS, count_parameters

    model, tasks = _build(paper, source, name)
    column, shared, count = (EXPECTED_OPP if source == "opportunity" else EXPECTED_DEAP)[name]
    filters = [50, 40, 30] if source == "opportunity" else [64, 32, 16]
    assert [c.out_channels // model.trunk.columns for c in model.trunk.convs] == filters
    if isinstance(model, HPS):
        assert model.trunk.columns == 1 and _widths(model.shared) == shared
        assert all(_widths(head) == column for head in model.heads)
        rates = _rates(model.shared) + _rates(model.heads[0])
    else:
        assert model.trunk.columns == len(tasks) and _widths(model.dense) == column
        rates = _rates(model.dense)
    assert [o.out_features for o in model.out] == (
        opp_classes(tasks) if source == "opportunity" else [2] * len(tasks)
    )
    assert count_parameters(model) == count
    if (source, name) in DROPOUT:
        assert rates == DROPOUT[(source, name)]
    if (source, name) in LOSS_WEIGHTS:
        assert model.loss_weights.tolist() == LOSS_WEIGHTS[(source, name)]


def test_the_written_down_counts_match_the_thesis_baselines():
    # Table C.1's STL and Table C.2's per-task column, summed by hand from the layer sizes.
    assert STL_C1 == 6_000_890
    assert DEAP_COLUMN == 86_812


def test_paper_protocol_as_the_thesis(paper):
    opp, deap = paper["opportunity"], paper["deap"]
    assert opp["train_runs"] == ["Drill", "ADL1", "ADL2", "ADL3"] and opp["validation_runs"] == []
    assert opp["test_runs"] == ["ADL4", "ADL5"]
    assert deap["validation_share"] == 0 and deap["training"]["steps_per_epoch"] == 0
    assert deap["training"]["epochs"] == 200 and deap["table_epochs"] == 10
    assert opp["training"] == {
        **opp["training"],
        "epochs": 50,
        "steps_per_epoch": 1000,
        "batch_size": 500,
        "optimizer": "adadelta",
        "rho": 0.95,
        "eps": 1e-7,
    }
    assert paper["deap"]["methods"]["SPS"]["trace_norm_weight"] == 0.0001
