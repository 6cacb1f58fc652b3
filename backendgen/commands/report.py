"""The ``backendgen report`` sub-command: a generated project's report, as tables or HTML."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

DEFAULT_HTML = Path(".backendgen") / "report.html"
"""Where ``--html`` without a file writes the page, inside the project."""


def add_parsers(commands: Any) -> None:
    """Register ``report`` on the CLI's sub-parsers."""
    report = commands.add_parser(
        "report", help="show a generated project's agents, domain, permissions and commits"
    )
    report.add_argument("destination", type=Path, metavar="DEST", help="a generated project")
    report.add_argument(
        "--html",
        nargs="?",
        const=DEFAULT_HTML,
        type=Path,
        metavar="FILE",
        help=f"write one self-contained HTML page (default: DEST/{DEFAULT_HTML})",
    )
    report.set_defaults(handler=report_command)


def report_command(args: argparse.Namespace) -> int:
    """Run ``backendgen report``: print tables, or write the HTML page and print its path."""
    from backendgen.errors import UserInputError
    from backendgen.report.model import load_project_report

    data = load_project_report(args.destination)
    if args.html is None:
        from backendgen.report.terminal import print_tables

        print_tables(data)
        return 0
    from backendgen.report.page import render_html

    target: Path = args.destination / args.html if args.html == DEFAULT_HTML else args.html
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_html(data), encoding="utf-8")
    except OSError as error:
        raise UserInputError(f"{target}: cannot write the report ({error.strerror})") from None
    print(target)
    return 0
