"""What the commands share: the agent and trust options, the run summary and progress."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from backendgen.agents.registry import AGENT_NAMES
from backendgen.generator.pipeline import PROVIDERS, GenerationOptions
from backendgen.generator.progress import LiveProgress, PlainProgress, Progress
from backendgen.llm.report import REPORT_PATH, Report


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
