"""The generation report: per agent source, tokens, cost, time and commit."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

Source = Literal["llm", "cache", "blueprint"]

REPORT_PATH = Path(".backendgen") / "report.json"
"""Where the report is written inside the generated project."""


@dataclass
class AgentReport:
    """What one agent did."""

    name: str
    source: Source
    model: str
    fallback_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0
    requests: int = 0
    """Requests sent to the model."""
    retries: int = 0
    replayed: int = 0
    """Answers replayed from the cache instead of being asked for again."""
    commit: str = ""
    started_s: float | None = None
    """When the agent started, in seconds from the generation's start (None: not timed)."""
    ready_s: float | None = None
    """When its spec was ready, likewise."""
    finished_s: float | None = None
    """When its commit was made, likewise."""


@dataclass
class Report:
    """What the whole generation did."""

    project: str
    template: str
    template_ref: str | None
    provider: str
    agents: list[AgentReport] = field(default_factory=list)
    seconds: float = 0.0
    savings: dict[str, float | int] = field(default_factory=dict)
    """Measured tokens avoided by caching and compression (see ``generator.savings``)."""
    max_cost_usd: float | None = None
    """The run's spend cap (``--max-cost``); None for none."""
    design: AgentReport | None = None
    """The domain design from ``--describe`` (counted in the totals), if any."""

    def _spending(self) -> list[AgentReport]:
        return [*self.agents, *([self.design] if self.design is not None else [])]

    def totals(self) -> dict[str, float | int]:
        """Sum tokens, cost, time and requests over the agents."""
        spending = self._spending()
        return {
            "prompt_tokens": sum(a.prompt_tokens for a in spending),
            "completion_tokens": sum(a.completion_tokens for a in spending),
            "cost_usd": round(sum(a.cost_usd for a in spending), 6),
            "seconds": round(self.seconds, 3),
            "agent_seconds": round(sum(a.seconds for a in self.agents), 3),
            "requests": sum(a.requests for a in spending),
            "replayed": sum(a.replayed for a in spending),
        }

    def spend_line(self) -> str:
        """The run's spend, against its cap when there is one."""
        spent = sum(a.cost_usd for a in self._spending())
        if self.max_cost_usd is None:
            return f"spend: ${spent:.4f} (no cap)"
        return f"spend: ${spent:.4f} of the ${self.max_cost_usd:.4f} cap"

    def to_dict(self) -> dict[str, object]:
        """Return the report with the per-agent entries and the totals."""
        data = asdict(self)
        data["totals"] = self.totals()
        return data

    def to_json(self) -> str:
        """Serialise :meth:`to_dict`."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def write(self, project: Path) -> Path:
        """Write the report into ``project`` and return its path."""
        path = project / REPORT_PATH
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json(), encoding="utf-8")
        return path
