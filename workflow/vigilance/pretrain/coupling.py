"""Coupled hyper-parameters of the pre-training sweep, drawn so that every trial can run.

Some architecture choices constrain others: the
attention heads must divide the width they attend over (``d_model``, or with upscaling
``none`` the data's own width, 9 or 18 features), ``attention_concat`` needs ``d_model`` above
every data width, and the upscaling attention's heads must divide every data width. Sampled
independently, whole levels of a space can never run (no head count of {2, 4, 8} divides 9,
so every ``none`` trial used to be pruned). The sweep therefore samples these conditionally
(:func:`suggest_valid`), as Optuna's define-by-run spaces are meant to be used: after the
unconstrained
choices, each coupled parameter whose offered values are not all valid in this branch is
drawn again from the valid ones under a branch name ``<name>|<key>=<value>`` (e.g.
``n_heads|upscaling=none``), and that value is the one used. Under ``none`` no offered head
count may fit; then the divisors of the data's width up to the largest offered count are
offered (1 and 3 for 9 and 18 features). A value that no branch can use is a configuration
error, raised with the field that offers it. :func:`resolve_coupled` maps branch names back
onto the canonical ones, for a sweep's best parameters as for a trial.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from vigilance.core.errors import VigilanceError

# Coupled parameters in the order they are fixed (each may depend on those before it).
COUPLED = ("d_model", "n_heads", "upscaling_heads")


def _branch(name: str, params: dict) -> str:
    """The condition a coupled parameter's valid values depend on, as ``key=value``."""
    if name == "n_heads" and params["upscaling"] != "none":
        return f"d_model={params['d_model']}"
    return f"upscaling={params['upscaling']}"


def _fits(name: str, value, params: dict, widths: list[int]) -> bool:
    """Whether ``value`` of coupled parameter ``name`` fits the other choices and the data."""
    upscaling = params["upscaling"]
    if name == "d_model":
        return upscaling != "attention_concat" or value > max(widths)
    if name == "n_heads":
        spans = widths if upscaling == "none" else [params["d_model"]]
        return all(width % value == 0 for width in spans)
    # upscaling_heads: only the attention upscalings have them.
    return not upscaling.startswith("attention") or all(width % value == 0 for width in widths)


def coupled_choices(name: str, offered: list, params: dict, widths: list[int]) -> list:
    """The values of coupled parameter ``name`` valid with ``params`` (see the docstring)."""
    valid = [v for v in offered if _fits(name, v, params, widths)]
    if not valid and name == "n_heads" and params["upscaling"] == "none":
        common = math.gcd(*widths)
        valid = [h for h in range(1, max(offered) + 1) if common % h == 0]
    return valid


def _offered(name: str, space: dict, fixed: dict) -> list:
    return list(space[name]) if name in space else [fixed[name]]


def check_space(space: dict, fixed: dict, widths: list[int], field: str = "pretrain.sweep.space"):
    """Raise when a level of ``upscaling`` leaves a coupled parameter no valid value, or when
    an offered value of a coupled parameter is valid in no branch."""
    usable: dict[str, set] = {name: set() for name in COUPLED}

    def valid(name, params):
        offered = _offered(name, space, fixed)
        values = coupled_choices(name, offered, params, widths)
        if not values:
            raise VigilanceError(
                f"no {name} fits upscaling {params['upscaling']!r} (d_model "
                f"{params.get('d_model')}) and {widths} features",
                field=f"{field}.{name}" if name in space else f"pretrain.model.{name}",
                value=offered,
                expected=f"at least one value valid for upscaling {params['upscaling']!r}",
            )
        usable[name].update(values)
        return values

    for upscaling in _offered("upscaling", space, fixed):
        params = {**fixed, "upscaling": upscaling}
        for d_model in valid("d_model", params):
            valid("n_heads", {**params, "d_model": d_model})
        valid("upscaling_heads", params)
    for name in COUPLED:
        never = [v for v in _offered(name, space, fixed) if v not in usable[name]]
        if never and name in space:
            raise VigilanceError(
                f"these values of {name} fit no configured architecture: {never}",
                field=f"{field}.{name}",
                value=space[name],
                expected=f"values that fit the other choices and {widths} features",
            )


def suggest_valid(
    trial, space: dict, fixed: dict, widths: list[int], suggest: Callable[..., dict]
) -> dict:
    """Sample one valid point of ``space``: ``suggest`` for every parameter, then the coupled
    ones again from their valid values where the branch restricts them (module docstring).

    Args:
        trial: The Optuna trial.
        space: The configured space (``pretrain.sweep.space``).
        fixed: The fixed flat hyper-parameters (values not in the space).
        widths: Every data width the architecture must fit (the sweep's and the grid's).
        suggest: The sweep's sampler of a space, ``suggest(trial, space) -> dict``.

    Returns:
        The sampled parameters (space names only), coupled ones resolved to the values used.
    """
    check_space(space, fixed, widths)
    params = dict(suggest(trial, space))
    current = {**fixed, **params}
    for name in COUPLED:
        offered = _offered(name, space, fixed)
        valid = coupled_choices(name, offered, current, widths)
        if valid != offered:
            current[name] = trial.suggest_categorical(f"{name}|{_branch(name, current)}", valid)
            params[name] = current[name]
    return params


def resolve_coupled(params: dict) -> dict:
    """Canonical parameters: each ``<name>|<key>=<value>`` whose condition holds sets ``name``;
    every branch name is dropped."""
    out = {k: v for k, v in params.items() if "|" not in k}
    for name in COUPLED:
        for key, value in params.items():
            if key.startswith(f"{name}|"):
                condition, expected = key.split("|", 1)[1].split("=", 1)
                if str(out.get(condition)) == expected:
                    out[name] = value
    return out
