"""Geometry of the report's two charts: the agents' timeline and their tokens and cost.

The timeline puts each agent in a lane (agents that ran at the same time get different lanes)
with two bars: producing its spec (coloured by source) and waiting for and making its commit.
The usage chart has one row per agent with a bar for its tokens and one for its cost, each
scaled to the largest. The HTML template draws the shapes and escapes every label.
"""

from __future__ import annotations

from dataclasses import dataclass

from backendgen.report.model import ProjectReport

LABEL_WIDTH = 210
PLOT_WIDTH = 560
LANE_HEIGHT = 34
ROW_HEIGHT = 26


@dataclass(frozen=True)
class TimelineBar:
    """One agent on the timeline."""

    name: str
    source: str
    lane: int
    y: float
    spec_x: float
    spec_width: float
    commit_x: float
    commit_width: float
    retries: int
    fallback: bool
    title: str


@dataclass(frozen=True)
class Timeline:
    """The timeline's bars, its size and its scale (seconds at the right end)."""

    width: float
    height: float
    seconds: float
    lanes: int
    lane_names: tuple[str, ...]
    """Each lane's agents, in order."""
    scaffold_width: float
    """The bar before the first agent started (the scaffold's render and commit)."""
    bars: tuple[TimelineBar, ...]


@dataclass(frozen=True)
class UsageRow:
    """One agent's tokens and cost bars."""

    name: str
    y: float
    tokens: int
    tokens_width: float
    cost_usd: float
    cost_width: float


@dataclass(frozen=True)
class Usage:
    """The usage chart's rows and size."""

    width: float
    height: float
    rows: tuple[UsageRow, ...]


def timeline(report: ProjectReport) -> Timeline | None:
    """The agents' timeline, or None when the report has no start and finish times."""
    if not report.has_timeline:
        return None
    lanes = report.lanes()
    seconds = max([a.finished_s or 0.0 for a in report.agents] + [report.seconds, 1e-3])
    scale = PLOT_WIDTH / seconds
    bars = []
    for agent, lane in zip(report.agents, lanes, strict=True):
        start = agent.started_s or 0.0
        ready = agent.ready_s if agent.ready_s is not None else start
        finish = agent.finished_s or ready
        bars.append(
            TimelineBar(
                name=agent.name,
                source=agent.source,
                lane=lane,
                y=10 + lane * LANE_HEIGHT,
                spec_x=LABEL_WIDTH + start * scale,
                spec_width=max(2.0, (ready - start) * scale),
                commit_x=LABEL_WIDTH + ready * scale,
                commit_width=max(2.0, (finish - ready) * scale),
                retries=agent.retries,
                fallback=bool(agent.fallback_reason),
                title=(
                    f"{agent.name}: {agent.source}, spec {start:.2f}-{ready:.2f}s, "
                    f"committed at {finish:.2f}s, {agent.retries} re-asks"
                    + (f", fallback: {agent.fallback_reason}" if agent.fallback_reason else "")
                ),
            )
        )
    lane_count = max(lanes) + 1
    names = tuple(
        ", ".join(a.name for a, n in zip(report.agents, lanes, strict=True) if n == lane)
        for lane in range(lane_count)
    )
    return Timeline(
        width=LABEL_WIDTH + PLOT_WIDTH + 40,
        height=20 + lane_count * LANE_HEIGHT + 44,
        seconds=seconds,
        lanes=lane_count,
        lane_names=names,
        scaffold_width=min(a.started_s or 0.0 for a in report.agents) * scale,
        bars=tuple(bars),
    )


def usage(report: ProjectReport) -> Usage:
    """The per-agent tokens and cost chart."""
    most_tokens = max([a.tokens for a in report.agents] + [1])
    most_cost = max([a.cost_usd for a in report.agents] + [1e-9])
    half = PLOT_WIDTH / 2 - 20
    rows = tuple(
        UsageRow(
            name=agent.name,
            y=24 + index * ROW_HEIGHT,
            tokens=agent.tokens,
            tokens_width=half * agent.tokens / most_tokens,
            cost_usd=agent.cost_usd,
            cost_width=half * agent.cost_usd / most_cost,
        )
        for index, agent in enumerate(report.agents)
    )
    return Usage(LABEL_WIDTH + PLOT_WIDTH + 60, 30 + len(rows) * ROW_HEIGHT, rows)
