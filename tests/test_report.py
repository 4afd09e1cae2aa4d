"""The report: its front page (report/workflow.rst) renders with every heading for each config,
and the built report of the session's ci run holds every output the DAG marks ``report()``."""

from __future__ import annotations

import copy
import re
from html import unescape
from pathlib import Path

import pytest
from conftest import CONFIGS, ci_run_config
from report_helpers import (
    FRONT_PAGE,
    dag_report_outputs,
    html_headings,
    render_front_page,
    report_front_page,
    report_results,
    resolved_config,
    source_headings,
)

# One section per part, in this order (the report's story); each names its findings table.
SECTIONS = [
    "vigilance",
    "Blink data",
    "Pre-training (theses 000/001)",
    "Fine-tuning for drowsiness (thesis 000)",
    "Eye tracking (ETRA 2021, document 002)",
    "T-SCAF (tree-style multi-task network, document 003)",
    "Multi-task learning (thesis 004)",
    "Environment and reproducibility",
]
FINDINGS = {
    "Blink data": "signal_check.html",
    "Pre-training (theses 000/001)": "results/pretrain/<dataset>/tables/findings.html",
    "Fine-tuning for drowsiness (thesis 000)": "results/finetune/<dataset>/tables/findings.html",
    "Eye tracking (ETRA 2021, document 002)": "comparison.html",
    "T-SCAF (tree-style multi-task network, document 003)": "/tables/findings.html",
    "Multi-task learning (thesis 004)": "results/mtl/<dataset>/tables/findings.html",
    "Environment and reproducibility": "results/manifest/environment.html",
}
# The config key that switches each part onto real data, named in its section.
SWITCHES = {
    "Blink data": ["blink.datasets.<name>.path", "blink.rldd.enabled"],
    "Pre-training (theses 000/001)": ["pretrain.hyperparameters"],
    "Fine-tuning for drowsiness (thesis 000)": ["label_quality: high", "blink.rldd.enabled"],
    "Eye tracking (ETRA 2021, document 002)": ["eyetracking.path", "eyetracking.download"],
    "T-SCAF (tree-style multi-task network, document 003)": ["tree.data.source: folders"],
    "Multi-task learning (thesis 004)": ["mtl.opportunity.path", "mtl.deap.path", "mtl.gaze"],
}


def _real_data(config: dict) -> dict:
    """Every real-data switch on (what the other branches of the template render)."""
    c = copy.deepcopy(config)
    mine = {"enabled": True, "path": "/data/mine", "feature_sets": ["original"]}
    c["blink"]["datasets"]["mine"] = mine
    c["blink"]["rldd"].update(enabled=True, path="/data/rldd")
    c["eyetracking"].update(enabled=True, path="/data/etra", leaky_contrast=False)
    c["tree"]["data"].update(source="folders", fatigue_folder="/f", identity_folder="/i")
    c["mtl"]["opportunity"]["path"] = "/data/opp"
    c["mtl"]["deap"]["path"] = "/data/deap"
    c["mtl"]["gaze"].update(enabled=True, path="/data/etra")
    c["pretrain"]["hyperparameters"] = "thesis"
    return c


def _downloads(config: dict) -> dict:
    c = _real_data(config)
    c["blink"]["rldd"]["path"] = ""
    c["eyetracking"]["download"] = True
    c["mtl"]["opportunity"]["download"] = True
    return c


def _all_off(config: dict) -> dict:
    """Every part and option off: the 'Off in this run' branches."""
    c = copy.deepcopy(config)
    for name in c["blink"]["datasets"]:
        c["blink"]["datasets"][name]["enabled"] = False
    c["blink"]["baselines"]["enabled"] = False
    for part in ("pretrain", "finetune", "tree", "mtl"):
        c[part]["enabled"] = False
    return c


VARIANTS = {
    "default": lambda: resolved_config(),
    "ci": lambda: resolved_config(CONFIGS["ci"]),
    "real_data": lambda: _real_data(resolved_config()),
    "downloads": lambda: _downloads(resolved_config()),
    "all_off": lambda: _all_off(resolved_config(CONFIGS["ci"])),
}


def _sections(html: str) -> dict[str, str]:
    """The text of each section of the rendered front page (tags dropped), by heading."""
    parts = re.split(r"<h[1-6][^>]*>(.*?)</h[1-6]>", html, flags=re.S)
    titles, bodies = parts[1::2], parts[2::2]
    text = [" ".join(unescape(re.sub(r"<[^>]+>", "", body)).split()) for body in bodies]
    return {" ".join(t.split()): body for t, body in zip(titles, text, strict=True)}


def test_the_template_has_one_section_per_part():
    assert source_headings(FRONT_PAGE.read_text()) == SECTIONS


def test_no_text_line_ends_with_a_block_tag():
    # Snakemake renders with trim_blocks: the newline after a block tag is dropped, which glues
    # a text line ending in one to the next line (a lost blank line turns a heading into text).
    for number, line in enumerate(FRONT_PAGE.read_text().splitlines(), 1):
        standalone = re.fullmatch(r"\s*\{%.*%\}\s*", line)
        assert standalone or not line.rstrip().endswith("%}"), f"workflow.rst:{number}: {line}"


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_heading_survives_rendering(variant):
    rst, html = render_front_page(VARIANTS[variant]())
    assert "system-message" not in html, html[html.find("system-message") - 200 :][:1500]
    assert html_headings(html) == SECTIONS, rst
    sections = _sections(html)
    for title, table in FINDINGS.items():
        assert table in sections[title], f"{title}: its findings table {table} is not named"
    for title, keys in SWITCHES.items():
        for key in keys:
            assert key in sections[title], f"{title}: the switch {key} is not named"
    # Each part's findings and real-data notes start their own paragraphs (no swallowed blank
    # line glues them to the text before).
    assert html.count("<p><strong>Real data:</strong>") == len(SWITCHES)


def test_the_sections_follow_the_config():
    _, html = render_front_page(VARIANTS["real_data"]())
    sections = _sections(html)
    assert "/data/mine" in sections["Blink data"] and "/data/rldd" in sections["Blink data"]
    assert "results/finetune/rldd/tables/results.html" in sections[SECTIONS[3]]
    assert "read from /data/etra" in sections[SECTIONS[4]]
    assert "results/tree/folders/tables/findings.html" in sections[SECTIONS[5]]
    assert "/data/opp" in sections[SECTIONS[6]] and "gaze" in sections[SECTIONS[6]]
    _, html = render_front_page(VARIANTS["all_off"]())
    sections = _sections(html)
    for title in SECTIONS[2:7]:
        assert "Off in this run" in sections[title], title
    assert "none (every entry" in sections["Blink data"]


def test_the_heading_check_catches_a_swallowed_blank_line():
    # The front page before these tests: a block tag ending the paragraph before a heading.
    glued = "A\n-\n\n{% if snakemake.config.x %}On.{% else %}Off.{% endif %}\n\nB\n-\n\nText.\n"
    _, html = render_front_page({"x": False}, text=glued)
    assert html_headings(html) == ["A"] and "B -" in " ".join(html.split())
    fixed = glued.replace("{% else %}Off.{% endif %}", "{% else %}Off.{% endif %}.")
    _, html = render_front_page({"x": False}, text=fixed)
    assert html_headings(html) == ["A", "B"]


# ---- the built report of the session's ci run ---------------------------------------------------


@pytest.mark.slow
def test_the_built_report_holds_every_report_output(ci_run):
    results = report_results(ci_run / "results" / "report.html")
    configfiles = [Path(arg) for arg in ci_run_config(ci_run) if arg != "--configfile"]
    expected = set(dag_report_outputs(ci_run, configfiles))
    assert expected, "the DAG marks no output report()"
    missing = sorted(expected - set(results))
    assert not missing, f"marked report() in the DAG but not in the report: {missing}"
    for path, entry in results.items():
        assert entry["data_uri"].startswith("data:"), f"{path} is not embedded"
        assert entry["caption"].strip(), f"{path} has no caption"


@pytest.mark.slow
def test_the_built_report_front_page_has_every_section(ci_run):
    html = report_front_page(ci_run / "results" / "report.html")
    assert "system-message" not in html
    assert html_headings(html) == SECTIONS
