"""Sub-commands that work on one generated project's agents: ``regenerate``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parsers(commands: Any) -> None:
    """Register ``regenerate`` on the CLI's sub-parsers."""
    from backendgen import cli

    again = commands.add_parser("regenerate", help="re-run one agent on a generated project")
    again.add_argument("destination", type=Path, metavar="DEST", help="a generated project")
    again.add_argument("--agent", required=True, help="the agent to re-run")
    again.add_argument("--requirements", help="new free-text requirements")
    cli.add_trust_option(again)
    cli.add_llm_options(again)
    again.set_defaults(handler=regenerate_command)


def regenerate_command(args: argparse.Namespace) -> int:
    """Run ``backendgen regenerate``."""
    from backendgen import cli
    from backendgen.generator.regenerate import regenerate

    with cli.progress_display([args.agent]) as progress:
        report = regenerate(
            args.destination,
            args.agent,
            requirements=args.requirements,
            options=cli.options_from_args(args, trust=args.trust),
            progress=progress,
        )
    cli.print_report(report, args.destination, "regenerated")
    return 0
