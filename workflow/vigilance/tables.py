"""The table writer: CSV for machines, a rendering for people.

Every table the workflow makes is written as CSV (read back by later rules and by users) and as
a self-contained HTML page (the Snakemake report shows images and HTML, not CSV), optionally
also as Markdown for a thesis.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from vigilance.core.io import atomic_path, write_text

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 1em; }
h1 { font-size: 1.1em; }
p.caption { color: #444; max-width: 60em; }
table.vigilance { border-collapse: collapse; font-size: 0.9em; }
table.vigilance th, table.vigilance td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
table.vigilance th { background: #f2f2f2; text-align: left; }
table.vigilance td { font-variant-numeric: tabular-nums; }
table.vigilance tr:nth-child(even) td { background: #fafafa; }
"""


def render_html(
    df: pd.DataFrame, title: str, caption: str = "", float_format: str = "{:.4g}"
) -> str:
    """A standalone, offline HTML page (inline CSS, no scripts) showing ``df``.

    Args:
        df: The table; its index is shown only when it is named.
        title: The heading.
        caption: A sentence or two under the heading (plain text, escaped).
        float_format: A ``str.format`` pattern for floats.
    """
    show_index = any(name is not None for name in df.index.names)
    body = df.to_html(
        classes="vigilance",
        index=show_index,
        border=0,
        na_rep="",
        float_format=float_format.format,
        escape=True,
    )
    caption_html = f'<p class="caption">{html.escape(caption)}</p>' if caption else ""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{caption_html}{body}</body></html>\n"
    )


def write_table(
    df: pd.DataFrame,
    csv_path: str | Path,
    html_path: str | Path | None = None,
    *,
    title: str = "",
    caption: str = "",
    markdown_path: str | Path | None = None,
    float_format: str = "{:.4g}",
) -> None:
    """Write ``df`` as CSV and, where asked, as HTML and Markdown, each atomically.

    Args:
        df: The table.
        csv_path: The CSV output (full precision, no index unless it is named).
        html_path: The HTML rendering for the report.
        title: Heading of the HTML page (defaults to the CSV file's stem).
        caption: Text under the heading.
        markdown_path: Optional Markdown rendering (GitHub pipe table).
        float_format: Float format of the human renderings.
    """
    show_index = any(name is not None for name in df.index.names)
    with atomic_path(csv_path) as tmp:
        df.to_csv(tmp, index=show_index)
    if html_path is not None:
        page = render_html(df, title or Path(csv_path).stem, caption, float_format)
        write_text(html_path, page)
    if markdown_path is not None:
        shown = df.reset_index() if show_index else df
        write_text(markdown_path, _markdown(shown, float_format) + "\n")


def _markdown(df: pd.DataFrame, float_format: str) -> str:
    def cell(value) -> str:
        if isinstance(value, float):
            return "" if pd.isna(value) else float_format.format(value)
        return str(value).replace("|", "\\|")

    header = "| " + " | ".join(map(str, df.columns)) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([header, rule, *rows])
