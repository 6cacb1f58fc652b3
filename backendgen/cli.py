"""The ``backendgen`` command line: a thin layer over :mod:`backendgen.generator.pipeline`.

Exit codes: 0 success, 2 bad input (one line on stderr, nothing written), 1 internal error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import yaml

from backendgen import __version__
from backendgen.agents.registry import AGENT_NAMES
from backendgen.commands import project as project_commands
from backendgen.commands import update as update_command
from backendgen.errors import BackendgenError, ConflictError, UserInputError
from backendgen.generator.pipeline import PROVIDERS, GenerationOptions, generate
from backendgen.generator.progress import LiveProgress, PlainProgress, Progress
from backendgen.generator.report import REPORT_PATH, Report
from backendgen.questions.domain import DomainSpec


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UserInputError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="backendgen", description=__doc__.splitlines()[0] if __doc__ else "")
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
        "-d", "--data", action="append", default=[], metavar="KEY=VALUE", help="one answer"
    )
    template = new.add_argument_group("template")
    template.add_argument("--template", metavar="SRC", help="template git URL or path")
    template.add_argument("--vcs-ref", metavar="REF", help="template tag or commit")
    add_trust_option(template)
    add_llm_options(new)
    new.set_defaults(handler=_new)
    project_commands.add_parsers(commands)
    update_command.add_parsers(commands)
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
    llm.add_argument("--no-cache", action="store_true", help="ignore cached LLM responses")


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


def _given_answers(args: argparse.Namespace) -> dict[str, Any]:
    given = _read_answers_file(args.answers) if args.answers else {}
    for item in args.data:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserInputError(f"--data expects KEY=VALUE, got '{item}'")
        given[key] = yaml.safe_load(value) if key == "compliance" else value
    return given


def print_report(report: Report, destination: Path, verb: str = "generated") -> None:
    """Print the run's per-agent figures and totals."""
    totals = report.totals()
    print(f"{verb} {destination} in {totals['seconds']:.1f}s with provider {report.provider}")
    for agent in report.agents:
        reason = f"  ({agent.fallback_reason})" if agent.fallback_reason else ""
        print(
            f"  {agent.name:<26} {agent.source:<9} "
            f"{agent.prompt_tokens}+{agent.completion_tokens} tokens  "
            f"${agent.cost_usd:.4f}  {agent.commit[:10]}{reason}"
        )
    totals = report.totals()
    print(
        f"  total: {totals['requests']} requests, "
        f"{totals['prompt_tokens']}+{totals['completion_tokens']} tokens, "
        f"${totals['cost_usd']:.4f}; saved {report.savings.get('percentage', 0.0)}% of tokens"
    )
    print(f"report: {destination / REPORT_PATH}")


def options_from_args(args: argparse.Namespace, **extra: Any) -> GenerationOptions:
    """Build the generation options from the shared agent flags (and ``extra``)."""
    return GenerationOptions(
        provider=args.provider,
        model=args.model,
        base_url=args.base_url,
        max_parallel=args.max_parallel,
        entities_per_request=args.batch_size,
        use_cache=not args.no_cache,
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
    given = _given_answers(args)
    interactive = not args.defaults and not args.answers and sys.stdin.isatty()
    options = options_from_args(
        args,
        template=args.template,
        vcs_ref=args.vcs_ref,
        interactive=interactive,
        trust=args.trust,
    )
    with progress_display(list(AGENT_NAMES)) as progress:
        report = generate(
            args.destination, given, domain_file=args.domain, options=options, progress=progress
        )
    print_report(report, args.destination)
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
        print("backendgen: interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
