"""The ``backendgen`` command line: a thin layer over the generation pipeline.

Exit codes: 0 success, 2 bad input (one line on stderr, nothing written), 1 internal error,
3 merge conflicts, 130 interrupted (one line, nothing written).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import yaml

from backendgen.agents.registry import AGENT_NAMES
from backendgen.commands import project as project_commands
from backendgen.commands import report as report_command
from backendgen.commands import update as update_command
from backendgen.commands import verify as verify_command
from backendgen.commands.shared import (
    add_llm_options,
    add_trust_option,
    options_from_args,
    print_report,
    progress_display,
)
from backendgen.errors import BackendgenError, ConflictError, UserInputError
from backendgen.generator.destination import check_destination
from backendgen.generator.pipeline import (
    check_description,
    check_options,
    generate,
)
from backendgen.generator.questionnaire import collect_answers
from backendgen.generator.template_source import resolve_template
from backendgen.llm.providers import settings_from_environment
from backendgen.questions.domain import DomainSpec
from backendgen.version import __version__

DESCRIPTION = (
    "Generate production-grade backends from a Copier template: six agents fill it, "
    "one git commit each."
)
"""What ``backendgen --help`` says the tool does (one plain line)."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UserInputError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="backendgen", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"backendgen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    new = commands.add_parser("new", help="generate a backend into DEST")
    new.add_argument("destination", type=Path, metavar="DEST", help="missing or empty directory")
    given = new.add_argument_group("answers")
    given.add_argument("--defaults", action="store_true", help="take every unanswered default")
    given.add_argument("--answers", type=Path, metavar="FILE.yml", help="answers file (YAML)")
    given.add_argument(
        "--domain", type=Path, metavar="FILE", help="domain spec: YAML, or JDL (.jdl/.jh)"
    )
    given.add_argument(
        "--describe",
        metavar="TEXT",
        help="describe the business domain in prose; the core agent designs it (needs an LLM)",
    )
    given.add_argument(
        "--application",
        metavar="NAME",
        help="with a multi-application JDL --domain: the application (baseName) to generate",
    )
    given.add_argument(
        "-d",
        "--data",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="one answer (repeatable); compliance=gdpr,hipaa or compliance= for none",
    )
    template = new.add_argument_group("template")
    template.add_argument("--template", metavar="SRC", help="template git URL or path")
    template.add_argument("--vcs-ref", metavar="REF", help="template tag or commit")
    add_trust_option(template)
    add_llm_options(new)
    new.set_defaults(handler=_new)
    project_commands.add_parsers(commands)
    update_command.add_parsers(commands)
    verify_command.add_parsers(commands)
    report_command.add_parsers(commands)
    schema = commands.add_parser("schema", help="print a JSON Schema (for editors)")
    schema.add_argument("which", choices=sorted(SCHEMAS), help="which document")
    schema.set_defaults(handler=_schema)
    return parser


def _read_answers_file(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UserInputError(f"{path}: cannot read answers file ({error.strerror})") from None
    except yaml.YAMLError:
        raise UserInputError(f"{path}: answers file is not valid YAML") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise UserInputError(f"{path}: answers file must be a mapping of question: answer")
    return {k: v for k, v in loaded.items() if not str(k).startswith("_")}


def parse_compliance(value: str) -> list[str]:
    """Parse ``-d compliance=...``: ``gdpr``, ``gdpr,hipaa``, ``[gdpr, hipaa]``; empty is none.

    Args:
        value: The text after ``compliance=``.

    Returns:
        The regimes, as given (the answers check validates them).

    Raises:
        UserInputError: For a YAML list that does not parse or holds something but names.
    """
    text = value.strip()
    if not text.startswith("["):
        return [part.strip() for part in text.split(",") if part.strip()]
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        raise UserInputError(f"compliance: '{value}' is not a YAML list") from None
    if not isinstance(loaded, list) or not all(isinstance(item, str) for item in loaded):
        raise UserInputError(f"compliance: '{value}' must list regime names")
    return loaded


def _given_answers(args: argparse.Namespace) -> dict[str, Any]:
    given = _read_answers_file(args.answers) if args.answers else {}
    for item in args.data:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserInputError(f"--data expects KEY=VALUE, got '{item}'")
        given[key] = parse_compliance(value) if key == "compliance" else value
    return given


def new_project_next_steps(destination: Path) -> list[str]:
    """The commands to run after ``backendgen new`` made ``destination``.

    Args:
        destination: The new project, as the user named it.

    Returns:
        One step per line.
    """
    where = shlex.quote(str(destination))
    return [
        f"cd {where}",
        "make test      # sets up the project's .venv and runs its tests",
        "make run       # serves the API with uvicorn",
        f"later, to take a newer template: backendgen update {where}",
        f"  (or plain Copier: cd {where} && copier update --trust --defaults)",
    ]


def _new(args: argparse.Namespace) -> int:
    if args.application is not None and args.domain is None:
        raise UserInputError("--application needs --domain FILE.jdl")
    given = _given_answers(args)
    interactive = not args.defaults and not args.answers and sys.stdin.isatty()
    options = options_from_args(
        args,
        template=args.template,
        vcs_ref=args.vcs_ref,
        trust=args.trust,
        application=args.application,
    )
    # Bad flags fail before the first question, not after the last one.
    check_options(options)
    check_description(args.describe, given, args.domain, options)
    llm = settings_from_environment(
        options.provider, options.model, options.base_url, options.mode, options.model_path
    )
    check_destination(args.destination)
    # Every question is answered before the live display starts: it would draw over prompts.
    collected = collect_answers(
        args.destination,
        given,
        resolve_template(options.template, options.vcs_ref, trust=options.trust),
        domain_file=args.domain,
        interactive=interactive,
        application=args.application,
        can_describe=llm is not None,
    )
    answers = collected.answers
    description = args.describe if args.describe is not None else collected.description
    if description is not None:  # the designed domain replaces the questionnaire's
        answers = {k: v for k, v in answers.items() if k != "domain"}
    with progress_display(list(AGENT_NAMES)) as progress:
        report = generate(
            args.destination,
            answers,
            domain_file=collected.domain_file,
            options=options,
            progress=progress,
            description=description,
        )
    print_report(report, args.destination, next_steps=new_project_next_steps(args.destination))
    return 0


SCHEMAS = {"domain": DomainSpec}
"""Documents whose JSON Schema ``backendgen schema`` prints."""


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(SCHEMAS[args.which].model_json_schema(), indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` when None.

    Returns:
        The exit code.
    """
    try:
        args = _parser().parse_args(argv)
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except UserInputError as error:
        print(f"backendgen: error: {error}", file=sys.stderr)
        return error.exit_code
    except ConflictError as error:
        print(f"backendgen: {error}", file=sys.stderr)
        for path in error.files:
            print(f"  conflict: {path}", file=sys.stderr)
        for step in error.next_steps:
            print(f"  next: {step}", file=sys.stderr)
        return error.exit_code
    except BackendgenError as error:
        print(f"backendgen: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        _quiet_teardown()
        print("backendgen: interrupted; nothing was written", file=sys.stderr)
        return 130


def _quiet_teardown() -> None:
    """After Ctrl-C, let what the interrupt cut short be torn down without noise.

    An interrupt can land anywhere, e.g. while asyncio builds its event loop: the half-built
    loop then reports errors from its finalizer, and an unstarted coroutine warns. The user
    asked to stop; the one line that says so is all they should see.
    """
    sys.unraisablehook = lambda _: None
    warnings.simplefilter("ignore")


if __name__ == "__main__":
    sys.exit(main())
