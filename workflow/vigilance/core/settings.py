"""A script's one typed settings object, built from its rule's params.

A rule's ``params`` carry exactly the config keys its script reads (Snakemake reruns a job
when its params change, so an extra key reruns jobs for nothing). Each script declares those
keys once, as the fields of a frozen dataclass, and builds it with :func:`settings_from`,
which refuses params that differ from the fields: a key the rule passes but the script never
reads, or one the script needs but the rule does not pass, stops the job at once.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

from vigilance.core.errors import VigilanceError

T = TypeVar("T")


def settings_from(cls: type[T], params: Any, rule: str = "", **extra: Any) -> T:
    """The dataclass ``cls`` from a rule's named params plus ``extra`` values (wildcards).

    Args:
        cls: A dataclass whose fields are the settings the script reads.
        params: ``snakemake.params`` (anything with ``items()``: name, value pairs) or a dict.
        rule: The rule's name, for the message.
        extra: Further fields that are not params (wildcards, threads).

    Raises:
        VigilanceError: The params' names differ from the fields (naming both sides).
    """
    given = {**dict(params.items()), **extra}
    names = [f.name for f in fields(cls)]
    missing = [name for name in names if name not in given]
    unexpected = sorted(set(given) - set(names))
    if missing or unexpected:
        where = f"rule {rule}" if rule else f"the rule of {cls.__qualname__}"
        raise VigilanceError(
            f"params differ from the script's settings (missing {missing}, "
            f"unexpected {unexpected})",
            file=where,
            field="params",
            value=sorted(given),
            expected=f"exactly {names}",
        )
    return cls(**given)
