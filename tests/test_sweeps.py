"""Sweeps over many workers (vigilance.evaluation.sweeps): exact totals under races, unique trial
numbers, interrupted and lost trials run again, and the study named by a digest of its inputs
(the rerun end to end: tests/test_resume.py)."""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import time

import optuna
import pytest
from conftest import CONFIGS

from vigilance.core.errors import VigilanceError
from vigilance.evaluation.sweeps import (
    INTERRUPTED,
    agreed_identity,
    check_complete,
    counted,
    lock_path,
    open_storage,
    run_worker,
    storage_spec,
    study_identity,
    worker_summary,
)

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _objective(trial: optuna.Trial) -> float:
    """Quick and racy: short random sleeps; some trials pruned, some failing with NaN."""
    x = trial.suggest_float("x", -1.0, 1.0)
    time.sleep(0.02 + 0.05 * abs(x))
    if x > 0.7:
        raise optuna.TrialPruned("pruned")
    if x < -0.8:
        return math.nan
    return x * x


def _worker(spec: str, name: str, n: int, worker: int, queue) -> None:
    study = optuna.load_study(
        study_name=name,
        storage=open_storage(spec),
        sampler=optuna.samplers.RandomSampler(seed=worker),
    )
    queue.put(run_worker(study, _objective, n, lock_path(spec, "."), worker))


def _run_workers(spec: str, name: str, n: int, workers: int) -> list[list[int]]:
    optuna.create_study(study_name=name, storage=open_storage(spec), load_if_exists=True)
    context = mp.get_context("spawn")
    queue = context.Queue()
    args = [(spec, name, n, w, queue) for w in range(workers)]
    procs = [context.Process(target=_worker, args=a) for a in args]
    for proc in procs:
        proc.start()
    ran = [queue.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return ran


@pytest.mark.parametrize(("workers", "n"), [(2, 12), (4, 9)])
def test_workers_on_a_journal_file_run_exactly_n_trials(tmp_path, workers, n):
    spec = storage_spec(tmp_path)
    ran = _run_workers(spec, "s", n, workers)
    study = optuna.load_study(study_name="s", storage=open_storage(spec))
    trials = study.get_trials()
    numbers = [t.number for t in trials]
    assert len(trials) == n, f"{len(trials)} trials, expected exactly {n}"
    assert sorted(numbers) == list(range(n))
    assert sorted(number for r in ran for number in r) == numbers
    assert sum(bool(r) for r in ran) >= 2, f"only one worker ran trials: {ran}"
    assert all(t.state != optuna.trial.TrialState.RUNNING for t in trials)
    check_complete(study, n)
    # A rerun of any worker (a retried job) finds the study full and runs nothing.
    assert _run_workers(spec, "s", n, 1) == [[]]


def test_an_interrupted_trial_is_recorded_and_run_again(tmp_path):
    spec = storage_spec(tmp_path)
    study = optuna.create_study(study_name="i", storage=open_storage(spec))

    def crashing(trial):
        if trial.number == 1:
            raise RuntimeError("node lost")
        return _objective(trial)

    with pytest.raises(RuntimeError, match="node lost"):
        run_worker(study, crashing, 4, lock_path(spec, "."))
    assert counted(study) == 1
    with pytest.raises(VigilanceError, match="not complete"):
        check_complete(study, 4)
    run_worker(study, _objective, 4, lock_path(spec, "."))
    trials = study.get_trials()
    assert [t.number for t in trials] == [0, 1, 2, 3, 4]
    assert INTERRUPTED in trials[1].user_attrs and counted(study) == 4
    check_complete(study, 4)


def test_a_stale_running_trial_of_a_lost_worker_is_run_again(tmp_path):
    spec = storage_spec(tmp_path)
    study = optuna.create_study(study_name="l", storage=open_storage(spec))
    lost = study.ask()  # a worker killed with SIGKILL leaves it running
    assert counted(study) == 1
    run_worker(study, _objective, 3, lock_path(spec, "."), stale_after_s=3600)
    assert counted(study) == 3  # still counted: it may belong to a live worker
    assert study.get_trials()[0].state == optuna.trial.TrialState.RUNNING
    run_worker(study, _objective, 3, lock_path(spec, "."), stale_after_s=0)
    trials = study.get_trials()
    assert lost.number == 0 and INTERRUPTED in trials[0].user_attrs
    assert counted(study) == 3 and len(trials) == 4
    check_complete(study, 3)


def test_a_sqlite_study_keeps_its_lock_next_to_the_file(tmp_path):
    assert lock_path(f"sqlite:///{tmp_path}/s.db", "x") == f"{tmp_path}/s.db.reserve"
    assert lock_path("postgresql://h/db", tmp_path) == str(tmp_path / "study.reserve")
    assert storage_spec(tmp_path, "postgresql://h/db") == "postgresql://h/db"


# ---- the study's identity: a digest of its input files and parameters ----


def _inputs(tmp_path, text="a,b\n1,2\n"):
    data = tmp_path / "data.csv"
    data.write_text(text)
    stats = tmp_path / "stats.json"
    stats.write_text('{"mean": 0.5}')
    return [data, stats]


def test_the_study_name_changes_with_any_input_byte_or_parameter(tmp_path):
    files, params = _inputs(tmp_path), {"window": 10, "sweep": {"trials": 3, "seed": 0}}
    first = study_identity("pretrain-x", files, params)
    assert first.name.startswith("pretrain-x-") and len(first.key) == 64
    # The same inputs (parameters in another order) give the same study: a rerun resumes it.
    same = study_identity("pretrain-x", files, {"sweep": {"seed": 0, "trials": 3}, "window": 10})
    assert same == first
    assert study_identity("pretrain-x", files, {**params, "window": 8}).name != first.name
    files[0].write_text("a,b\n1,3\n")  # one byte of the data
    changed = study_identity("pretrain-x", files, params)
    assert changed.name != first.name
    assert changed.files[str(files[1])] == first.files[str(files[1])]
    with pytest.raises(VigilanceError, match="cannot read a sweep input"):
        study_identity("pretrain-x", [tmp_path / "missing.parquet"], params)


def _summary(path, identity, worker=0):
    record = {"worker": worker, **identity.to_dict(), "trials": [], "wall_s": 0.0}
    path.write_text(json.dumps(record))
    return path


def test_gather_takes_the_workers_study_and_rechecks_its_inputs(tmp_path):
    files = _inputs(tmp_path)
    identity = study_identity("finetune-x", files, {"window": 10})
    summaries = [_summary(tmp_path / f"worker{w}.json", identity, w) for w in range(2)]
    assert agreed_identity(summaries) == identity
    other = study_identity("finetune-x", files, {"window": 8})
    _summary(summaries[1], other, 1)
    with pytest.raises(VigilanceError, match="different studies"):
        agreed_identity(summaries)
    _summary(summaries[1], identity, 1)
    files[1].write_text('{"mean": 0.6}')  # changed after the workers ran
    with pytest.raises(VigilanceError, match="inputs changed since its workers ran") as err:
        agreed_identity(summaries)
    assert str(files[1]) in str(err.value)
    summaries[0].write_text(json.dumps({"worker": 0, "study": "old", "trials": []}))
    with pytest.raises(VigilanceError, match="no study identity"):
        agreed_identity(summaries)


def test_a_worker_summary_lists_its_trials_and_the_identity(tmp_path):
    spec = storage_spec(tmp_path)
    identity = study_identity("p-x", _inputs(tmp_path), {"n": 1})
    study = optuna.create_study(study_name=identity.name, storage=open_storage(spec))
    run_worker(study, _objective, 3, lock_path(spec, "."), worker=1)
    summary = worker_summary(identity, study, 1, 2.5)
    assert summary["trials"] == [0, 1, 2] and summary["study"] == identity.name
    assert summary["inputs"] == identity.files and summary["key"] == identity.key


def test_each_parts_identity_covers_its_files_and_settings_but_not_how_it_is_run(tmp_path):
    from vigilance.core.config import load_yaml
    from vigilance.finetune.sweep import study_identity as finetune_identity
    from vigilance.pretrain.sweep import study_identity as pretrain_identity

    config = load_yaml(CONFIGS["default"])
    pretrain, finetune = config["pretrain"], config["finetune"]
    data = _inputs(tmp_path)
    encoder = tmp_path / "encoder.pt"
    encoder.write_bytes(b"weights")

    def pre(section=pretrain, window=10):
        return pretrain_identity(section, "g", data, "original", window, [9, 18], "cpu", "auto", 1)

    def fine(section=finetune):
        return finetune_identity(section, "g", [*data, encoder], 10, [1, 6, 8], "cpu", "auto", 1)

    before, fine_before = pre(), fine()
    assert before.name.startswith("pretrain-g-") and fine_before.name.startswith("finetune-g-")
    run_only = {"workers": 8, "storage": "postgresql://h/db"}
    assert pre({**pretrain, "sweep": {**pretrain["sweep"], **run_only}}) == before
    assert fine({**finetune, "sweep": {**finetune["sweep"], **run_only}}) == fine_before
    assert pre(window=8).name != before.name
    assert pre({**pretrain, "masking": {**pretrain["masking"], "select_share": 0.2}}) != before
    assert fine({**finetune, "best_strategy": "frozen"}).name != fine_before.name
    encoder.write_bytes(b"retrained")
    assert fine().name != fine_before.name and pre() == before
