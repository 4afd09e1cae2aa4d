"""Shared plumbing: errors, device, seeding, logs, atomic writes, tables, figures, manifest."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch

from vigilance.core.device import autocast, autocast_dtype, describe_device, resolve_device
from vigilance.core.errors import VigilanceError
from vigilance.core.io import atomic_path, write_json
from vigilance.core.logs import script_context, setup_logging
from vigilance.core.manifest import build_manifest, git_state, manifest_table
from vigilance.core.paths import PACKAGE_ROOT, export_package_path
from vigilance.core.seeding import seed_everything
from vigilance.plots import save_figure, use_style
from vigilance.tables import write_table


def test_error_names_file_field_value_and_expectation():
    err = VigilanceError(
        "not a number", file="data/x.csv", field="kss", value="ten", expected="an integer 1..9"
    )
    assert (
        str(err)
        == "data/x.csv: field 'kss' has value 'ten': not a number (expected an integer 1..9)"
    )


def test_error_without_value_or_file():
    assert str(VigilanceError("column missing", field="t_s")) == "field 't_s': column missing"
    assert str(VigilanceError("empty", value=None)) == "has value None: empty"


def test_auto_device_is_cpu_without_gpu():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    assert resolve_device("cpu").type == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_gpu_is_a_clear_error():
    with pytest.raises(VigilanceError, match="no GPU is visible"):
        resolve_device("cuda")


def test_unknown_device_and_precision():
    with pytest.raises(VigilanceError, match="field 'device' has value 'tpu'"):
        resolve_device("tpu")
    with pytest.raises(VigilanceError, match="field 'precision'"):
        autocast_dtype(torch.device("cpu"), "fp8")


def test_precision_bf16_on_cuda_fp32_on_cpu():
    assert autocast_dtype(torch.device("cuda"), "auto") is torch.bfloat16
    assert autocast_dtype(torch.device("cpu"), "auto") is None
    assert autocast_dtype(torch.device("cuda"), "fp32") is None
    with autocast(torch.device("cpu"), "auto"):
        out = torch.ones(2, 2) @ torch.ones(2, 2)
    assert out.dtype is torch.float32
    with autocast(torch.device("cpu"), "bf16"):
        out = torch.ones(2, 2) @ torch.ones(2, 2)
    assert out.dtype is torch.bfloat16


def test_seeding_repeats_numbers_and_different_seeds_differ():
    def draw(seed):
        rng = seed_everything(seed)
        model = torch.nn.Linear(4, 3)
        return rng.normal(size=3), torch.rand(3), model.weight.detach().clone(), np.random.rand()

    first, again, other = draw(5), draw(5), draw(6)
    for a, b in zip(first, again, strict=True):
        assert np.array_equal(np.asarray(a), np.asarray(b))
    assert not np.array_equal(first[1].numpy(), other[1].numpy())
    assert torch.are_deterministic_algorithms_enabled()
    assert torch.is_deterministic_algorithms_warn_only_enabled()


def test_deterministic_mode_is_set_without_importing_inductor():
    # In a fresh process: the flags of torch.use_deterministic_algorithms(True, warn_only=True),
    # and TorchInductor (1.5 s to import) left unloaded.
    code = (
        "import sys, torch; from vigilance.core.seeding import seed_everything;"
        "seed_everything(1);"
        "print(torch.are_deterministic_algorithms_enabled(),"
        " torch.is_deterministic_algorithms_warn_only_enabled(),"
        " 'torch._inductor.config' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "workflow")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.split() == ["True", "True", "False"], out.stderr


def test_logging_goes_to_the_log_file(tmp_path):
    log_file = tmp_path / "logs" / "job.log"
    logger = setup_logging(log_file)
    logger.info("hello %s", "log")
    logging.getLogger("other.module").warning("from elsewhere")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text()
    assert "hello log" in text and "from elsewhere" in text


def test_script_context_logs_the_error_and_reraises(tmp_path):
    log_file = tmp_path / "job.log"
    job = SimpleNamespace(log=[str(log_file)], rule="demo")
    with pytest.raises(VigilanceError), script_context(job):
        raise VigilanceError("bad row", file="in.csv", field="kss", value=12, expected="1..9")
    text = log_file.read_text()
    assert "in.csv: field 'kss' has value 12" in text
    assert "finished" not in text


def test_atomic_write_leaves_nothing_on_failure_and_keeps_the_old_file(tmp_path):
    target = tmp_path / "out" / "table.csv"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash")
    assert not target.exists()
    assert list(target.parent.iterdir()) == []
    write_json(target, {"a": 1})
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash")
    assert json.loads(target.read_text()) == {"a": 1}


def test_table_writer_csv_html_markdown(tmp_path):
    df = pd.DataFrame({"method": ["STL", "<HPS>"], "f1": [0.71123456, 0.719]})
    write_table(
        df,
        tmp_path / "t.csv",
        tmp_path / "t.html",
        title="Table 4.1",
        caption="F1 & more",
        markdown_path=tmp_path / "t.md",
    )
    back = pd.read_csv(tmp_path / "t.csv")
    pd.testing.assert_frame_equal(back, df)
    page = (tmp_path / "t.html").read_text()
    assert "<table" in page and "0.7112" in page and "Table 4.1" in page
    assert "&lt;HPS&gt;" in page and "<HPS>" not in page
    assert "F1 &amp; more" in page
    assert "<script" not in page and "http" not in page.split("<body>")[1]
    md = (tmp_path / "t.md").read_text().splitlines()
    assert md[0] == "| method | f1 |" and md[2] == "| STL | 0.7112 |"


def test_figure_style_uses_agg_and_saves_png(tmp_path):
    plt = use_style(dpi=80)
    import matplotlib

    assert matplotlib.get_backend().lower() == "agg"
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    save_figure(fig, tmp_path / "fig.png")
    data = (tmp_path / "fig.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert matplotlib.rcParams["axes.spines.top"] is False


def test_export_package_path_prepends_once():
    env = {"PYTHONPATH": "/elsewhere"}
    export_package_path(env)
    export_package_path(env)
    parts = env["PYTHONPATH"].split(os.pathsep)
    assert parts == [str(PACKAGE_ROOT), "/elsewhere"]
    assert (PACKAGE_ROOT / "vigilance" / "__init__.py").exists()


def test_manifest_records_versions_device_commit_and_config(tmp_path):
    config = {"seeds": [1], "device": "cpu"}
    manifest = build_manifest(config, describe_device(torch.device("cpu")), tmp_path)
    assert manifest["packages"]["torch"] == torch.__version__
    assert manifest["device"] == "cpu"
    assert manifest["git"] == {"commit": None, "dirty": None}  # tmp_path is no git checkout
    assert manifest["config"] == config and len(manifest["config_sha256"]) == 64
    table = manifest_table(manifest)
    assert list(table.columns) == ["item", "value"]
    assert "Config SHA-256" in set(table["item"])


def test_git_state_of_a_real_repository(tmp_path):
    import subprocess

    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "f.txt").write_text("1")
    git("add", "f.txt")
    git("-c", "user.email=a@b", "-c", "user.name=t", "commit", "-qm", "one")
    state = git_state(tmp_path)
    assert len(state["commit"]) == 40 and state["dirty"] is False
    (tmp_path / "f.txt").write_text("2")
    assert git_state(tmp_path)["dirty"] is True


def test_error_shows_numpy_scalars_as_plain_numbers():
    err = VigilanceError("negative", field="t_s", value=np.float64(-5.0))
    assert "has value -5.0:" in str(err)
