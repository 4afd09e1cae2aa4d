"""Sweeps over many workers (vigilance.evaluation.sweeps): exact totals under races, unique trial
numbers, interrupted and lost trials run again, and the pre-training sweep split over
two processes."""

from __future__ import annotations

import math
import multiprocessing as mp
import time

import optuna
import pytest

from vigilance.core.errors import VigilanceError
from vigilance.evaluation.sweeps import (
    INTERRUPTED,
    check_complete,
    counted,
    lock_path,
    open_storage,
    run_worker,
    storage_spec,
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
