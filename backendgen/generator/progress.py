"""Progress of a generation: a live per-agent table on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import threading
import time
from typing import Protocol, TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table

from backendgen.generator.report import AgentReport


class Progress(Protocol):
    """Receives what a generation is doing."""

    def line(self, text: str) -> None:
        """A one-line message (steps, warnings)."""

    def agent_started(self, name: str) -> None:
        """An agent began its work."""

    def agent_finished(self, report: AgentReport) -> None:
        """An agent's spec is committed."""


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

    def agent_finished(self, report: AgentReport) -> None:
        """Print the agent's source, tokens, cost and commit."""
        self.line(
            f"{report.name:<26} {report.source:<9} {report.prompt_tokens}+"
            f"{report.completion_tokens} tokens ${report.cost_usd:.4f} "
            f"{report.seconds:.1f}s {report.commit[:10]}"
        )


class SilentProgress(PlainProgress):
    """Discards everything (library use)."""

    def line(self, text: str) -> None:
        """Drop the message."""


class LiveProgress(PlainProgress):
    """A live table of the six agents: state, source, tokens, cost, elapsed."""

    def __init__(self, agents: list[str], stream: TextIO | None = None) -> None:
        """Show one row per agent name."""
        super().__init__(stream)
        self.rows: dict[str, dict[str, str]] = {name: {"state": "waiting"} for name in agents}
        self.started: dict[str, float] = {}
        self.lock = threading.Lock()
        self.live = Live(self._table(), console=Console(file=self.stream), auto_refresh=True)

    def __enter__(self) -> LiveProgress:
        """Start drawing."""
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop drawing, leaving the final table."""
        self.live.update(self._table())
        self.live.__exit__(None, None, None)

    def _table(self) -> Table:
        table = Table("agent", "state", "source", "tokens", "cost", "elapsed")
        now = time.perf_counter()
        for name, row in self.rows.items():
            elapsed = row.get("elapsed") or (
                f"{now - self.started[name]:.1f}s" if name in self.started else ""
            )
            table.add_row(
                name,
                row["state"],
                row.get("source", ""),
                row.get("tokens", ""),
                row.get("cost", ""),
                elapsed,
            )
        return table

    def line(self, text: str) -> None:
        """Print the message above the table."""
        self.live.console.print(text, highlight=False, markup=False)

    def agent_started(self, name: str) -> None:
        """Mark the agent running."""
        with self.lock:
            self.started[name] = time.perf_counter()
            self.rows[name]["state"] = "running"
            self.live.update(self._table())

    def agent_finished(self, report: AgentReport) -> None:
        """Fill the agent's row."""
        with self.lock:
            self.rows[report.name] = {
                "state": "done",
                "source": report.source + (" (fallback)" if report.fallback_reason else ""),
                "tokens": f"{report.prompt_tokens}+{report.completion_tokens}",
                "cost": f"${report.cost_usd:.4f}",
                "elapsed": f"{report.seconds:.1f}s",
            }
            self.live.update(self._table())
