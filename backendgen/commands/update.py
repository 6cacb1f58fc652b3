"""The ``backendgen update`` sub-command (see :mod:`backendgen.generator.update`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from backendgen.commands import shared


def add_parsers(commands: Any) -> None:
    """Register ``update`` on the CLI's sub-parsers."""
    update = commands.add_parser(
        "update",
        help="move a generated project to another template version (no LLM call)",
    )
    update.add_argument("destination", type=Path, metavar="DEST", help="a generated project")
    update.add_argument(
        "--to", metavar="VERSION", help="template version, e.g. v0.2.0 (default: the latest)"
    )
    shared.add_trust_option(update)
    update.set_defaults(handler=update_command)


def update_command(args: argparse.Namespace) -> int:
    """Run ``backendgen update``: print the preview, update, commit (exit 3 on conflicts)."""
    from backendgen.generator.update import update_project

    update_project(
        args.destination, to=args.to, trust=args.trust, say=lambda line: print(line, flush=True)
    )
    return 0
