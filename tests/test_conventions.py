"""Conventions every rule follows: log, conda env listing what its script imports, resources."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

PACKAGE_DIR = REPO / "workflow" / "vigilance"
# Import name -> distribution name, where they differ.
DISTRIBUTION = {
    "sklearn": "scikit-learn",
    "yaml": "pyyaml",
    "PIL": "pillow",
}
# Training and sweep rules: named so, or asking for a GPU.
TRAINING_PREFIXES = ("train_", "pretrain_", "finetune_", "sweep_", "tune_")


def _actionable(rules):
    return [r for r in rules if r.script or r.shellcmd or r.is_run or r.notebook or r.wrapper]


def _rule_file(rule) -> Path:
    return Path(rule.snakefile)


def _resolve(rule, relative: str) -> Path:
    return (_rule_file(rule).parent / relative).resolve()


def third_party_imports(path: Path, seen: set[Path] | None = None) -> set[str]:
    """Top-level names of every non-stdlib, non-vigilance module a script needs, transitively
    through the vigilance modules it imports (imports inside functions included)."""
    seen = set() if seen is None else seen
    if path in seen:
        return set()
    seen.add(path)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top == "vigilance":
                module = PACKAGE_DIR.joinpath(*name.split(".")[1:])
                for candidate in (module.with_suffix(".py"), module / "__init__.py"):
                    if candidate.exists():
                        found |= third_party_imports(candidate, seen)
            elif top not in sys.stdlib_module_names and top != "__future__":
                found.add(top)
    return found


def env_packages(env_file: Path) -> set[str]:
    """Lower-case package names an environment file lists (conda and pip sections)."""
    spec = yaml.safe_load(env_file.read_text())
    names = set()
    for dep in spec.get("dependencies", []):
        entries = dep.get("pip", []) if isinstance(dep, dict) else [dep]
        for entry in entries:
            names.add(re.split(r"[=<>!~\[ ]", entry.strip(), maxsplit=1)[0].lower())
    return names


def test_the_workflow_has_rules(parsed_rules):
    assert "write_manifest" in {r.name for r in parsed_rules["rules"]}


def test_every_rule_with_an_action_has_log_and_conda(parsed_rules):
    problems = []
    for rule in _actionable(parsed_rules["rules"]):
        if not rule.log:
            problems.append(f"{rule.name}: no log")
        if not rule.conda_env:
            problems.append(f"{rule.name}: no conda")
    assert not problems, problems


def test_logs_mirror_outputs_under_logs(parsed_rules):
    for rule in _actionable(parsed_rules["rules"]):
        for log in rule.log:
            assert str(log).startswith("logs/"), f"{rule.name}: log {log} is not under logs/"


def test_conda_files_exist_parse_and_list_what_the_script_imports(parsed_rules):
    problems = []
    for rule in _actionable(parsed_rules["rules"]):
        env_file = _resolve(rule, rule.conda_env)
        if not env_file.exists():
            problems.append(f"{rule.name}: {env_file} missing")
            continue
        listed = env_packages(env_file)
        if "python" not in listed:
            problems.append(f"{rule.name}: {env_file.name} does not pin python")
        if rule.script:
            script = _resolve(rule, rule.script)
            assert script.exists(), f"{rule.name}: script {script} missing"
            for module in sorted(third_party_imports(script)):
                if DISTRIBUTION.get(module, module).lower() not in listed:
                    problems.append(f"{rule.name}: imports {module}, not in {env_file.name}")
    assert not problems, problems


@pytest.mark.parametrize("env_file", sorted((REPO / "envs").glob("*.yaml")), ids=lambda p: p.name)
def test_env_files_pin_the_versions_of_requirements(env_file):
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[re.sub(r"\[.*\]", "", name).lower()] = version.strip()
    spec = yaml.safe_load(env_file.read_text())
    assert spec["channels"][0] == "conda-forge"
    pip = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict))
    for entry in pip:
        name, version = entry.split("==")
        assert pins.get(name.lower()) == version, (
            f"{env_file.name}: {entry} differs from requirements"
        )


def _is_training(rule) -> bool:
    return rule.name.startswith(TRAINING_PREFIXES) or "gpu" in rule.resources


def check_training_rule(rule, config) -> list[str]:
    """What a training rule lacks: benchmark, threads, mem_mb, runtime and gpu from config."""
    problems = []
    if not rule.benchmark:
        problems.append(f"{rule.name}: no benchmark")
    for resource in ("mem_mb", "runtime", "gpu"):
        if resource not in rule.resources:
            problems.append(f"{rule.name}: no {resource} resource")
    if rule.resources.get("_cores") is None:
        problems.append(f"{rule.name}: no threads")
    return problems


def test_training_rules_have_benchmark_and_resources(parsed_rules):
    problems = []
    for rule in parsed_rules["rules"]:
        if _is_training(rule):
            problems += check_training_rule(rule, parsed_rules["config"])
    assert not problems, problems


def test_the_training_rule_check_catches_a_bare_rule():
    class Bare:
        name = "train_model"
        benchmark = None

        def __init__(self):
            self.resources = {"_cores": 1}

    problems = check_training_rule(Bare(), {})
    assert any("benchmark" in p for p in problems)
    assert any("gpu" in p for p in problems)


def test_import_scan_follows_the_package(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(
        "import json\nfrom vigilance.core.device import resolve_device\nimport sklearn\n"
    )
    # device.py imports torch; errors.py (imported by device.py) imports numpy in a function.
    assert third_party_imports(script) == {"sklearn", "torch", "numpy"}


# The package's rooms, lowest first: a room imports only from rooms of a lower layer.
ROOM_LAYERS = {
    "core": 0,
    "evaluation": 1,
    "plots": 2,
    "tables": 2,
    "blink": 3,
    "models": 3,
    "eyetracking": 3,
    "pretrain": 4,
    "finetune": 5,
    "mtl": 6,
    "tree": 6,
}


def room_imports(package: Path) -> dict[str, set[str]]:
    """For each room of the package, the other rooms its modules import from."""
    edges: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        rel = path.relative_to(package).parts
        if rel == ("__init__.py",):
            continue
        room = rel[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                bits = name.split(".")
                if bits[0] == "vigilance" and len(bits) > 1 and bits[1] != room:
                    edges.setdefault(room, set()).add(bits[1])
    return edges


def test_every_room_is_in_a_layer_and_imports_only_from_lower_layers():
    package = REPO / "workflow" / "vigilance"
    rooms = {p.name.removesuffix(".py") for p in package.iterdir()}
    rooms -= {"__init__", "__pycache__", "vigilance.mplstyle"}
    assert rooms == set(ROOM_LAYERS), "add the new room to ROOM_LAYERS (and the README's list)"
    upward = [
        f"{room} imports {other}"
        for room, others in room_imports(package).items()
        for other in others
        if ROOM_LAYERS[other] >= ROOM_LAYERS[room]
    ]
    assert not upward, upward


def test_the_room_check_sees_an_upward_import(tmp_path):
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "x.py").write_text("from vigilance.tree.model import Tree\n")
    assert room_imports(tmp_path) == {"core": {"tree"}}


def test_the_rule_files_import_nothing_heavy():
    # Every Snakemake process parses the rule files: every dry run, every test that starts
    # Snakemake, and every cluster job's own Snakemake. What they import must not pull in
    # PyTorch, scikit-learn, matplotlib or pandas (PyTorch alone was 2.3 s of a 7 s dry run).
    import subprocess

    sources = [REPO / "Snakefile", *sorted((REPO / "workflow" / "rules").glob("*.smk"))]
    modules = sorted(
        {
            m.group(1)
            for path in sources
            for m in re.finditer(r"^from (vigilance[\w.]*) import", path.read_text(), re.M)
        }
    )
    assert "vigilance.pretrain.pretext_names" in modules
    code = (
        f"import sys\nfor m in {modules!r}: __import__(m)\n"
        "print([m for m in ('torch', 'sklearn', 'matplotlib', 'pandas') if m in sys.modules])"
    )
    env = {"PYTHONPATH": str(REPO / "workflow"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", f"the rule files' imports load {out.stdout.strip()}"


def test_the_pretext_names_are_the_registrys():
    from vigilance.pretrain.pretext_names import PRETEXT_NAMES
    from vigilance.pretrain.pretexts import PRETEXTS

    assert tuple(sorted(PRETEXTS)) == PRETEXT_NAMES
