"""Content-addressed cache of LLM results: (agent, spec schema version, model, messages)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class CachedResult:
    """A validated spec and the usage it cost when it was first produced."""

    spec: dict[str, Any]
    prompt_tokens: int
    completion_tokens: int


def cache_key(agent: str, schema_version: int, model: str, messages: list[dict[str, str]]) -> str:
    """Return the SHA-256 naming one request's result.

    Args:
        agent: Agent name.
        schema_version: The spec schema's version (a new schema invalidates old entries).
        model: Model name.
        messages: The exact messages sent.

    Returns:
        The hex key.
    """
    material = json.dumps(
        {"agent": agent, "schema": schema_version, "model": model, "messages": messages},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(material.encode()).hexdigest()


class LlmCache:
    """A directory of JSON files, one per key; writes are atomic."""

    def __init__(self, root: Path) -> None:
        """Use ``root`` (created on first write)."""
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> CachedResult | None:
        """Return the cached result for ``key``, or None (also for an unreadable entry)."""
        try:
            data = json.loads(self._path(key).read_text("utf-8"))
            return CachedResult(
                spec=data["spec"],
                prompt_tokens=int(data["prompt_tokens"]),
                completion_tokens=int(data["completion_tokens"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, result: CachedResult) -> None:
        """Store ``result`` under ``key``."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps(result.__dict__, sort_keys=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(payload)
        Path(temporary).replace(path)
