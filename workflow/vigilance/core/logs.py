"""Logging to the rule's log file, and the one wrapper every workflow script runs under.

:func:`script_context` sends the ``logging`` records, warnings and any traceback of the script
to the rule's ``log:`` file (and to stderr), so that a failed job explains itself in its log.
An exception is logged and re-raised, so the job exits non-zero and Snakemake removes its
partial outputs.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

from vigilance.core.errors import VigilanceError

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(log_path: str | Path | None = None, level: int = logging.INFO) -> logging.Logger:
    """Configure the root logger to write to ``log_path`` (created with its folder) and stderr.

    Args:
        log_path: The rule's log file; ``None`` logs to stderr only.
        level: The logging level.

    Returns:
        The ``vigilance`` logger.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    formatter = logging.Formatter(LOG_FORMAT)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path is not None:
        log_path = Path(log_path)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    return logging.getLogger("vigilance")


@contextlib.contextmanager
def script_context(snakemake) -> Iterator[logging.Logger]:
    """Run a workflow script body with logging to its rule's log file.

    Args:
        snakemake: The ``snakemake`` object Snakemake injects into scripts.

    Yields:
        A logger. Any exception is logged (a :class:`VigilanceError` by its message, anything
        else with its traceback) and re-raised.
    """
    log_path = snakemake.log[0] if len(snakemake.log) else None
    logger = setup_logging(log_path)
    logger.info("rule %s started", snakemake.rule)
    try:
        yield logger
    except VigilanceError as err:
        logger.error("%s", err)
        raise
    except Exception:
        logger.exception("rule %s failed", snakemake.rule)
        raise
    logger.info("rule %s finished", snakemake.rule)
