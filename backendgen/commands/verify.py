"""``backendgen verify DEST``: run the quality gate on a generated project and print a table."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from backendgen.errors import UserInputError

ANSWERS_FILE = ".copier-answers.yml"
"""What marks a directory as a generated project."""


def add_parsers(commands: Any) -> None:
    """Register ``verify`` on the CLI's sub-parsers."""
    from backendgen.verify.checks import CHECKS

    verify = commands.add_parser(
        "verify",
        help="run a generated project's tests, linters, validators, migrations and fuzzer",
    )
    verify.add_argument("destination", type=Path, metavar="DEST", help="a generated project")
    verify.add_argument(
        "--check",
        action="append",
        choices=list(CHECKS),
        metavar="NAME",
        help=f"run only this check (repeatable): {', '.join(CHECKS)}",
    )
    verify.add_argument(
        "--python",
        metavar="PATH",
        help="interpreter with the project's dependencies (default: DEST/.venv, else this one)",
    )
    verify.add_argument("--json", type=Path, metavar="FILE", help="also write the table as JSON")
    verify.add_argument(
        "--max-examples", type=int, default=20, metavar="N", help="schemathesis cases per operation"
    )
    verify.add_argument("--seed", type=int, default=1, help="schemathesis seed")
    verify.set_defaults(handler=verify_command)


def _interpreter(project: Path, given: str | None) -> str:
    if given is not None:
        if shutil.which(given) is None:
            raise UserInputError(f"--python {given}: no such interpreter")
        return given
    own = project / ".venv" / "bin" / "python"
    return str(own) if own.exists() else sys.executable


def check_project(project: Path) -> None:
    """Refuse anything but a generated project's directory, in one line.

    Raises:
        UserInputError: If ``project`` is missing, not a directory, or has no answers file.
    """
    if not project.is_dir():
        raise UserInputError(f"{project}: no such directory")
    if not (project / ANSWERS_FILE).is_file() or not (project / "core").is_dir():
        raise UserInputError(f"{project}: not a generated project (no {ANSWERS_FILE} and core/)")


def verify_command(args: argparse.Namespace) -> int:
    """Run ``backendgen verify``: exit 0 only if every check ran and passed."""
    from rich.console import Console

    from backendgen.verify.checks import CHECKS
    from backendgen.verify.context import Context
    from backendgen.verify.report import passed, print_table, run_checks, write_json

    project = args.destination.resolve()
    check_project(project)
    if args.max_examples < 1:
        raise UserInputError("--max-examples must be at least 1")
    if args.json is not None and not args.json.parent.is_dir():
        raise UserInputError(f"--json {args.json}: no such directory")
    python = _interpreter(project, args.python)
    console = Console(highlight=False)
    with tempfile.TemporaryDirectory(prefix="backendgen-verify-") as work:
        context = Context(project, python, Path(work), args.max_examples, args.seed)
        results = run_checks(context, args.check or list(CHECKS), Console(stderr=True))
    print_table(results, console)
    if args.json is not None:
        write_json(results, project, args.json)
    return 0 if passed(results) else 1
