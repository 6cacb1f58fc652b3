"""Streaming progress: while an agent waits on the model, the live display counts its tokens.

The loopback server streams each answer in server-sent chunks (after the time to first
token, at a set tokens per second); the real ``openai`` client reads them. A display that
follows tokens (the live table) gets them as they arrive; plain output (no TTY) asks for whole
answers and prints one line per event.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from backendgen.generator.pipeline import GenerationOptions, generate
from backendgen.generator.progress import AgentClock, LiveProgress, PlainProgress
from tests.fakes import running_server
from tests.integration.test_llm_wire import ANSWERS, LLM_PORT, consistent_model

pytestmark = pytest.mark.slow


class FollowingProgress(PlainProgress):
    """Plain lines, and a count of each agent's streamed tokens."""

    def __init__(self) -> None:
        super().__init__(io.StringIO())
        self.tokens: Counter[str] = Counter()
        self.calls = 0

    def agent_tokens(self, name: str, tokens: int) -> None:
        self.tokens[name] += tokens
        self.calls += 1


def test_answers_stream_to_a_display_that_follows_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    given = ANSWERS.model_dump(mode="json", exclude={"requirements"})
    follow = FollowingProgress()
    plain = io.StringIO()
    with running_server(consistent_model, latency=(0.05, 4000)) as fake:
        options = GenerationOptions(provider="openai", base_url=fake.base_url, use_cache=False)
        streamed = generate(tmp_path / "live", given, options=options, progress=follow)
        bodies = fake.bodies
        whole = generate(tmp_path / "plain", given, options=options, progress=PlainProgress(plain))
        plain_bodies = fake.bodies[len(bodies) :]
    assert all(body.get("stream") is True for body in bodies)
    assert not any(body.get("stream") for body in plain_bodies)
    by_agent = {a.name: a for a in streamed.agents}
    assert set(follow.tokens) == set(by_agent)
    for name, agent in by_agent.items():
        assert agent.source == "llm"
        assert follow.tokens[name] == agent.completion_tokens  # every token seen, once
    assert follow.calls > len(bodies)  # several updates per answer, not one at the end
    assert (
        streamed.totals()["completion_tokens"]
        == fake.usage_totals().completion_tokens - (whole.totals()["completion_tokens"])
    )
    answers = yaml.safe_load((tmp_path / "live" / ".copier-answers.yml").read_text())
    assert answers["slot_devops_infrastructure"]["port"] == LLM_PORT
    lines = plain.getvalue().splitlines()
    assert len([line for line in lines if line.startswith("devops_infrastructure ")]) == 3


def test_the_live_table_shows_tokens_so_far_and_elapsed_time() -> None:
    now = [100.0]
    live = LiveProgress(["core_backend", "testing_qa"], io.StringIO(), AgentClock(lambda: now[0]))
    live.agent_started("core_backend")
    live.agent_tokens("core_backend", 40)
    live.agent_tokens("core_backend", 83)
    now[0] = 102.5
    console = Console(file=io.StringIO(), width=120)
    console.print(live._table())
    row = next(
        line
        for line in console.file.getvalue().splitlines()
        if "core_backend" in line  # type: ignore[attr-defined]
    )
    assert "running" in row
    assert "123 so far" in row
    assert "2.5s" in row
