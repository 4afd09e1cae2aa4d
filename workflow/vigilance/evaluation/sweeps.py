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

Identity: a study is named by what made its trials (:func:`study_identity`): a SHA-256 digest of
the content of every input file the objective reads (data, split manifest, normalisation,
encoder) and of every parameter it uses. A changed input gives a new study in the same storage
(trials on the old inputs are never reused); an unchanged rerun opens the old study and resumes
it. Each worker records the identity in its summary; the gather step takes the name from the
summaries and recomputes the digest from the files, so workers and gather always agree.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import signal
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import optuna
from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock, JournalStorage
from optuna.trial import TrialState

from vigilance.core.config import config_hash
from vigilance.core.errors import VigilanceError

log = logging.getLogger("vigilance.evaluation.sweeps")
INTERRUPTED = "interrupted"
LIVE = (TrialState.RUNNING, TrialState.WAITING)
FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


# Settings of how a sweep is run, not of what its trials compute: never part of its identity.
RUN_ONLY = ("workers", "storage")


def file_digest(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 (hex) of a file's content, read in chunks."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(chunk), b""):
                digest.update(block)
    except OSError as err:
        raise VigilanceError(
            f"cannot read a sweep input ({err.strerror})", file=path, expected="a readable file"
        ) from err
    return digest.hexdigest()


@dataclass(frozen=True)
class StudyIdentity:
    """What a study's trials were made from.

    Attributes:
        name: The study name, ``<prefix>-<first 16 hex digits of key>``.
        key: SHA-256 (hex) of the file digests and the parameters (canonical JSON).
        files: Input path -> SHA-256 of its content.
        params: Every parameter the objective uses (JSON-able).
    """

    name: str
    key: str
    files: dict[str, str]
    params: dict

    def to_dict(self) -> dict:
        """The identity as a worker records it in its summary."""
        return {"study": self.name, "key": self.key, "inputs": self.files, "params": self.params}


def study_identity(prefix: str, files: Iterable[str | Path], params: Mapping) -> StudyIdentity:
    """The identity of a sweep's study: digests of its input files and of its parameters.

    Args:
        prefix: The part and data set (``pretrain-generated``); readable, not part of the key.
        files: Every file the objective reads (paths as the rule names them).
        params: Every parameter the objective uses (JSON-able; key order does not matter).

    Returns:
        The identity; equal inputs give an equal name, any changed byte or value another.
    """
    digests = {str(path): file_digest(path) for path in files}
    params = json.loads(json.dumps(params, sort_keys=True, default=str))  # tuples -> lists
    key = config_hash({"files": digests, "params": params})
    return StudyIdentity(f"{prefix}-{key[:16]}", key, digests, params)


def agreed_identity(summaries: Iterable[str | Path]) -> StudyIdentity:
    """The identity all workers' summaries record, checked against the input files now.

    Raises:
        VigilanceError: A summary lacks the identity, two workers ran different studies, or an
            input file changed since the workers ran (their trials would not match it).
    """
    found: StudyIdentity | None = None
    first = None
    for summary in summaries:
        record = json.loads(Path(summary).read_text(encoding="utf-8"))
        missing = [k for k in ("study", "key", "inputs", "params") if k not in record]
        if missing:
            raise VigilanceError(
                "the worker summary records no study identity: rerun the sweep's workers",
                file=summary,
                field=missing[0],
                expected="a summary written by the current sweep worker",
            )
        if found is None:
            first = summary
            found = StudyIdentity(
                record["study"], record["key"], record["inputs"], record["params"]
            )
        elif record["study"] != found.name:
            raise VigilanceError(
                "the workers ran different studies",
                file=summary,
                field="study",
                value=record["study"],
                expected=f"{found.name}, as in {first}",
            )
    if found is None:
        raise VigilanceError("no worker summaries", field="input", expected="at least one")
    prefix = found.name.rsplit("-", 1)[0]
    now = study_identity(prefix, found.files, found.params)
    if now.key != found.key:
        changed = [p for p in found.files if now.files.get(p) != found.files[p]]
        raise VigilanceError(
            "the sweep's inputs changed since its workers ran: rerun them",
            file=changed[0] if changed else first,
            field="sha256",
            value=now.files.get(changed[0]) if changed else now.key,
            expected=found.files[changed[0]] if changed else found.key,
        )
    return found


def worker_summary(identity: StudyIdentity, study: optuna.Study, worker: int, wall_s: float):
    """What a worker job writes as its output: its trials in the study and the identity."""
    mine = [
        t.number for t in study.get_trials(deepcopy=False) if t.user_attrs.get("worker") == worker
    ]
    return {"worker": worker, **identity.to_dict(), "trials": mine, "wall_s": wall_s}


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
