"""The replay cache's store: atomic entries under concurrent writers, LRU eviction, keys."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from backendgen.llm.llm_cache import LlmCache, request_key


def _answer(index: int, size: int = 100) -> dict[str, Any]:
    return {"id": f"c{index}", "padding": "x" * size}


def test_the_cache_evicts_the_least_recently_used_past_its_limit(tmp_path: Path) -> None:
    cache = LlmCache(tmp_path, max_bytes=1000)
    keys = [request_key("openai", "m", "tools", {"messages": [str(i)]}) for i in range(12)]
    for index, key in enumerate(keys[:6]):
        cache.put(key, _answer(index))
        path = tmp_path / key[:2] / f"{key}.json"
        os.utime(path, (1000 + index, 1000 + index))  # written long ago, in this order
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
    answers = [_answer(i, 50_000) for i in range(8)]
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
