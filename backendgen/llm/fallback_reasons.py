"""Fallback reasons a person can read: one line naming why an agent fell back.

The same text goes to the terminal, the report and the ``Backendgen-Fallback-Reason``
trailer: at most :data:`MAX_REASON_CHARS` characters, on one line.
"""

from __future__ import annotations

import json
import re
from typing import Any

import openai
from instructor.core import IncompleteOutputException, InstructorRetryException
from pydantic import ValidationError

from backendgen.errors import LlmRequestError
from backendgen.llm.runtime import UNREACHABLE

MAX_REASON_CHARS = 200
"""Longest fallback reason (a commit trailer stays readable in ``git log``)."""

SHOWN_ERRORS = 3
"""Validation errors named in a reason (with their field paths)."""


def one_line(text: str, limit: int = MAX_REASON_CHARS) -> str:
    """Collapse ``text`` to one line of at most ``limit`` characters.

    Args:
        text: Any message.
        limit: Most characters kept (an ellipsis marks a cut).

    Returns:
        The line.
    """
    line = re.sub(r"\s+", " ", text).strip()
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "spec"


def validation_summary(error: ValidationError) -> str:
    """The first :data:`SHOWN_ERRORS` errors as ``path: message``, and how many there are.

    Args:
        error: A pydantic validation error.

    Returns:
        e.g. ``2 errors: port: Input should be greater than or equal to 1024; env: ...``.
    """
    errors = error.errors(include_url=False)
    shown = "; ".join(
        f"{_path(item['loc'])}: {str(item['msg']).splitlines()[0] if item['msg'] else ''}"
        for item in errors[:SHOWN_ERRORS]
    )
    count = len(errors)
    return f"{count} error{'s' if count != 1 else ''}: {shown}"


def _status_reason(error: openai.APIStatusError) -> str:
    message = _api_message(error)
    status = error.status_code
    if status == 401:
        return f"endpoint rejected the API key (HTTP 401): {message} (set OPENAI_API_KEY)"
    if status == 429:
        return f"endpoint kept rate-limiting (HTTP 429) after retries: {message}"
    return f"endpoint answered HTTP {status}: {message}"


def _api_message(error: openai.APIStatusError) -> str:
    body: Any = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
        if isinstance(body.get("message"), str):
            return str(body["message"])
    return error.message


def fallback_reason(error: BaseException, *, endpoint: str | None, timeout: float) -> str:
    """Name the cause of an agent's failure in one line.

    Args:
        error: What the LLM call raised (instructor wraps the last attempt's error).
        endpoint: The endpoint's URL, for an unreachable one (None for OpenAI itself).
        timeout: The per-request timeout, in seconds.

    Returns:
        The reason, at most :data:`MAX_REASON_CHARS` characters.
    """
    attempts = error.n_attempts if isinstance(error, InstructorRetryException) else 1
    cause: BaseException = error
    if isinstance(error, InstructorRetryException) and error.__cause__ is not None:
        cause = error.__cause__
    return one_line(_describe(cause, attempts, endpoint, timeout))


def _describe(cause: BaseException, attempts: int, endpoint: str | None, timeout: float) -> str:
    after = f" after {attempts} attempt{'s' if attempts != 1 else ''}"
    text = str(cause).strip()
    described: list[tuple[type[BaseException] | tuple[type[BaseException], ...], Any]] = [
        (LlmRequestError, lambda: text),
        # APITimeoutError before its base class APIConnectionError
        (
            openai.APITimeoutError,
            lambda: f"endpoint timed out: no answer within {timeout:g}s, retries included",
        ),
        (
            openai.APIConnectionError,
            lambda: f"{UNREACHABLE}: {endpoint or 'api.openai.com'} ({_root_cause(cause)})",
        ),
        (openai.APIStatusError, lambda: _status_reason(cause)),  # type: ignore[arg-type]
        (
            IncompleteOutputException,
            lambda: "the answer was cut off at max_tokens (raise --token-budget)",
        ),
        (
            ValidationError,
            lambda: f"invalid spec{after}: {validation_summary(cause)}",  # type: ignore[arg-type]
        ),
        (json.JSONDecodeError, lambda: f"answer was not JSON{after}: {_json_error(cause)}"),
    ]
    for kind, describe in described:
        if isinstance(cause, kind):
            return str(describe())
    if isinstance(cause, AssertionError) and "due to" in text:  # instructor's refusal check
        return f"the model refused: {text.split('due to', 1)[1].strip()}"
    first = text.splitlines()
    return f"{type(cause).__name__}{after}: {first[0] if first else 'no message'}"


def _json_error(error: BaseException) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno} column {error.colno}"
    return str(error)


def _root_cause(error: BaseException) -> str:
    while error.__cause__ is not None:
        error = error.__cause__
    text = str(error).strip()
    if "Connection refused" in text or isinstance(error, ConnectionRefusedError):
        return "connection refused"
    return one_line(text or type(error).__name__, 80)
