"""Optuna sweeps spread over many worker jobs that share one study (any part's sweep).

Akiba et al. (2019), "Optuna: A Next-generation Hyperparameter Optimization Framework", KDD.
W workers (W Snakemake jobs, locally or on a cluster) open the same study in a storage made for
concurrent writers: Optuna's ``JournalStorage`` with its file backend and the open(2)-based
lock (``JournalFileOpenLock``, which works on NFS and other shared file systems), or an RDB URL
(``postgresql://...``, ``mysql+pymysql://...``) at sites with a database server.

Exactness: a worker *reserves* a trial (counts the study's live trials and creates the new one)
while holding a second file lock, so W workers never create more than ``n_trials`` trials
together; Optuna's ``MaxTrialsCallback``, which checks after a trial ends, would let every
worker that is mid-trial overshoot by one. A trial counts when it is complete, pruned, failed
by its objective (a diverging loss) or still running. A trial a worker could not finish (an
exception, SIGTERM from the scheduler, a node lost) is recorded as failed with the reason in
its ``interrupted`` attribute and does not count, so a rerun of the worker runs it again: the
study ends with exactly ``n_trials`` counted trials, numbered uniquely by the storage.
"""

from __future__ import annotations

import logging
import math
import os
import signal
import socket
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import optuna
from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock, JournalStorage
from optuna.trial import TrialState

from vigilance.core.errors import VigilanceError

log = logging.getLogger("vigilance.evaluation.sweeps")
INTERRUPTED = "interrupted"
LIVE = (TrialState.RUNNING, TrialState.WAITING)
FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


def storage_spec(folder: str | Path, url: str = "") -> str:
    """The storage of a sweep: ``url`` when set (an RDB), else a journal file in ``folder``."""
    return url or str(Path(folder) / "study.journal")


def open_storage(spec: str) -> optuna.storages.BaseStorage:
    """A storage for concurrent workers: an RDB URL as given, or a journal file path."""
    if "://" in spec:
        return optuna.storages.RDBStorage(spec)
    Path(spec).parent.mkdir(parents=True, exist_ok=True)
    return JournalStorage(JournalFileBackend(spec, lock_obj=JournalFileOpenLock(spec)))


def lock_path(spec: str, folder: str | Path) -> str:
    """Where the reservation lock lives: next to a journal or SQLite file, else in ``folder``
    (for a database server; the folder must be shared by the workers)."""
    if spec.startswith("sqlite:///"):
        return spec.removeprefix("sqlite:///") + ".reserve"
    return f"{spec}.reserve" if "://" not in spec else str(Path(folder) / "study.reserve")


@contextmanager
def held(lock: JournalFileOpenLock):
    """Hold a file lock (open with O_EXCL; a holder dead for the grace period is broken)."""
    while not lock.acquire():  # acquire() blocks; False only after breaking a stale lock
        pass
    try:
        yield
    finally:
        lock.release()


def counts(trial: optuna.trial.FrozenTrial) -> bool:
    """Whether a trial counts towards the study's total (see the module docstring)."""
    if trial.state in LIVE:
        return True
    return trial.state in FINISHED and INTERRUPTED not in trial.user_attrs


def counted(study: optuna.Study) -> int:
    """Trials of the study that count towards its total."""
    return sum(counts(t) for t in study.get_trials(deepcopy=False))


def finished(study: optuna.Study) -> int:
    """Counted trials that have ended (complete, pruned or failed by the objective)."""
    return sum(counts(t) and t.state in FINISHED for t in study.get_trials(deepcopy=False))


def fail_stale(study: optuna.Study, stale_after_s: float) -> int:
    """Record running trials older than any job may live as interrupted; return how many."""
    now, stale = datetime.now(), 0
    for trial in study.get_trials(deepcopy=False, states=LIVE):
        started = trial.datetime_start or now
        if (now - started).total_seconds() > stale_after_s:
            study._storage.set_trial_user_attr(trial._trial_id, INTERRUPTED, "stale: worker lost")
            study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)
            stale += 1
    return stale


class Stopped(BaseException):
    """The scheduler asked the worker to stop (SIGTERM)."""


def _raise_stopped(signum, frame):
    raise Stopped(f"signal {signum}")


def run_worker(
    study: optuna.Study,
    objective: Callable[[optuna.Trial], float],
    n_trials: int,
    lock_file: str,
    worker: int = 0,
    stale_after_s: float = math.inf,
) -> list[int]:
    """Run trials of a shared study until it holds ``n_trials`` counted trials.

    Args:
        study: The study, opened on a shared storage by every worker.
        objective: Returns the trial's value (NaN: failed, counted); raises
            ``optuna.TrialPruned`` to prune. Any other exception stops the worker and the
            trial is recorded as interrupted (not counted, so it is run again).
        n_trials: The study's total.
        lock_file: The reservation lock's path (on the shared file system).
        worker: This worker's index (recorded in each trial's ``worker`` attribute).
        stale_after_s: Running trials older than this (the jobs' wall-time limit) belong to a
            lost worker and are recorded as interrupted.

    Returns:
        The numbers of the trials this worker ran.
    """
    lock = JournalFileOpenLock(lock_file, grace_period=120)
    mine: list[int] = []
    previous = signal.signal(signal.SIGTERM, _raise_stopped)
    try:
        while True:
            with held(lock):
                stale = fail_stale(study, stale_after_s)
                if stale:
                    log.warning("worker %d: %d stale trials recorded as lost", worker, stale)
                if counted(study) >= n_trials:
                    break
                trial = study.ask()
            trial.set_user_attr("worker", worker)
            trial.set_user_attr("host", f"{socket.gethostname()}:{os.getpid()}")
            start = time.perf_counter()
            try:
                value = objective(trial)
            except optuna.TrialPruned as pruned:
                study.tell(trial, state=TrialState.PRUNED)
                log.info("worker %d: trial %d pruned (%s)", worker, trial.number, pruned)
            except BaseException as err:
                trial.set_user_attr(INTERRUPTED, f"{type(err).__name__}: {err}")
                study.tell(trial, state=TrialState.FAIL)
                raise
            else:
                study.tell(trial, value)  # NaN: Optuna records the trial as failed
                log.info(
                    "worker %d: trial %d = %s (%.1f s)",
                    worker,
                    trial.number,
                    value,
                    time.perf_counter() - start,
                )
            mine.append(trial.number)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return mine


def check_complete(study: optuna.Study, n_trials: int) -> None:
    """Raise unless the study holds exactly ``n_trials`` ended, counted, uniquely numbered
    trials (what a gather step checks before writing tables)."""
    trials = [t for t in study.get_trials(deepcopy=False) if counts(t)]
    numbers = [t.number for t in study.get_trials(deepcopy=False)]
    running = [t.number for t in trials if t.state in LIVE]
    if running or len(trials) != n_trials or len(set(numbers)) != len(numbers):
        raise VigilanceError(
            f"study {study.study_name} is not complete: {len(trials)} counted trials "
            f"({len(running)} still running: {running}), {len(numbers)} in all",
            field="trials",
            value=len(trials),
            expected=f"exactly {n_trials}, none running, unique numbers",
        )
