"""Replay cache of LLM requests: one stored answer per exact request, with a size limit.

A request is keyed by provider, model, instructor mode and every argument sent (messages,
schema or tools, token limit, temperature), so a rerun with identical inputs replays every
answer, re-asks and answers that led to a fallback included, and sends nothing. Entries are
written atomically (a temporary file renamed over the entry), so concurrent runs sharing the
cache read whole entries or none; past the size limit the least recently used go first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
"""Default size limit of the cache directory."""

STALE_TEMPORARY_SECONDS = 3600.0
"""A temporary file this old is a crashed writer's leftover, removed by eviction."""


def _plain(value: Any) -> Any:
    """JSON form of what instructor puts in request arguments (pydantic objects included)."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    return str(value)


def request_key(provider: str, model: str, mode: str, arguments: Mapping[str, Any]) -> str:
    """Return the SHA-256 naming one request.

    Args:
        provider: ``openai`` or ``local``.
        model: Model name.
        mode: Instructor mode (``tools``, ``json_schema``...).
        arguments: The exact keyword arguments of ``chat.completions.create``.

    Returns:
        The hex key.
    """
    material = json.dumps(
        {"provider": provider, "model": model, "mode": mode, "arguments": dict(arguments)},
        sort_keys=True,
        separators=(",", ":"),
        default=_plain,
    )
    return hashlib.sha256(material.encode()).hexdigest()


class LlmCache:
    """A directory of JSON answers, one file per request key."""

    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        """Use ``root`` (created on first write), holding at most ``max_bytes``.

        Args:
            root: The cache directory.
            max_bytes: Size limit; the least recently used entries are evicted past it.
        """
        self.root = root
        self.max_bytes = max_bytes

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """Return the stored answer (a chat completion's JSON), or None.

        An unreadable or half-evicted entry is a miss. A hit marks the entry recently used.
        """
        path = self._path(key)
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("response"), dict):
            return None
        with contextlib.suppress(OSError):  # evicted meanwhile: the answer read is whole
            os.utime(path)
        return dict(data["response"])

    def put(self, key: str, response: Mapping[str, Any]) -> None:
        """Store ``response`` under ``key`` atomically, then evict past the size limit."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"response": dict(response)}, sort_keys=True, default=_plain)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(payload)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.evict()

    def entries(self) -> list[tuple[float, int, Path]]:
        """Every entry as ``(last used, bytes, path)``, oldest first."""
        found: list[tuple[float, int, Path]] = []
        for path in self.root.glob("??/*.json"):
            try:
                stat = path.stat()
            except OSError:
                continue
            found.append((stat.st_mtime, stat.st_size, path))
        return sorted(found)

    def size(self) -> int:
        """Bytes held by the entries."""
        return sum(size for _, size, _ in self.entries())

    def evict(self) -> int:
        """Remove the least recently used entries until the cache fits its limit.

        Returns:
            How many entries were removed.
        """
        now = time.time()
        for leftover in self.root.glob("??/.*.tmp"):
            try:
                if now - leftover.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                    leftover.unlink()
            except OSError:
                continue
        entries = self.entries()
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _, size, path in entries:
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
            removed += 1
        return removed
