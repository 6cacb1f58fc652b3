"""Run the checks and show them: a timed pass/fail table (rich) and the same as JSON."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from backendgen.errors import CheckFailedError, ToolMissingError
from backendgen.verify.checks import CHECKS
from backendgen.verify.context import Context

PASSING = frozenset({"pass", "n/a"})
"""Statuses that let ``verify`` exit 0."""

STYLES = {"pass": "green", "n/a": "dim", "fail": "bold red", "missing": "bold yellow"}
"""How each status is shown."""


@dataclass(frozen=True)
class Result:
    """What one check found."""

    check: str
    """The check's name."""
    status: str
    """``pass``, ``n/a``, ``fail`` or ``missing`` (its tool is not installed)."""
    seconds: float
    """How long it ran."""
    detail: str
    """A short summary, or for ``missing`` how to install the tool."""
    output: str = ""
    """The failing tool's output (``fail`` only)."""


def run_checks(context: Context, names: Iterable[str], echo: Console | None = None) -> list[Result]:
    """Run the named checks in order and time each.

    Args:
        context: The project and where to write.
        names: Names of :data:`~backendgen.verify.checks.CHECKS`.
        echo: Where to say which check starts (nothing when None).

    Returns:
        One result per check.
    """
    results = []
    for name in names:
        if echo is not None:
            echo.print(f"verify: {name} ...", highlight=False)
        started = time.monotonic()
        try:
            status, detail = CHECKS[name](context)
            output = ""
        except CheckFailedError as failure:
            status, detail, output = "fail", _summary(str(failure)), str(failure)
        except ToolMissingError as missing:
            status, detail, output = "missing", str(missing), ""
        results.append(Result(name, status, round(time.monotonic() - started, 2), detail, output))
    return results


def _summary(output: str) -> str:
    """The last meaningful line of a failing tool's output (its own summary)."""
    lines = [line.strip(" =") for line in output.splitlines() if line.strip(" =")]
    return lines[-1][:200] if lines else "failed"


def passed(results: list[Result]) -> bool:
    """Whether every check ran and passed (or had nothing to check)."""
    return all(result.status in PASSING for result in results)


def print_table(results: list[Result], console: Console) -> None:
    """Print each failure's output, then the table of every check with its time."""
    for result in results:
        if result.status == "fail":
            console.rule(f"{result.check} failed")
            console.print(result.output[-4000:], markup=False, highlight=False)
    table = Table(title="backendgen verify")
    for column in ("check", "status", "time", "detail"):
        table.add_column(column, justify="right" if column == "time" else "left")
    for result in results:
        table.add_row(
            result.check,
            f"[{STYLES[result.status]}]{result.status}[/]",
            f"{result.seconds:.1f}s",
            result.detail,
        )
    console.print(table)
    verdict = "all checks passed" if passed(results) else "verify FAILED"
    console.print(f"{verdict}: {sum(r.seconds for r in results):.1f}s in all", highlight=False)


def write_json(results: list[Result], project: Path, target: Path) -> None:
    """Write the table as JSON: the project, the verdict and one row per check."""
    document = {
        "project": str(project),
        "passed": passed(results),
        "checks": [asdict(result) for result in results],
    }
    target.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
