"""Configuration: validation against the JSON schema, defaults, and a stable hash.

Configuration flows one way: config.yaml (plus any ``--configfile`` overrides) -> this module's
:func:`validate_config` (fills defaults, rejects unknown keys, wrong types and out-of-range
values) -> rule params -> a typed dataclass inside each script.

Snakemake's own ``snakemake.utils.validate`` reports only the first error and, for an unknown
nested key, not where it sits; here every error is collected and named by its dotted path and
by the config file that set it.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from vigilance.core.errors import VigilanceError

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "config.schema.yaml"


def load_yaml(path: str | Path) -> Any:
    """Read a YAML file, turning a syntax error into a :class:`VigilanceError`."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as err:
        raise VigilanceError("file not found", file=path, expected="an existing YAML file") from err
    except yaml.YAMLError as err:
        raise VigilanceError(
            f"not valid YAML ({err})", file=path, expected="a YAML mapping"
        ) from err


def load_schema(path: str | Path = SCHEMA_PATH) -> dict:
    """Load the config schema (YAML, JSON Schema draft 2020-12)."""
    return load_yaml(path)


def fill_defaults(config: dict, schema: Mapping) -> dict:
    """Fill missing keys from the schema's ``default`` values, recursing into nested objects.

    Unlike the recipe in the jsonschema FAQ, a missing nested section is created from the
    defaults of its own properties, so a config may omit a whole section, and every entry of a
    map of named objects (``additionalProperties`` with ``properties``) gets its defaults.

    Args:
        config: The user's configuration (not modified).
        schema: The (sub)schema of an object with ``properties``.

    Returns:
        A deep copy of ``config`` with defaults filled in.
    """
    result = copy.deepcopy(config)
    for key, subschema in schema.get("properties", {}).items():
        if key not in result:
            if "default" in subschema:
                result[key] = copy.deepcopy(subschema["default"])
            elif "properties" in subschema:
                result[key] = {}
            else:
                continue
        nested = "properties" in subschema or isinstance(
            subschema.get("additionalProperties"), dict
        )
        if isinstance(result[key], dict) and nested:
            result[key] = fill_defaults(result[key], subschema)
    # A map of named entries (e.g. data sets): fill each entry from the entry schema.
    entry = schema.get("additionalProperties")
    if isinstance(entry, dict) and "properties" in entry:
        for key, value in result.items():
            if key not in schema.get("properties", {}) and isinstance(value, dict):
                result[key] = fill_defaults(value, entry)
    return result


def _dotted(path: Iterable[Any]) -> str:
    return ".".join(str(p) for p in path) or "<top level>"


def _lookup(node: Any, path: list) -> bool:
    """Whether the nested mapping ``node`` sets ``path``."""
    for part in path:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_dict or in_list:
            node = node[part]
        else:
            return False
    return True


def _source_of(path: list, sources: list[Path], overrides: Mapping | None = None) -> str:
    """Where ``path`` was set: ``--config`` first, then the config files, last one first."""
    if overrides and _lookup(dict(overrides), path):
        return "command line (--config)"
    for source in reversed(sources):
        try:
            node = load_yaml(source)
        except VigilanceError:
            continue
        if _lookup(node, path):
            return str(source)
    return "config (schema default)"


def _describe(error, sources: list[Path], overrides: Mapping | None) -> str:
    """One line per schema violation, naming the file, the key, the value and the expectation."""
    path = list(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        lines = []
        for key in extra:
            full = [*path, key]
            lines.append(
                f"{_source_of(full, sources, overrides)}: unknown key '{_dotted(full)}' "
                f"(expected one of: {', '.join(allowed)})"
            )
        return "\n".join(lines)
    where = _source_of(path, sources, overrides)
    expected = {
        "type": lambda: f"type {error.validator_value}",
        "enum": lambda: f"one of {error.validator_value}",
        "minimum": lambda: f">= {error.validator_value}",
        "maximum": lambda: f"<= {error.validator_value}",
        "exclusiveMinimum": lambda: f"> {error.validator_value}",
        "exclusiveMaximum": lambda: f"< {error.validator_value}",
        "minItems": lambda: f"at least {error.validator_value} item(s)",
        "uniqueItems": lambda: "unique items",
        "pattern": lambda: f"a string matching {error.validator_value!r}",
        "required": lambda: f"the keys {error.validator_value}",
    }.get(error.validator, lambda: error.message)()
    return f"{where}: key '{_dotted(path)}' has value {error.instance!r} (expected {expected})"


def validate_config(
    config: Mapping,
    sources: Iterable[str | Path] = (),
    schema: Mapping | None = None,
    overrides: Mapping | None = None,
) -> dict:
    """Validate a configuration and return it with defaults filled in.

    Args:
        config: The merged configuration as Snakemake loaded it.
        sources: The config files it came from, lowest precedence first (used to name the file
            that set a bad key).
        schema: The schema; by default ``workflow/schemas/config.schema.yaml``.
        overrides: Values given on the command line with ``--config`` (highest precedence).

    Returns:
        The resolved configuration (a new dict).

    Raises:
        VigilanceError: Listing every violation, one per line.
    """
    from jsonschema import Draft202012Validator

    schema = load_schema() if schema is None else schema
    sources = [Path(s) for s in sources]
    if not isinstance(config, Mapping):
        raise VigilanceError(
            "the configuration is not a mapping", value=config, expected="a YAML mapping"
        )
    resolved = fill_defaults(dict(config), schema)
    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(resolved), key=lambda e: list(map(str, e.path)))
    if errors:
        details = "\n".join(_describe(e, sources, overrides) for e in errors)
        raise VigilanceError(f"invalid configuration:\n{details}", file=_files(sources))
    return resolved


def _files(sources: list[Path]) -> str:
    return ", ".join(str(s) for s in sources) if sources else "config"


def config_hash(config: Mapping) -> str:
    """SHA-256 of the configuration's canonical JSON (sorted keys), for the manifest."""
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
