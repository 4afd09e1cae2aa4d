"""The config schema: shipped configs validate, every key is documented, bad configs fail."""

from __future__ import annotations

import copy

import pytest
import yaml
from conftest import CONFIGS, run_snakemake
from jsonschema import Draft202012Validator

from vigilance.core.config import config_hash, fill_defaults, load_schema, validate_config
from vigilance.core.errors import VigilanceError


def _load(path):
    return yaml.safe_load(path.read_text())


def _merged(name):
    """A shipped config as Snakemake merges it: config.yaml, then the override file."""
    config = _load(CONFIGS["default"])
    if name != "default":
        config = _deep_update(config, _load(CONFIGS[name]))
    return config


def _deep_update(base, extra):
    result = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _deep_update(result[key], value)
        else:
            result[key] = value
    return result


def _leaves(schema, prefix=""):
    """Every property of the schema with its dotted path."""
    for key, sub in schema.get("properties", {}).items():
        path = f"{prefix}{key}"
        yield path, sub
        if sub.get("type") == "object":
            yield from _leaves(sub, path + ".")


def _undocumented(entry):
    """Keys of a map-entry schema lacking a type, description or default."""
    return [
        f"{key}: incomplete"
        for key, sub in entry.get("properties", {}).items()
        if not {"type", "description", "default"} <= set(sub)
    ] + ([] if entry.get("additionalProperties") is False else ["accepts unknown keys"])


def test_schema_is_valid_draft_2020_12():
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_shipped_configs_validate(name):
    resolved = validate_config(_merged(name), [CONFIGS[name]])
    assert set(resolved) == set(load_schema()["properties"])


def test_every_key_is_typed_described_bounded_and_defaulted():
    problems = []
    for path, sub in _leaves(load_schema()):
        for needed in ("type", "description", "default"):
            if needed not in sub:
                problems.append(f"{path}: no {needed}")
        kind = sub.get("type")
        if (
            kind in ("integer", "number")
            and "enum" not in sub
            and not (
                {"minimum", "exclusiveMinimum"} & set(sub)
                and {"maximum", "exclusiveMaximum"} & set(sub)
            )
        ):
            problems.append(f"{path}: no range")
        if kind == "string" and not ({"enum", "pattern"} & set(sub)):
            problems.append(f"{path}: neither enum nor pattern")
        if kind == "object" and sub.get("additionalProperties") is not False:
            # A map of named entries is fine when its names and entries are both constrained.
            entry = sub.get("additionalProperties")
            if not (isinstance(entry, dict) and "pattern" in sub.get("propertyNames", {})):
                problems.append(f"{path}: accepts unknown keys")
            elif entry.get("type") == "object":
                problems += [f"{path}.*.{p}" for p in _undocumented(entry)]
        if kind == "array" and "items" not in sub:
            problems.append(f"{path}: items untyped")
    assert not problems, problems


def test_defaults_validate_and_config_yaml_equals_them():
    schema = load_schema()
    defaults = fill_defaults({}, schema)
    Draft202012Validator(schema).validate(defaults)
    assert _load(CONFIGS["default"]) == defaults, "config.yaml drifted from the schema defaults"


def test_missing_sections_are_filled_from_defaults():
    resolved = validate_config({"seeds": [7]})
    assert resolved["seeds"] == [7]
    assert resolved["resources"]["train_threads"] == 1
    assert resolved["figures"]["dpi"] == 150


BROKEN = [
    ({"devise": "cpu"}, "devise", "unknown key"),
    ({"resources": {"train_mem": 1000}}, "resources.train_mem", "unknown key"),
    ({"device": "gpu"}, "device", "one of"),
    ({"deterministic": "yes"}, "deterministic", "type boolean"),
    ({"resources": {"gpu": -1}}, "resources.gpu", ">= 0"),
    ({"figures": {"dpi": 10_000}}, "figures.dpi", "<= 600"),
    ({"seeds": []}, "seeds", "at least 1"),
    ({"seeds": [1, 1]}, "seeds", "unique"),
    ({"resources": {"gpu_model": "a100; rm -rf"}}, "resources.gpu_model", "matching"),
]


@pytest.mark.parametrize(("override", "key", "expectation"), BROKEN)
def test_broken_config_names_file_key_and_expectation(tmp_path, override, key, expectation):
    source = tmp_path / "broken.yaml"
    source.write_text(yaml.safe_dump(override))
    config = _deep_update(_load(CONFIGS["default"]), override)
    with pytest.raises(VigilanceError) as info:
        validate_config(config, [CONFIGS["default"], source])
    message = str(info.value)
    assert f"'{key}'" in message
    assert expectation in message
    assert f"{source}:" in message


def test_all_errors_are_reported_at_once():
    with pytest.raises(VigilanceError) as info:
        validate_config({"devise": "cpu", "device": "gpu"})
    assert "'devise'" in str(info.value) and "'device'" in str(info.value)


def test_command_line_override_is_named_as_such():
    with pytest.raises(VigilanceError, match=r"command line \(--config\): key 'device'"):
        validate_config({"device": "tpu"}, [CONFIGS["default"]], overrides={"device": "tpu"})


def test_config_hash_ignores_key_order_but_not_values():
    a = {"seeds": [1, 2], "device": "cpu"}
    b = {"device": "cpu", "seeds": [1, 2]}
    assert config_hash(a) == config_hash(b)
    assert config_hash(a) != config_hash({**a, "device": "auto"})


def test_misspelt_key_stops_snakemake_before_any_job(workflow_copy):
    bad = workflow_copy / "typo.yaml"
    bad.write_text("resources:\n  train_threds: 2\n")
    proc = run_snakemake("--cores", "1", "--configfile", str(bad), cwd=workflow_copy)
    assert proc.returncode != 0
    assert "unknown key 'resources.train_threds'" in proc.stderr
    assert str(bad) in proc.stderr
    assert not (workflow_copy / "results").exists(), "a job ran despite the bad config"


def test_entries_of_a_named_map_get_their_defaults():
    resolved = validate_config({"blink": {"datasets": {"mine": {"path": "/data/mine"}}}})
    mine = resolved["blink"]["datasets"]["mine"]
    assert mine == {
        "path": "/data/mine",
        "enabled": True,
        "feature_sets": ["original", "with_calibration"],
    }


def test_bad_data_set_names_and_keys_are_rejected():
    with pytest.raises(VigilanceError, match=r"blink\.datasets"):
        validate_config({"blink": {"datasets": {"My Data": {"path": "x"}}}})
    with pytest.raises(VigilanceError, match=r"unknown key 'blink\.datasets\.mine\.paht'"):
        validate_config({"blink": {"datasets": {"mine": {"paht": "x"}}}})
