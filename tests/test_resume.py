"""Reruns that are never silently wrong: the epoch loop's exact resume, the random states in the
checkpoint (CUDA beside CPU), leftovers of killed atomic writes, a training job SIGKILLed under
Snakemake and rerun with --rerun-incomplete, and a sweep rerun that resumes or starts afresh
according to its inputs."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import optuna
import pandas as pd
import pytest
import torch
import yaml
from conftest import SNAKEMAKE, copy_workflow, run_snakemake

from vigilance.core import checkpoint
from vigilance.core.io import SUFFIX, remove_leftovers, write_text
from vigilance.core.loop import EpochLoop
from vigilance.evaluation.sweeps import open_storage

# ---- the loop, on a toy part: its step and its measures ----------------------------------------


@dataclass(frozen=True)
class ToyConfig:
    epochs: int = 5
    patience: int = 10


class Toy(EpochLoop):
    """Regression with dropout (so an exact resume needs the random state) and a shuffled pass."""

    def __init__(self, cfg=ToyConfig(), device="cpu"):
        torch.manual_seed(0)
        self.cfg, self.device, self.fingerprint = cfg, torch.device(device), "toy"
        self.model = torch.nn.Sequential(
            torch.nn.Linear(3, 8), torch.nn.Dropout(0.3), torch.nn.Linear(8, 1)
        ).to(self.device)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.05)
        self.scheduler = torch.optim.lr_scheduler.ExponentialLR(self.optimizer, 0.9)
        self.reset_progress()

    def train_epoch(self, data):
        x, y = data
        self.model.train()
        total = 0.0
        for idx in torch.randperm(len(x)).split(8):  # the global RNG, as dropout
            self.optimizer.zero_grad()
            loss = ((self.model(x[idx]) - y[idx]) ** 2).mean()
            loss.backward()
            self.optimizer.step()
            total += loss.item()
        return {"loss": total}

    @torch.no_grad()
    def evaluate(self, data):
        self.model.eval()
        x, y = data
        return {"loss": ((self.model(x) - y) ** 2).mean().item()}

    def selection_key(self, metrics):
        return (-metrics["loss"],)

    def monitored(self, metrics):
        return metrics["loss"]

    def describe(self, train_metrics, val_metrics):
        return f"val {val_metrics['loss']:.4f}"


def _data(seed=1, n=40):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=generator)
    return x, x.sum(dim=1, keepdim=True)


def _values(rows):
    frame = pd.DataFrame(rows)
    return frame[frame["metric"] != "seconds"].reset_index(drop=True)


def test_the_loop_resumes_exactly_and_says_at_which_epoch(tmp_path, caplog):
    data = _data()
    full = _values(Toy().fit(data, data))
    state = tmp_path / "state" / "last.pt"
    with caplog.at_level(logging.INFO, logger="vigilance.core.loop"):
        Toy().fit(data, data, state_path=state, stop_after=2)
        assert "no checkpoint at" in caplog.text and "starting at epoch 0" in caplog.text
        caplog.clear()
        torch.manual_seed(99)  # another process: the global random state is not the saved one
        resumed = Toy()
        rows = resumed.fit(data, data, state_path=state)
    assert re.search(r"resumed from .*last\.pt at epoch 2 \(2 of 5 epochs done", caplog.text)
    pd.testing.assert_frame_equal(_values(rows), full)
    assert resumed.epoch == 5 and 0 <= resumed.best_epoch < 5


def test_without_the_random_state_the_resumed_run_would_differ(tmp_path, monkeypatch):
    """The exactness above is real: dropout and shuffling depend on the restored state."""
    data = _data()
    full = _values(Toy().fit(data, data))
    state = tmp_path / "last.pt"
    Toy().fit(data, data, state_path=state, stop_after=2)
    monkeypatch.setattr(checkpoint, "set_rng_states", lambda states: None)
    torch.manual_seed(99)
    assert not _values(Toy().fit(data, data, state_path=state))["value"].equals(full["value"])


def test_patience_stops_and_the_best_epoch_is_kept():
    data = _data()
    trainer = Toy(ToyConfig(epochs=30, patience=2))
    trainer.optimizer.param_groups[0]["lr"] = 0.2  # large steps: validation soon stops improving
    trainer.fit(data, data)
    assert trainer.bad_epochs == 2 and trainer.epoch == trainer.best_epoch + 3 < 30
    kept = trainer.best_state["0.weight"]
    assert not torch.equal(kept, trainer.model.state_dict()["0.weight"])


@pytest.mark.parametrize("old", ["no best_key", "rng as one tensor"])
def test_a_checkpoint_of_another_trainer_version_is_not_resumed(tmp_path, caplog, old):
    data, state = _data(), tmp_path / "last.pt"
    Toy().fit(data, data, state_path=state, stop_after=1)
    saved = torch.load(state, weights_only=False)
    if old == "no best_key":
        del saved["best_key"]  # an older trainer's progress attributes
    else:
        saved["rng"] = saved["rng"]["cpu"]  # before the CUDA states were saved beside it
    torch.save(saved, state)
    trainer = Toy()
    with caplog.at_level(logging.WARNING, logger="vigilance.core.loop"):
        trainer.fit(data, data, state_path=state, stop_after=1)
    assert "starting afresh at epoch 0" in caplog.text and trainer.epoch == 1


# ---- random states: the CPU one and the CUDA ones beside it -----------------------------------


def test_cpu_and_cuda_random_states_round_trip_through_the_checkpoint(tmp_path, monkeypatch):
    """The CUDA branch with torch.cuda mocked (2 devices): what is saved is what is restored."""
    devices = [torch.arange(8, dtype=torch.uint8), torch.arange(8, 16, dtype=torch.uint8)]
    restored = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "get_rng_state_all", lambda: [d.clone() for d in devices])
    monkeypatch.setattr(torch.cuda, "set_rng_state_all", restored.append)
    trainer, state = Toy(), tmp_path / "last.pt"
    cpu = torch.get_rng_state()
    trainer.save_state(state)
    saved = torch.load(state, weights_only=False)["rng"]
    assert torch.equal(saved["cpu"], cpu) and len(saved["cuda"]) == 2
    torch.manual_seed(7)
    assert Toy().load_state(state)
    assert torch.equal(torch.get_rng_state(), cpu)
    assert len(restored) == 1 and all(map(torch.equal, restored[0], devices))


def test_cuda_states_are_not_forced_onto_other_devices(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(
        torch.cuda, "get_rng_state_all", lambda: [torch.zeros(8, dtype=torch.uint8)]
    )
    monkeypatch.setattr(torch.cuda, "set_rng_state_all", lambda s: pytest.fail("restored"))
    state = tmp_path / "last.pt"
    Toy().save_state(state)  # one device saved, two here
    with caplog.at_level(logging.WARNING, logger="vigilance.core.checkpoint"):
        assert Toy().load_state(state)
    assert "random states of 1 CUDA devices, 2 here" in caplog.text


def test_without_cuda_no_cuda_state_is_saved(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    state = tmp_path / "last.pt"
    Toy().save_state(state)
    assert torch.load(state, weights_only=False)["rng"]["cuda"] is None


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_dropout_repeats_after_a_restore_on_a_real_gpu(tmp_path):
    trainer, state = Toy(device="cuda"), tmp_path / "last.pt"
    trainer.save_state(state)
    first = torch.rand(4, device="cuda")
    torch.cuda.manual_seed_all(5)
    assert Toy(device="cuda").load_state(state)
    assert torch.equal(torch.rand(4, device="cuda"), first)


# ---- leftovers of atomic writes killed mid-write ----------------------------------------------

WRITER = """
import sys, time
from vigilance.core.io import atomic_path
with atomic_path(sys.argv[1]) as tmp:
    tmp.write_text("half")
    print("writing", flush=True)
    time.sleep(120)
"""


def _writer(target: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "workflow")}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout.readline().strip() == "writing"
    return proc


def _temporaries(target: Path) -> list[Path]:
    return sorted(p for p in target.parent.iterdir() if p.name.startswith(f".{target.name}."))


def test_a_killed_writers_temporary_file_is_removed_by_the_next_write(tmp_path):
    target = tmp_path / "metrics.csv"
    live = _writer(target)  # a writer still at work: its file is kept
    try:
        killed = _writer(target)
        killed.kill()  # SIGKILL: no finally clause runs
        killed.wait()
        assert len(_temporaries(target)) == 2 and not target.exists()
        (kept,) = [p for p in _temporaries(target) if f".{live.pid}@" in p.name]
        (leftover,) = [p for p in _temporaries(target) if p != kept]
        assert leftover.name.endswith(SUFFIX) and f".{killed.pid}@" in leftover.name
        assert remove_leftovers(target) == [leftover] and _temporaries(target) == [kept]
    finally:
        live.kill()
        live.wait()
    write_text(target, "whole\n")  # the next write of the target removes the other one too
    assert target.read_text() == "whole\n" and _temporaries(target) == []
    umask = os.umask(0o022)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # as open() makes it, not 0600
    (tmp_path / "other.csv").write_text("x")  # other files are never touched
    assert remove_leftovers(target) == [] and (tmp_path / "other.csv").exists()


# ---- end to end under Snakemake (the ci config, one cheap job) ---------------------------------

TRAIN = "results/pretrain/generated/row/original/frac1.0/seed1"
TRAIN_LOG = "logs/pretrain/generated/row/original/frac1.0/seed1/train.log"
SWEEP = "results/pretrain/generated/sweep"
# One pre-training job with fixed hyper-parameters (no sweep before it), its epochs long
# enough (~1 s on a shared core) to be killed in the middle of one.
SLOW_EPOCHS = {
    "pretrain": {
        "hyperparameters": "config",
        "training": {"epochs": 4, "steps_per_epoch": 60, "patience": 10},
    }
}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """A workflow copy with the ci blink data made (every job below starts from it)."""
    cwd = copy_workflow(tmp_path_factory.mktemp("resume") / "prepared")
    (cwd / "slow.yaml").write_text(yaml.safe_dump(SLOW_EPOCHS))
    targets = [f"results/blink/generated/{f}" for f in ("normalisation.json", "splits/drivers.csv")]
    proc = run_snakemake("--cores", "1", *_configs(), "--", *targets, cwd=cwd)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return cwd


def _configs() -> list[str]:
    return ["--configfile", "configs/ci.yaml", "slow.yaml"]


def _copy(prepared: Path, dest: Path) -> Path:
    shutil.copytree(prepared, dest, symlinks=True)
    return dest


def _metrics(cwd: Path) -> pd.DataFrame:
    frame = pd.read_csv(cwd / TRAIN / "metrics.csv")
    return frame[frame["metric"] != "seconds"].reset_index(drop=True)


def _job_pid(parent: int, script: str) -> int | None:
    """The process running ``script`` among the descendants of ``parent``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    todo = list(children.get(parent, []))
    while todo:
        pid = todo.pop()
        try:
            if script in (Path("/proc") / str(pid) / "cmdline").read_bytes().decode(
                errors="replace"
            ):
                return pid
        except OSError:
            continue
        todo += children.get(pid, [])
    return None


def _checkpointed(state: Path) -> int:
    """The epoch the checkpoint resumes at (0 while there is none); replaced atomically, it is
    always whole when read."""
    return torch.load(state, weights_only=False)["epoch"] if state.exists() else 0


def _kill_mid_epoch(cwd: Path, epoch: int, timeout: float = 300) -> int:
    """Start the training job; SIGKILL its process group once ``epoch`` epochs are
    checkpointed, in the middle of the next one."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    (cwd / TRAIN_LOG).unlink()  # the uninterrupted run's
    args = [
        "--cores",
        "1",
        *_configs(),
        "--forcerun",
        "pretrain_encoder",
        "--",
        f"{TRAIN}/metrics.csv",
    ]
    proc = subprocess.Popen(
        [SNAKEMAKE, *args], cwd=cwd, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    log, state = cwd / TRAIN_LOG, cwd / TRAIN / "state" / "last.pt"
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            text = log.read_text() if log.exists() else ""
            if f"epoch {epoch - 1}: " in text and _checkpointed(state) >= epoch:
                pid = _job_pid(proc.pid, "pretrain_encoder.py")
                assert pid is not None, "the training job's process was not found"
                os.killpg(os.getpgid(pid), signal.SIGKILL)
                return pid
            assert proc.poll() is None, f"snakemake ended before the kill:\n{text}"
            time.sleep(0.05)
        pytest.fail(f"epoch {epoch} never checkpointed")
    finally:
        try:  # a Snakemake outside the job's group notes the failure and stops by itself
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.slow
def test_a_training_job_killed_mid_epoch_resumes_at_its_checkpoint(prepared, tmp_path):
    cwd = _copy(prepared, tmp_path / "wf")
    proc = run_snakemake("--cores", "1", *_configs(), "--", f"{TRAIN}/metrics.csv", cwd=cwd)
    assert proc.returncode == 0, proc.stderr[-4000:]
    uninterrupted = _metrics(cwd)
    assert "starting at epoch 0" in (cwd / TRAIN_LOG).read_text()
    assert not (cwd / TRAIN / "state").exists() or not any((cwd / TRAIN / "state").iterdir())

    _kill_mid_epoch(cwd, epoch=2)
    state = cwd / TRAIN / "state" / "last.pt"
    saved = _checkpointed(state)  # 2, or 3 if epoch 2 ended before the kill landed
    assert 2 <= saved < 4 and not (cwd / TRAIN / "metrics.csv").exists()

    unlock = run_snakemake("--unlock", *_configs(), cwd=cwd)  # the killed Snakemake's lock
    assert unlock.returncode == 0, unlock.stderr[-2000:]
    rerun = run_snakemake(
        "--cores", "1", "--rerun-incomplete", *_configs(), "--", f"{TRAIN}/metrics.csv", cwd=cwd
    )
    assert rerun.returncode == 0, rerun.stderr[-4000:]
    log = (cwd / TRAIN_LOG).read_text()
    resumed = re.search(r"resumed from \S+last\.pt at epoch (\d+)", log)
    assert resumed, log
    assert int(resumed.group(1)) == saved
    trained = [int(e) for e in re.findall(r"\bepoch (\d+): train", log)]
    assert trained == list(range(saved, 4))  # the rerun trained only the missing epochs
    pd.testing.assert_frame_equal(_metrics(cwd), uninterrupted)
    assert [p.name for p in state.parent.iterdir()] == []  # no checkpoint, no leftovers


def _trials(cwd: Path, study: str) -> list[tuple[int, str]]:
    storage = open_storage(str(cwd / SWEEP / "study.journal"))
    trials = optuna.load_study(study_name=study, storage=storage).get_trials()
    return [(t.number, str(t.datetime_start)) for t in trials]


def _sweep(cwd: Path, *extra: str) -> dict:
    args = ["--cores", "1", *extra, *_configs(), "--", f"{SWEEP}/best_params.yaml"]
    proc = run_snakemake(*args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads((cwd / SWEEP / "workers" / "worker0.json").read_text())


@pytest.mark.slow
def test_a_sweep_resumes_on_the_same_inputs_and_starts_afresh_on_changed_ones(prepared, tmp_path):
    cwd = _copy(prepared, tmp_path / "wf")
    first = _sweep(cwd)
    best = (cwd / SWEEP / "best_params.yaml").read_text()
    trials = _trials(cwd, first["study"])
    assert len(trials) == 3 and yaml.safe_load(best)["study"] == first["study"]

    # An unchanged rerun of the worker opens the same study, finds it full, runs nothing.
    again = _sweep(cwd, "--forcerun", "sweep_pretraining")
    assert again["study"] == first["study"] and again["key"] == first["key"]
    assert _trials(cwd, first["study"]) == trials
    assert (cwd / SWEEP / "best_params.yaml").read_text() == best

    # Changed data (the normalisation every window goes through): a new study, new trials.
    stats_path = cwd / "results/blink/generated/normalisation.json"
    stats = json.loads(stats_path.read_text())
    for column in stats["columns"].values():
        column["std"] *= 2.0
    stats_path.write_text(json.dumps(stats, indent=2))
    changed = _sweep(cwd)
    assert changed["study"] != first["study"]
    assert (
        changed["inputs"][str(stats_path.relative_to(cwd))]
        != first["inputs"][str(stats_path.relative_to(cwd))]
    )
    assert len(_trials(cwd, changed["study"])) == 3
    assert _trials(cwd, first["study"]) == trials  # the old study is left as it was
    new_best = yaml.safe_load((cwd / SWEEP / "best_params.yaml").read_text())
    assert new_best["study"] == changed["study"]
    assert new_best["best_value"] != yaml.safe_load(best)["best_value"]
