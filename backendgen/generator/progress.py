"""Progress of a generation: a live per-agent table on a terminal, plain lines otherwise.

An agent is ``pending`` until it starts, ``running`` while it computes its spec, ``ready``
once its spec is computed and it waits for the agents before it to commit (commits follow the
DAG order), ``committing`` while its slot is rendered and committed, then ``done``. Its time
is its own work: the spec and the commit, not the wait in line.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Protocol, TextIO, TypeVar, runtime_checkable

from rich.console import Console
from rich.live import Live
from rich.table import Table

from backendgen.llm.report import AgentReport


class Progress(Protocol):
    """Receives what a generation is doing."""

    def line(self, text: str) -> None:
        """A one-line message (steps, warnings)."""

    def agent_started(self, name: str) -> None:
        """An agent began its work."""

    def agent_finished(self, report: AgentReport) -> None:
        """An agent's spec is committed."""


@runtime_checkable
class CommitProgress(Protocol):
    """Also receives the steps between an agent's spec and its commit (optional)."""

    def agent_ready(self, report: AgentReport) -> None:
        """An agent's spec is computed; it waits for its turn to commit."""

    def agent_committing(self, name: str) -> None:
        """An agent's slot is being rendered and committed."""


@runtime_checkable
class TokenProgress(Protocol):
    """Also follows the tokens of answers as they stream in (optional: the live display)."""

    def agent_tokens(self, name: str, tokens: int) -> None:
        """``tokens`` more tokens of the agent's answer arrived."""


class _Outcome(Protocol):
    @property
    def report(self) -> AgentReport: ...


Outcome = TypeVar("Outcome", bound=_Outcome)


def spec_ready(progress: Progress, outcome: Outcome, since: float | None = None) -> Outcome:
    """Tell ``progress`` that an agent's spec is computed, when it listens for that.

    Args:
        progress: The generation's progress.
        outcome: The agent's outcome; its report has the source, tokens and the spec's time.
        since: When the generation began (``time.perf_counter``): the report then records when
            the agent started (now less the spec's time) and when its spec was ready.

    Returns:
        ``outcome``.
    """
    if since is not None:
        ready = time.perf_counter() - since
        outcome.report.ready_s = round(ready, 4)
        outcome.report.started_s = round(max(0.0, ready - outcome.report.seconds), 4)
    if isinstance(progress, CommitProgress):
        progress.agent_ready(outcome.report)
    return outcome


def commit_started(progress: Progress, name: str) -> float:
    """Tell ``progress`` that an agent's commit began, when it listens for that.

    Args:
        progress: The generation's progress.
        name: The agent.

    Returns:
        When the commit began (``time.perf_counter``), to add its time to the agent's.
    """
    if isinstance(progress, CommitProgress):
        progress.agent_committing(name)
    return time.perf_counter()


def commit_finished(
    progress: Progress, report: AgentReport, started: float, since: float | None = None
) -> None:
    """Add the commit's time to the agent's own time, and tell ``progress`` it is done.

    Args:
        progress: The generation's progress.
        report: The agent's report, with its commit.
        started: What :func:`commit_started` returned.
        since: When the generation began: the report then records when the commit was made.
    """
    now = time.perf_counter()
    report.seconds = round(report.seconds + now - started, 4)
    if since is not None:
        report.finished_s = round(now - since, 4)
    progress.agent_finished(report)


class PlainProgress:
    """One line per event, for logs and pipes."""

    def __init__(self, stream: TextIO | None = None) -> None:
        """Write to ``stream`` (stderr by default)."""
        self.stream = stream or sys.stderr
        self._lock = threading.Lock()  # agents report from worker threads

    def line(self, text: str) -> None:
        """Print the message as one whole line."""
        with self._lock:
            self.stream.write(text + "\n")
            self.stream.flush()

    def agent_started(self, name: str) -> None:
        """Print that the agent started."""
        self.line(f"{name:<26} running")

    def agent_ready(self, report: AgentReport) -> None:
        """Print that the agent's spec is ready and waits to be committed."""
        self.line(
            f"{report.name:<26} spec ready ({report.source}, {report.seconds:.1f}s), "
            "waiting to commit"
        )

    def agent_committing(self, name: str) -> None:
        """Nothing: the commit's line follows soon."""

    def agent_finished(self, report: AgentReport) -> None:
        """Print the agent's source, tokens, cost, own time and commit."""
        self.line(
            f"{report.name:<26} {report.source:<9} {report.prompt_tokens}+"
            f"{report.completion_tokens} tokens ${report.cost_usd:.4f} "
            f"{report.seconds:.1f}s {report.commit[:10]}"
        )


class SilentProgress(PlainProgress):
    """Discards everything (library use)."""

    def line(self, text: str) -> None:
        """Drop the message."""


class AgentClock:
    """Each agent's own time: it runs while the agent works, and stops while it waits."""

    def __init__(self, now: Callable[[], float] = time.perf_counter) -> None:
        """Start with no time spent; ``now`` reads the time in seconds."""
        self.now = now
        self.spent: dict[str, float] = {}
        self.since: dict[str, float] = {}

    def resume(self, name: str) -> None:
        """The agent (re)starts working."""
        self.since[name] = self.now()

    def pause(self, name: str) -> None:
        """The agent stops working (it waits)."""
        started = self.since.pop(name, None)
        if started is not None:
            self.spent[name] = self.spent.get(name, 0.0) + self.now() - started

    def seconds(self, name: str) -> float | None:
        """The agent's time so far; None before it started."""
        if name not in self.spent and name not in self.since:
            return None
        running = self.now() - self.since[name] if name in self.since else 0.0
        return self.spent.get(name, 0.0) + running


STATES = {
    "pending": "pending",
    "running": "running",
    "ready": "spec ready, waiting to commit",
    "committing": "committing",
    "done": "done",
}
"""How the live table shows each state of an agent."""


class LiveProgress(PlainProgress):
    """A live table of the agents: state, source, tokens, cost, own time.

    The table is transient: it is erased when the run ends, and the summary printed after it
    is the only one left on the screen.
    """

    def __init__(
        self, agents: list[str], stream: TextIO | None = None, clock: AgentClock | None = None
    ) -> None:
        """Show one row per agent name, timed by ``clock``."""
        super().__init__(stream)
        self.rows: dict[str, dict[str, str]] = {name: {"state": "pending"} for name in agents}
        self.streamed: dict[str, int] = {}
        self.clock = clock or AgentClock()
        self.lock = threading.Lock()
        self.live = Live(
            get_renderable=self._table,
            console=Console(file=self.stream),
            auto_refresh=True,
            transient=True,
        )

    def __enter__(self) -> LiveProgress:
        """Start drawing."""
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop drawing and erase the table."""
        self.live.__exit__(None, None, None)

    def _table(self) -> Table:
        table = Table("agent", "state", "source", "tokens", "cost", "time")
        with self.lock:
            for name, row in self.rows.items():
                seconds = self.clock.seconds(name)
                elapsed = row.get("time") or ("" if seconds is None else f"{seconds:.1f}s")
                streamed = self.streamed.get(name)
                so_far = f"{streamed} so far" if streamed and row["state"] == "running" else ""
                table.add_row(
                    name,
                    STATES[row["state"]],
                    row.get("source", ""),
                    row.get("tokens", so_far),
                    row.get("cost", ""),
                    elapsed,
                )
        return table

    def line(self, text: str) -> None:
        """Print the message above the table."""
        self.live.console.print(text, highlight=False, markup=False)

    def _set(self, name: str, state: str) -> None:
        with self.lock:
            self.rows.setdefault(name, {})["state"] = state
        self.live.refresh()

    def agent_started(self, name: str) -> None:
        """Mark the agent running and start its clock."""
        self.clock.resume(name)
        self._set(name, "running")

    def agent_tokens(self, name: str, tokens: int) -> None:
        """Count the agent's streamed tokens; the table shows them while it runs."""
        with self.lock:
            self.streamed[name] = self.streamed.get(name, 0) + tokens

    def agent_ready(self, report: AgentReport) -> None:
        """Mark the agent's spec ready; its clock stops while it waits to commit."""
        self.clock.pause(report.name)
        with self.lock:
            self.rows.setdefault(report.name, {})["source"] = _source(report)
        self._set(report.name, "ready")

    def agent_committing(self, name: str) -> None:
        """Mark the agent committing; its clock runs again."""
        self.clock.resume(name)
        self._set(name, "committing")

    def agent_finished(self, report: AgentReport) -> None:
        """Fill the agent's row."""
        self.clock.pause(report.name)
        with self.lock:
            self.rows[report.name] = {
                "state": "done",
                "source": _source(report),
                "tokens": f"{report.prompt_tokens}+{report.completion_tokens}",
                "cost": f"${report.cost_usd:.4f}",
                "time": f"{report.seconds:.1f}s",
            }
        self.live.refresh()


def _source(report: AgentReport) -> str:
    return report.source + (" (fallback)" if report.fallback_reason else "")
