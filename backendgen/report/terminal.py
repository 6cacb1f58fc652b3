"""The report as rich tables on the terminal: the same sections as the HTML page."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from backendgen.report.model import ACTIONS, ProjectReport


def _agents(report: ProjectReport) -> Table:
    table = Table(title="Agents")
    for column in ("agent", "source", "ran (lane)", "re-asks", "tokens", "cost", "commit"):
        table.add_column(column, overflow="fold")
    table.add_column("fallback reason", overflow="fold")

    def span(start: float | None, ready: float | None, finish: float | None) -> str:
        if start is None or finish is None:
            return "-"
        return f"{start:.2f}-{ready if ready is not None else start:.2f}s, commit {finish:.2f}s"

    for agent, lane in zip(report.agents, report.lanes(), strict=True):
        ran = span(agent.started_s, agent.ready_s, agent.finished_s)
        table.add_row(
            escape(agent.name),
            escape(agent.source),
            ran + (f" ({lane + 1})" if report.has_timeline else ""),
            str(agent.retries),
            f"{agent.prompt_tokens}+{agent.completion_tokens}",
            f"${agent.cost_usd:.4f}",
            agent.commit[:10],
            escape(agent.fallback_reason),
        )
    return table


def _entities(report: ProjectReport) -> Table:
    table = Table(title="Entities (ER diagram)")
    table.add_column("entity")
    table.add_column("fields")
    table.add_column("references")
    for entity in report.entities:
        refs = [
            f"{r.name} -> {r.target} ({r.kind})"
            for r in report.relations
            if r.source == entity.name
        ]
        table.add_row(
            escape(entity.name),
            escape(", ".join(f"{name}: {kind}" for name, kind in entity.fields)),
            escape("\n".join(refs)),
        )
    return table


def _permissions(report: ProjectReport) -> Table:
    table = Table(title="Permission matrix (C R U D)")
    table.add_column("entity")
    for role in report.roles:
        table.add_column(escape(role))
    for entity in report.entities:
        cells = []
        for role in report.roles:
            granted = report.permissions.get((role, entity.name), frozenset())
            cells.append(" ".join(a[0].upper() if a in granted else "-" for a in ACTIONS))
        table.add_row(escape(entity.name), *cells)
    return table


def _commits(report: ProjectReport) -> Table:
    table = Table(title="Agent commits")
    for column in ("commit", "agent", "source", "subject", "changed files"):
        table.add_column(column)
    for commit in report.commits:
        source = commit.source + (
            f" (fallback: {commit.fallback_reason})" if commit.fallback_reason else ""
        )
        table.add_row(
            commit.sha[:10],
            escape(commit.agent),
            escape(source),
            escape(commit.subject),
            escape("\n".join(commit.files)),
        )
    return table


def print_tables(report: ProjectReport, console: Console | None = None) -> None:
    """Print the report's sections as tables.

    Args:
        report: The project's report data.
        console: Where to print (stdout by default).
    """
    out = console or Console(width=None if sys.stdout.isatty() else 160)
    out.print(
        f"report of {escape(report.project)}: provider {escape(report.provider)}, "
        f"template {escape(report.template_ref)}, {report.seconds:.2f}s",
        highlight=False,
    )
    for table in (_agents(report), _entities(report), _permissions(report), _commits(report)):
        out.print(table)
