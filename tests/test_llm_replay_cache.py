"""The request-level replay cache: a rerun with identical inputs sends nothing.

Counted by the loopback server itself, after successes, after fallbacks (a hostile model
whose schema-valid answers fail the cross-agent checks, re-asks included) and after the core
agent's fan-out; ``--no-cache`` and ``--refresh-agent`` ask again; the cache stays whole
under concurrent writers and within its size limit.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from backendgen.generator.llm_cache import LlmCache, request_key
from tests.fakes import SchemaResponder, request_name, running_server
from tests.test_llm_wire import REQUESTS, _generate, consistent_model

HOSTILE = SchemaResponder()
"""Schema-valid, but inconsistent across agents: every agent re-asks, then falls back."""


def _report(project: Path) -> dict[str, Any]:
    return json.loads((project / ".backendgen" / "report.json").read_text())


@pytest.mark.slow
def test_rerun_after_fallbacks_and_fan_out_sends_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with running_server(HOSTILE) as fake:
        first = _generate(fake.base_url, tmp_path / "a", cache, "--max-parallel", "6")
        sent = len(fake.requests)
        again = _generate(fake.base_url, tmp_path / "b", cache, "--max-parallel", "6")
        after_rerun = len(fake.requests)
    assert first.returncode == again.returncode == 0, again.stderr
    one, two = _report(tmp_path / "a"), _report(tmp_path / "b")
    core_groups = [r for r in fake.bodies if request_name(r) == "CoreBackendSpec"]
    assert len(core_groups) > 3  # the fan-out's groups and their re-asks
    assert {a["source"] for a in one["agents"]} == {"blueprint"}
    assert one["totals"]["requests"] == sent > len(one["agents"])  # re-asks were sent
    assert after_rerun == sent  # the rerun sent nothing
    assert two["totals"]["requests"] == 0
    assert two["totals"]["replayed"] == sent
    for before, after in zip(one["agents"], two["agents"], strict=True):
        assert after["fallback_reason"] == before["fallback_reason"]
        assert after["source"] == "blueprint"
    assert two["totals"]["cost_usd"] == 0
    assert (tmp_path / "b" / ".copier-answers.yml").read_text() == (
        tmp_path / "a" / ".copier-answers.yml"
    ).read_text()


@pytest.mark.slow
def test_refresh_agent_asks_again_for_that_agent_only(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with running_server(consistent_model) as fake:
        first = _generate(fake.base_url, tmp_path / "a", cache)
        refreshed = _generate(
            fake.base_url, tmp_path / "b", cache, "--refresh-agent", "devops_infrastructure"
        )
        names = [request_name(body) for body in fake.bodies[REQUESTS:]]
    assert first.returncode == refreshed.returncode == 0, refreshed.stderr
    assert names == ["DevopsInfrastructureSpec"]
    sources = {a["name"]: a["source"] for a in _report(tmp_path / "b")["agents"]}
    assert sources.pop("devops_infrastructure") == "llm"
    assert set(sources.values()) == {"cache"}


def test_unknown_refresh_agent_is_a_clear_error(tmp_path: Path) -> None:
    done = _generate(
        "http://127.0.0.1:9/v1", tmp_path / "p", tmp_path / "c", "--refresh-agent", "x"
    )
    assert done.returncode == 2
    assert "--refresh-agent" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "p").exists()


def _answer(index: int, size: int = 100) -> dict[str, Any]:
    return {"id": f"c{index}", "padding": "x" * size}


def test_the_cache_evicts_the_least_recently_used_past_its_limit(tmp_path: Path) -> None:
    cache = LlmCache(tmp_path, max_bytes=1000)
    keys = [request_key("openai", "m", "tools", {"messages": [str(i)]}) for i in range(12)]
    for index, key in enumerate(keys[:6]):
        cache.put(key, _answer(index))
    assert cache.get(keys[0]) is not None  # used again: now the most recent
    for index, key in enumerate(keys[6:], start=6):
        cache.put(key, _answer(index))
    assert cache.size() <= 1000
    assert cache.get(keys[0]) is not None
    assert cache.get(keys[1]) is None  # the least recently used went first
    assert cache.get(keys[11]) == _answer(11)


def test_concurrent_writers_leave_whole_entries(tmp_path: Path) -> None:
    cache = LlmCache(tmp_path)
    key = request_key("openai", "m", "tools", {"messages": ["same"]})
    answers = [_answer(i, 200_000) for i in range(8)]
    seen: list[dict[str, Any] | None] = []

    def write(answer: dict[str, Any]) -> None:
        for _ in range(5):
            cache.put(key, answer)
            seen.append(cache.get(key))

    threads = [threading.Thread(target=write, args=(a,)) for a in answers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(entry in answers for entry in seen)
    assert cache.get(key) in answers
    assert not list(tmp_path.glob("??/.*.tmp"))


def test_the_key_covers_model_mode_messages_and_schema() -> None:
    base = {"messages": [{"role": "user", "content": "a"}], "tools": [{"name": "S"}]}
    key = request_key("openai", "m", "tools", base)
    assert key == request_key("openai", "m", "tools", json.loads(json.dumps(base)))
    assert key != request_key("openai", "other", "tools", base)
    assert key != request_key("openai", "m", "json_schema", base)
    assert key != request_key("openai", "m", "tools", {**base, "messages": []})
    assert key != request_key("openai", "m", "tools", {**base, "tools": [{"name": "T"}]})
