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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import yaml

from backendgen import __version__
from backendgen.agents.providers import settings_from_environment
from backendgen.agents.registry import AGENT_NAMES
from backendgen.commands import project as project_commands
from backendgen.commands import report as report_command
from backendgen.commands import update as update_command
from backendgen.commands import verify as verify_command
from backendgen.errors import BackendgenError, ConflictError, UserInputError
from backendgen.generator.destination import check_destination
from backendgen.generator.pipeline import (
    PROVIDERS,
    GenerationOptions,
    check_description,
    check_options,
    generate,
)
from backendgen.generator.progress import LiveProgress, PlainProgress, Progress
from backendgen.generator.questionnaire import collect_answers
from backendgen.generator.report import REPORT_PATH, Report
from backendgen.generator.template_source import resolve_template
from backendgen.questions.domain import DomainSpec

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


def add_trust_option(group: argparse._ActionsContainer) -> None:
    """Add ``--trust`` to a command or argument group."""
    group.add_argument(
        "--trust",
        action="store_true",
        help="allow a --template's Jinja extensions (the bundled template is always trusted)",
    )


def add_llm_options(command: argparse.ArgumentParser) -> None:
    """Add the provider, model and budget options shared by the commands that run agents."""
    llm = command.add_argument_group("agents")
    llm.add_argument(
        "--provider",
        help=f"one of {', '.join(PROVIDERS)} (default: openai when OPENAI_API_KEY or "
        "OPENAI_BASE_URL is set, else blueprint)",
    )
    llm.add_argument("--base-url", help="OpenAI-compatible endpoint (or OPENAI_BASE_URL)")
    llm.add_argument("--model", help="model name (or BACKENDGEN_MODEL)")
    llm.add_argument("--model-path", type=Path, help="GGUF model for --provider local")
    llm.add_argument("--mode", help="instructor mode: tools, json_schema, json, md_json")
    llm.add_argument(
        "--max-parallel", type=int, default=3, metavar="N", help="LLM requests at once"
    )
    llm.add_argument(
        "--batch-size",
        type=int,
        default=4,
        metavar="N",
        help="entities per core request: larger domains are asked in parallel groups",
    )
    llm.add_argument(
        "--token-budget", type=int, default=4000, metavar="N", help="tokens one request may use"
    )
    llm.add_argument("--prices", type=Path, metavar="FILE", help="price table (YAML)")
    llm.add_argument("--timeout", type=float, default=60.0, metavar="S", help="per LLM request")
    llm.add_argument(
        "--retries", type=int, default=2, metavar="N", help="re-asks after an invalid answer"
    )
    llm.add_argument(
        "--no-cache", action="store_true", help="ask the model again; replay and store nothing"
    )
    llm.add_argument(
        "--refresh-agent",
        action="append",
        default=[],
        choices=AGENT_NAMES,
        metavar="NAME",
        help="ask again for this agent instead of replaying its cached answers (repeatable)",
    )
    llm.add_argument(
        "--max-cost",
        type=float,
        metavar="USD",
        help="run-level spend cap: past it, the remaining agents fall back to blueprints",
    )


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


def _agent_table(report: Report) -> list[str]:
    """The per-agent table: source, tokens, cost, own time, commit and fallback reason."""
    header = ["agent", "source", "tokens", "cost", "time", "commit"]
    rows = [
        [
            agent.name,
            agent.source,
            f"{agent.prompt_tokens}+{agent.completion_tokens}",
            f"${agent.cost_usd:.4f}",
            f"{agent.seconds:.1f}s",
            agent.commit[:10],
        ]
        for agent in report.agents
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    reasons = [agent.fallback_reason or "" for agent in report.agents]
    if any(reasons):
        header.append("fallback reason")
        widths.append(0)
        rows = [[*row, reason] for row, reason in zip(rows, reasons, strict=True)]
    return [
        "  " + "  ".join(cell.ljust(size) for cell, size in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]


def summary_lines(
    report: Report, destination: Path, verb: str = "generated", next_steps: Sequence[str] = ()
) -> list[str]:
    """The end-of-run summary: the agents' table, the totals, and the next steps.

    Args:
        report: The run's report.
        destination: The project.
        verb: What was done (``generated``, ``regenerated``).
        next_steps: Commands for the user, one per line (none when empty).

    Returns:
        The summary's lines.
    """
    totals = report.totals()
    lines = [
        f"{verb} {destination} in {totals['seconds']:.1f}s with provider {report.provider}",
        *_agent_table(report),
        f"  total: {totals['requests']} requests, "
        f"{totals['prompt_tokens']}+{totals['completion_tokens']} tokens, "
        f"${totals['cost_usd']:.4f}; {totals['replayed']} answers replayed from the cache; "
        f"saved {report.savings.get('percentage', 0.0)}% of tokens",
        f"  {report.spend_line()}",
        f"report: {destination / REPORT_PATH}",
    ]
    if next_steps:
        lines += ["next steps:", *(f"  {step}" for step in next_steps)]
    return lines


def print_report(
    report: Report, destination: Path, verb: str = "generated", next_steps: Sequence[str] = ()
) -> None:
    """Print the end-of-run summary (see :func:`summary_lines`) on stdout."""
    print("\n".join(summary_lines(report, destination, verb, next_steps)), flush=True)


def options_from_args(args: argparse.Namespace, **extra: Any) -> GenerationOptions:
    """Build the generation options from the shared agent flags (and ``extra``)."""
    return GenerationOptions(
        provider=args.provider,
        model=args.model,
        base_url=args.base_url,
        max_parallel=args.max_parallel,
        entities_per_request=args.batch_size,
        use_cache=not args.no_cache,
        refresh_agents=tuple(args.refresh_agent),
        max_cost_usd=args.max_cost,
        mode=args.mode,
        model_path=args.model_path,
        token_budget=args.token_budget,
        prices=args.prices,
        timeout_seconds=args.timeout,
        validation_retries=args.retries,
        **extra,
    )


@contextmanager
def progress_display(agents: list[str]) -> Iterator[Progress]:
    """A live table on a terminal, plain lines otherwise."""
    if sys.stderr.isatty():
        with LiveProgress(agents) as live:
            yield live
    else:
        yield PlainProgress()


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
