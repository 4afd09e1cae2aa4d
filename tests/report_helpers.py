"""Reading the Snakemake report as Snakemake builds it: the front page and the embedded results.

``render_front_page`` repeats what ``snakemake --report`` does with ``report/workflow.rst``
(snakemake/report/__init__.py, ``auto_report``): Jinja with ``trim_blocks`` and
``lstrip_blocks``, the resolved config in scope as ``snakemake.config``, the category and file
link targets appended, then docutils' ``publish_parts(..., writer_name="html")["html_body"]``.
``report_results`` reads the results a built report embeds (the HTML reporter's
``var results = {...}``: one entry per output marked ``report()``, keyed by its path).
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from conftest import REPO

# Lists the DAG's outputs marked report() as `snakemake --report` finds them (auto_report: every
# job of the DAG, every output flagged 'report'); in a process of its own, as Snakemake's API
# expects one workflow per process. Arguments: the workflow folder, then its config files.
_LIST_REPORT_OUTPUTS = """
import json, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.io import is_flagged
from snakemake.settings.enums import Quietness
from snakemake.settings.types import ConfigSettings, DAGSettings, OutputSettings, ResourceSettings

cwd, configfiles = Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
with SnakemakeApi(OutputSettings(quiet={Quietness.ALL})) as api:
    workflow_api = api.workflow(
        resource_settings=ResourceSettings(),
        config_settings=ConfigSettings(configfiles=configfiles),
        snakefile=cwd / "Snakefile",
        workdir=cwd,
    )
    workflow_api.dag(DAGSettings())
    workflow = workflow_api._workflow  # the public API lists no jobs
    workflow._prepare_dag(
        forceall=False, ignore_incomplete=False, lock_warn_only=False, nolock=True
    )
    workflow._build_dag()
    marked = {str(f) for job in workflow.dag.jobs for f in job.output if is_flagged(f, "report")}
print(json.dumps(sorted(marked)))
"""

FRONT_PAGE = REPO / "report" / "workflow.rst"
# What auto_report appends to the front page before rendering (the link targets of the panels;
# the category and file targets follow, one per category and result of the run).
RST_LINKS = """

.. _Workflow: javascript:show_panel('workflow')
.. _Statistics: javascript:show_panel('statistics')
"""


def render_front_page(config: dict, text: str | None = None) -> tuple[str, str]:
    """The front page for a resolved config: (the reStructuredText, the HTML body)."""
    from docutils.core import publish_parts
    from jinja2 import Environment

    env = Environment(trim_blocks=True, lstrip_blocks=True)

    class Snakemake:
        pass

    Snakemake.config = config
    source = (FRONT_PAGE.read_text() if text is None else text) + RST_LINKS
    rst = env.from_string(source).render(snakemake=Snakemake, categories={}, files=[])
    return rst, publish_parts(rst, writer_name="html")["html_body"]


def source_headings(text: str) -> list[str]:
    """Section titles of a template: a text line underlined by a line of '=' or '-' alone."""
    lines = text.splitlines()
    return [
        title.strip()
        for title, under in itertools.pairwise(lines)
        if title.strip()
        and not title.lstrip().startswith(("{", ".."))
        and re.fullmatch(r"=+|-+", under.strip())
    ]


class _Headings(HTMLParser):
    """Collects the text of every <h1>..<h6> element."""

    def __init__(self):
        super().__init__()
        self.headings: list[str] = []
        self._open = 0

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self._open += 1
            self.headings.append("")

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag) and self._open:
            self._open -= 1

    def handle_data(self, data):
        if self._open:
            self.headings[-1] += data


def html_headings(html: str) -> list[str]:
    """The text of every heading element of an HTML fragment, whitespace collapsed."""
    parser = _Headings()
    parser.feed(html)
    return [" ".join(h.split()) for h in parser.headings]


def _script_value(html: str, script_id: str, name: str):
    """The JSON value of ``<script id="<script_id>"> var <name> = ...;`` in the report."""
    match = re.search(rf'<script id="{script_id}">\s*var {name} = ', html)
    assert match, f"the report has no <script id={script_id!r}> with 'var {name}'"
    value, _ = json.JSONDecoder().raw_decode(html, match.end())
    return value


def report_results(report: Path) -> dict[str, dict]:
    """The results embedded in a built report, by path (name, caption, rule, data URI, ...)."""
    return _script_value(report.read_text(), "results", "results")


def report_front_page(report: Path) -> str:
    """The rendered front page (workflow.rst) embedded in a built report, as HTML."""
    return _script_value(report.read_text(), "workflow-desc", "workflow_desc")


def resolved_config(*configfiles: Path) -> dict:
    """The config a run sees: config.yaml, each --configfile merged on top as Snakemake merges
    them (``snakemake.utils.update_config``), validated with defaults filled (common.smk)."""
    import yaml
    from snakemake.utils import update_config

    from vigilance.core.config import validate_config

    config: dict = {}
    sources = [REPO / "config.yaml", *configfiles]
    for path in sources:
        update_config(config, yaml.safe_load(Path(path).read_text()) or {})
    return validate_config(config, sources)


def dag_report_outputs(cwd: Path, configfiles: list[Path]) -> list[str]:
    """Every output of the workflow's DAG in ``cwd`` that its rule marks ``report()``."""
    proc = subprocess.run(
        [sys.executable, "-c", _LIST_REPORT_OUTPUTS, str(cwd), *map(str, configfiles)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])
