"""The report as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched.

Every string from the project (entity and field names, descriptions, commit subjects, fallback
reasons) goes through Jinja's autoescaping, so a hostile name shows as text, never as markup.
"""

from __future__ import annotations

from importlib import resources

import jinja2

from backendgen.report.charts import timeline, usage
from backendgen.report.er_layout import layout
from backendgen.report.model import ACTIONS, ProjectReport

SOURCE_COLOURS = {"llm": "#1b5fb5", "cache": "#2d7d46", "blueprint": "#7a4fb0"}
"""The timeline's bar colour for each spec source."""


def render_html(report: ProjectReport) -> str:
    """Render the report page.

    Args:
        report: The project's report data.

    Returns:
        The whole HTML document.
    """
    environment = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    source = resources.files("backendgen.report").joinpath("report.html.jinja").read_text("utf-8")
    return environment.from_string(source).render(
        report=report,
        timeline=timeline(report),
        usage=usage(report),
        diagram=layout(report.entities, report.relations),
        actions=ACTIONS,
        colours=SOURCE_COLOURS,
    )
