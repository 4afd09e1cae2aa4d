"""One project error type whose message names the file, the field, the value and the expectation.

Every piece of bad input (a malformed file, a wrong config key, a leaking split) raises
:class:`VigilanceError`. Scripts let it propagate: the job exits non-zero, the message lands in
the rule's log, and Snakemake removes the job's partial outputs.
"""

from __future__ import annotations

from typing import Any

_UNSET = object()


class VigilanceError(Exception):
    """Bad input, described so that a user can fix it without reading the code.

    Args:
        problem: What is wrong, in a few words.
        file: The file (or config source) holding the bad input.
        field: The column, key or attribute that is wrong (dotted for nested keys).
        value: The offending value (omit when there is none, e.g. a missing key).
        expected: What would have been accepted.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: Any = None,
        field: str | None = None,
        value: Any = _UNSET,
        expected: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = None if file is None else str(file)
        self.field = field
        if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
            value = value.item()  # a NumPy scalar reads as the plain number in messages
        self.value = None if value is _UNSET else value
        self.has_value = value is not _UNSET
        self.expected = expected
        super().__init__(self._format())

    def _format(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(f"{self.file}:")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        if self.has_value:
            parts.append(f"has value {self.value!r}:")
        elif self.field is not None:
            parts[-1] += ":"
        parts.append(self.problem)
        message = " ".join(parts)
        if self.expected is not None:
            message += f" (expected {self.expected})"
        return message


def require_columns(columns, required, *, file, expected: str) -> None:
    """Raise a :class:`VigilanceError` naming the first of ``required`` not in ``columns``."""
    missing = [c for c in required if c not in columns]
    if missing:
        raise VigilanceError("column missing", file=file, field=missing[0], expected=expected)


def fail_at_first(bad, problem: str, *, file, column: str, values, expected: str) -> None:
    """Raise a :class:`VigilanceError` for the first row where ``bad`` is True, if any.

    Args:
        bad: (N,) booleans, one per row of a table.
        problem: What is wrong.
        file: The table's file.
        column: The column holding the bad value.
        values: The column's values (indexable by position with ``.iloc`` or ``[]``).
        expected: What would have been accepted.
    """
    import numpy as np

    rows = np.flatnonzero(np.asarray(bad, dtype=bool))
    if len(rows):
        row = int(rows[0])
        value = values.iloc[row] if hasattr(values, "iloc") else values[row]
        raise VigilanceError(
            problem, file=file, field=f"{column} (row {row + 1})", value=value, expected=expected
        )
