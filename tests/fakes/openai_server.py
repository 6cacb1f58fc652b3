"""A scripted fake of the OpenAI chat completions API on 127.0.0.1.

The server speaks enough of the wire protocol for the real ``openai`` client and for
``instructor`` in its ``TOOLS``, ``JSON_SCHEMA``, ``JSON`` and ``MD_JSON`` modes, whole or
streamed (``stream: true``: server-sent chunks paced by the latency). What it answers is
decided by a *responder*: a callable that receives the parsed request body and returns a
:data:`Reply`:

* a :class:`Payload` (or a plain ``dict``/``list``): JSON data, sent as the tool call's
  arguments when the request carries ``tools``, as the message content otherwise;
* a :class:`RawText` (or a plain ``str``): text sent verbatim in the same place, for garbage
  or truncated JSON;
* an :class:`HttpError`: an OpenAI-shaped error body with a status and optional
  ``Retry-After``;
* a :class:`Delay`: sleep, then answer with another reply (a hang, to trip client timeouts).
* a :class:`Refusal`: an assistant message with ``refusal`` text and no answer.

Ready responders: :class:`SchemaResponder` (a model that always returns schema-valid data),
:class:`ScriptedResponder` (a fixed sequence of replies, optionally only for requests that match
a tool/schema name or predicate), :class:`Router` (dispatch by name or predicate) and
:class:`FaultResponder` (the first N matching requests fail, then delegate).

Example:
    >>> with running_server(SchemaResponder(), latency=(0.1, 500)) as fake:  # doctest: +SKIP
    ...     client = OpenAI(base_url=fake.base_url, api_key="test")
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from openai import OpenAI

# --------------------------------------------------------------------------------------------
# Replies


@dataclass(frozen=True)
class Payload:
    """JSON data the model "returns": tool arguments or message content, per request mode.

    Attributes:
        data: Any JSON-serialisable value.
        finish_reason: Overrides the finish reason (e.g. ``"length"`` for a truncated answer);
            by default ``"tool_calls"`` in tools mode and ``"stop"`` otherwise.
    """

    data: Any
    finish_reason: str | None = None


@dataclass(frozen=True)
class RawText:
    """Text sent verbatim as tool arguments or message content (garbage, truncated JSON...).

    Attributes:
        text: The exact text of the arguments or content.
        finish_reason: Overrides the finish reason, as for :class:`Payload`.
    """

    text: str
    finish_reason: str | None = None


@dataclass(frozen=True)
class Refusal:
    """A refusal: the assistant message carries ``refusal`` text and no content or tool call.

    Attributes:
        text: What the model says instead of answering.
    """

    text: str = "I can't help with that request."


@dataclass(frozen=True)
class HttpError:
    """An HTTP error with an OpenAI-shaped body ``{"error": {"message", "type", "code"}}``.

    Attributes:
        status: The HTTP status code.
        message: The error message.
        type: OpenAI's error type; derived from the status when empty.
        code: OpenAI's error code (``None`` allowed).
        retry_after: Value of the ``Retry-After`` header (seconds), if any.
        headers: Any further response headers.
    """

    status: int
    message: str = "fake server error"
    type: str = ""
    code: str | None = None
    retry_after: float | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def error_type(self) -> str:
        """The ``error.type`` to send: the explicit one or OpenAI's usual one for the status."""
        if self.type:
            return self.type
        if self.status == 429:
            return "rate_limit_exceeded"
        if self.status in (401, 403):
            return "authentication_error"
        if self.status >= 500:
            return "server_error"
        return "invalid_request_error"


@dataclass(frozen=True)
class Delay:
    """Sleep ``seconds`` before answering with ``then`` (a hang when longer than the timeout).

    The sleep ends early when the server shuts down. When ``then`` is ``None``, the answer is
    what :class:`SchemaResponder` would return.

    Attributes:
        seconds: How long to wait before answering.
        then: The reply sent after the wait.
    """

    seconds: float
    then: Reply | None = None


Reply: TypeAlias = (
    Payload | RawText | Refusal | HttpError | Delay | dict[str, Any] | list[Any] | str
)
"""What a responder returns; a plain dict/list is a :class:`Payload`, a str is :class:`RawText`."""

Responder: TypeAlias = Callable[[dict[str, Any]], Reply]
"""Decides the reply to one request from its parsed JSON body."""

Predicate: TypeAlias = Callable[[dict[str, Any]], bool]
"""Selects requests, from their parsed JSON body."""


# --------------------------------------------------------------------------------------------
# Reading requests


_SCHEMA_MARKER = "json_schema:"


def _decode_objects(text: str) -> Iterator[dict[str, Any]]:
    """Every JSON object embedded in ``text``, in order of appearance."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            yield value
        start = text.find("{", end)


def _message_texts(body: Mapping[str, Any]) -> Iterator[str]:
    """The text of every message of a chat request (string and text-part contents)."""
    for message in body.get("messages") or []:
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if isinstance(content, str):
            yield content
        elif isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    yield part["text"]


def _schema_in_messages(body: Mapping[str, Any]) -> dict[str, Any] | None:
    """The JSON schema that instructor's JSON/MD_JSON modes put in the prompt, if any."""
    fallback: dict[str, Any] | None = None
    for text in _message_texts(body):
        marker = text.find(_SCHEMA_MARKER)
        for candidate in _decode_objects(text[marker:] if marker != -1 else text):
            if "properties" in candidate or candidate.get("type") == "object":
                if marker != -1:
                    return candidate
                fallback = fallback or candidate
    return fallback


def is_tools_request(body: Mapping[str, Any]) -> bool:
    """Whether the request asks for a tool call (instructor's TOOLS modes)."""
    return bool(body.get("tools"))


def _tool_function(body: Mapping[str, Any]) -> dict[str, Any]:
    """The function definition the request forces (or the first tool's)."""
    tools = body.get("tools") or []
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        wanted = (choice.get("function") or {}).get("name")
        for tool in tools:
            function = tool.get("function") or {}
            if function.get("name") == wanted:
                return dict(function)
    return dict(tools[0].get("function") or {}) if tools else {}


def request_schema(body: Mapping[str, Any]) -> dict[str, Any] | None:
    """The JSON schema a chat request asks the model to satisfy, if it has one.

    Looks, in order, at the forced tool's ``parameters`` (TOOLS modes), at
    ``response_format.json_schema.schema`` (JSON_SCHEMA mode) and at a schema embedded in the
    messages after ``json_schema:`` (JSON and MD_JSON modes).
    """
    if is_tools_request(body):
        parameters = _tool_function(body).get("parameters")
        return parameters if isinstance(parameters, dict) else None
    response_format = body.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
        if isinstance(schema, dict):
            return schema
    return _schema_in_messages(body)


def request_name(body: Mapping[str, Any]) -> str | None:
    """The name of what a request asks for: tool name, json_schema name or schema title."""
    if is_tools_request(body):
        name = _tool_function(body).get("name")
        return name if isinstance(name, str) else None
    response_format = body.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        name = (response_format.get("json_schema") or {}).get("name")
        if isinstance(name, str):
            return name
    schema = request_schema(body)
    title = schema.get("title") if schema else None
    return title if isinstance(title, str) else None


def _as_predicate(match: str | Predicate | None) -> Predicate:
    """A predicate from a name (tool/schema name), a predicate, or ``None`` (everything)."""
    if match is None:
        return lambda _body: True
    if isinstance(match, str):
        return lambda body: request_name(body) == match
    return match


# --------------------------------------------------------------------------------------------
# Schema-valid instances


_MAX_DEPTH = 6
_FORMATS: dict[str, Callable[[int], str]] = {
    "date-time": lambda v: f"2024-01-{v % 28 + 1:02d}T12:00:00Z",
    "date": lambda v: f"2024-01-{v % 28 + 1:02d}",
    "time": lambda v: f"12:{v % 60:02d}:00",
    "email": lambda v: f"user{v}@example.com",
    "uri": lambda v: f"https://example.com/{v}",
    "url": lambda v: f"https://example.com/{v}",
    "uuid": lambda v: str(uuid.UUID(int=v + 1)),
    "hostname": lambda v: f"host{v}.example.com",
    "ipv4": lambda v: f"127.0.0.{v % 250 + 1}",
    "duration": lambda v: f"P{v + 1}D",
}
_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": "0",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": "-",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
}


def _opname(op: object) -> str:
    """The name of a regex parser opcode."""
    return str(getattr(op, "name", op))


def _class_char(items: Sequence[tuple[object, Any]]) -> str:
    """One character matching a parsed character class ``[...]``."""
    negated = bool(items) and _opname(items[0][0]) == "NEGATE"
    if negated:
        pattern = re.compile("[^" + "".join(_class_part(op, av) for op, av in items[1:]) + "]")
        return next((c for c in "a0_-xZ. " if pattern.match(c)), "~")
    op, av = items[0]
    name = _opname(op)
    if name == "LITERAL":
        return chr(av)
    if name == "RANGE":
        return chr(av[0])
    if name == "CATEGORY":
        return _CATEGORY_CHARS.get(_opname(av), "a")
    return "a"


def _class_part(op: object, av: Any) -> str:
    """A parsed class item back as regex class syntax (for negated classes)."""
    name = _opname(op)
    if name == "LITERAL":
        return re.escape(chr(av))
    if name == "RANGE":
        return f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}"
    if name == "CATEGORY":
        return {"CATEGORY_DIGIT": r"\d", "CATEGORY_WORD": r"\w", "CATEGORY_SPACE": r"\s"}.get(
            _opname(av), ""
        )
    return ""


def _emit(parsed: Iterable[tuple[object, Any]], repeat: int) -> str:
    """A string matching a parsed regex, using ``repeat`` for unbounded repetitions."""
    out: list[str] = []
    for op, av in parsed:
        name = _opname(op)
        if name == "LITERAL":
            out.append(chr(av))
        elif name == "NOT_LITERAL":
            out.append("a" if av != ord("a") else "b")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_class_char(av))
        elif name == "CATEGORY":
            out.append(_CATEGORY_CHARS.get(_opname(av), "a"))
        elif name == "BRANCH":
            out.append(_emit(av[1][0], repeat))
        elif name == "SUBPATTERN":
            out.append(_emit(av[-1], repeat))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = av
            count = max(low, min(high, repeat))
            out.append("".join(_emit(sub, repeat) for _ in range(count)))
        elif name == "ATOMIC_GROUP":
            out.append(_emit(av, repeat))
        # AT (anchors), lookarounds and group references add nothing.
    return "".join(out)


def _string_for_pattern(pattern: str, base: str, variant: int, low: int, high: int) -> str | None:
    """A string matching ``pattern`` (``re.search`` semantics) within the length bounds."""

    def fits(text: str) -> bool:
        return low <= len(text) <= high and re.search(pattern, text) is not None

    for candidate in (base, re.sub(r"\W+", "_", base).strip("_").lower()):
        if fits(candidate):
            return candidate
    try:
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern)
    except (ImportError, re.error):
        return None
    for repeat in dict.fromkeys((variant + 1, 1, 2, 3, low, 5, 8, high, 0)):
        if 0 <= repeat <= 1000:
            text = _emit(parsed, repeat)
            if fits(text):
                return text
    return None


class _InstanceBuilder:
    """Builds a JSON value valid against a (pydantic-style) JSON schema."""

    def __init__(self, root: Mapping[str, Any], overrides: Mapping[str, Any]) -> None:
        self.root = root
        self.overrides = overrides

    def resolve(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """The schema with a local ``$ref`` replaced by its target (siblings kept)."""
        resolved = dict(schema)
        for _ in range(32):
            ref = resolved.get("$ref")
            if not isinstance(ref, str) or not ref.startswith("#"):
                break
            target: Any = self.root
            for part in ref.lstrip("#").strip("/").split("/"):
                if part:
                    target = target[part.replace("~1", "/").replace("~0", "~")]
            siblings = {k: v for k, v in resolved.items() if k != "$ref"}
            resolved = {**target, **siblings}
        return resolved

    def build(self, schema: Any, name: str, variant: int = 0, depth: int = 0) -> Any:
        """A value for ``schema``; ``name`` and ``variant`` shape strings and numbers."""
        if not isinstance(schema, Mapping):
            return name
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][variant % len(schema["enum"])]
        narrowed = self._narrow(schema, depth)
        if narrowed is not schema:
            return self.build(narrowed, name, variant, depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = self._pick_type(kind, depth)
        if kind is None:
            kind = "object" if "properties" in schema else "array" if "items" in schema else ""
        builder = getattr(self, f"_build_{kind}", self._build_string)
        return builder(schema, name, variant, depth)

    def _narrow(self, schema: dict[str, Any], depth: int) -> Any:
        """One branch of ``anyOf``/``oneOf``, or ``allOf`` merged; ``schema`` itself otherwise."""
        if schema.get("allOf"):
            merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                merged = {**self.resolve(part), **merged}
            return merged
        options = schema.get("anyOf") or schema.get("oneOf")
        if options:
            return self._pick(options, depth)
        return schema

    def _pick(self, options: Sequence[Any], depth: int) -> Any:
        resolved = [self.resolve(o) if isinstance(o, Mapping) else o for o in options]
        non_null = [o for o in resolved if not (isinstance(o, Mapping) and o.get("type") == "null")]
        if depth >= _MAX_DEPTH and len(non_null) < len(resolved):
            return {"type": "null"}
        return (non_null or resolved)[0]

    @staticmethod
    def _pick_type(kinds: Sequence[str], depth: int) -> str:
        non_null = [k for k in kinds if k != "null"]
        if not non_null or (depth >= _MAX_DEPTH and "null" in kinds):
            return "null"
        return non_null[0]

    def _build_object(
        self, schema: Mapping[str, Any], name: str, variant: int, depth: int
    ) -> dict[str, Any]:
        properties: Mapping[str, Any] = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        result: dict[str, Any] = {}
        for key, sub in properties.items():
            if key in self.overrides:
                result[key] = self.overrides[key]
            elif depth < _MAX_DEPTH or key in required:
                result[key] = self.build(sub, key, variant, depth + 1)
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, Mapping) and depth < _MAX_DEPTH:
            count = max(int(schema.get("minProperties", 1)), 1)
            for index in range(count):
                result[f"{name}_{index + 1}"] = self.build(extra, name, index, depth + 1)
        return result

    def _build_array(
        self, schema: Mapping[str, Any], name: str, variant: int, depth: int
    ) -> list[Any]:
        prefix = schema.get("prefixItems")
        if isinstance(prefix, list):
            return [self.build(s, name, variant, depth + 1) for s in prefix]
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, 1)))
        count = low if depth >= _MAX_DEPTH else min(max(low, 1), high)
        items = schema.get("items", {})
        return [self.build(items, name, variant + i, depth + 1) for i in range(count)]

    def _build_string(self, schema: Mapping[str, Any], name: str, variant: int, _: int) -> str:
        low = int(schema.get("minLength", 0))
        high = int(schema.get("maxLength", max(low, 64) + 64))
        fmt = schema.get("format")
        if fmt in _FORMATS:
            base = _FORMATS[fmt](variant)
        else:
            base = f"{name} {variant + 1}" if variant else name or "text"
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            found = _string_for_pattern(pattern, base, variant, low, high)
            if found is not None:
                return found
        if len(base) < low:
            base += "x" * (low - len(base))
        return base[:high]

    def _bounds(self, schema: Mapping[str, Any], step: float) -> tuple[float, float]:
        low = float(schema.get("minimum", -1e12))
        high = float(schema.get("maximum", 1e12))
        if "exclusiveMinimum" in schema:
            low = max(low, float(schema["exclusiveMinimum"]) + step)
        if "exclusiveMaximum" in schema:
            high = min(high, float(schema["exclusiveMaximum"]) - step)
        return low, high

    def _build_integer(self, schema: Mapping[str, Any], _name: str, variant: int, _: int) -> int:
        low, high = self._bounds(schema, 1)
        value = int(min(max(1 + variant, low), high))
        multiple = schema.get("multipleOf")
        if isinstance(multiple, int) and multiple > 0 and value % multiple:
            value += multiple - value % multiple
            if value > high:
                value -= multiple
        return value

    def _build_number(self, schema: Mapping[str, Any], _name: str, variant: int, _: int) -> float:
        low, high = self._bounds(schema, 1e-6)
        value = min(max(1.0 + variant, low), high)
        multiple = schema.get("multipleOf")
        if isinstance(multiple, int | float) and multiple > 0:
            value = round(value / multiple) * multiple
        return float(value)

    @staticmethod
    def _build_boolean(_schema: Mapping[str, Any], _name: str, variant: int, _: int) -> bool:
        return variant % 2 == 0

    @staticmethod
    def _build_null(_schema: Mapping[str, Any], _name: str, _variant: int, _: int) -> None:
        return None


def instance_for_schema(
    schema: Mapping[str, Any], *, overrides: Mapping[str, Any] | None = None
) -> Any:
    """A deterministic value valid against ``schema``.

    Handles local ``$ref`` (``$defs``/``definitions``), ``anyOf``/``oneOf`` (non-null branch
    preferred), ``allOf``, ``const``, ``enum``, string lengths, formats and simple patterns,
    numeric bounds, ``minItems``/``maxItems`` and nested objects (every property is filled).

    Args:
        schema: The JSON schema (its own root for ``$ref`` resolution).
        overrides: Values used verbatim for properties of that name, at any depth.
    """
    return _InstanceBuilder(schema, overrides or {}).build(schema, "value")


# --------------------------------------------------------------------------------------------
# Responders


class SchemaResponder:
    """A well-behaved model: answers every request with data valid against its schema.

    Requests without a schema get ``{}``.

    Args:
        overrides: Values used verbatim for properties of that name (any depth).
        transform: Called with ``(request_body, instance)``; its result is sent instead.
    """

    def __init__(
        self,
        overrides: Mapping[str, Any] | None = None,
        transform: Callable[[dict[str, Any], Any], Any] | None = None,
    ) -> None:
        self.overrides = dict(overrides or {})
        self.transform = transform

    def __call__(self, body: dict[str, Any]) -> Reply:
        """Build a schema-valid instance for the request."""
        schema = request_schema(body)
        data = instance_for_schema(schema, overrides=self.overrides) if schema else {}
        if self.transform is not None:
            data = self.transform(body, data)
        return Payload(data)


def _exhausted(what: str) -> Responder:
    def respond(body: dict[str, Any]) -> Reply:
        return HttpError(500, f"fake OpenAI: {what} (request for {request_name(body)!r})")

    return respond


class ScriptedResponder:
    """Answers matching requests with a fixed sequence of replies, in order.

    Each item is a :data:`Reply` or a responder (called with the request, so
    ``SchemaResponder()`` in a script means "a valid answer here"). Thread-safe.

    Args:
        replies: The script.
        match: Only requests whose tool/schema name equals this string, or for which this
            predicate holds, consume the script; ``None`` matches every request.
        otherwise: Answers requests that do not match (default: a 500 error).
        then: Answers matching requests once the script is exhausted (default: a 500 error).
    """

    def __init__(
        self,
        replies: Iterable[Reply | Responder],
        *,
        match: str | Predicate | None = None,
        otherwise: Responder | None = None,
        then: Responder | None = None,
    ) -> None:
        self._replies = list(replies)
        self._match = _as_predicate(match)
        self._otherwise = otherwise or _exhausted("no scripted route matched")
        self._then = then or _exhausted("script exhausted")
        self._lock = threading.Lock()
        self._position = 0

    @property
    def remaining(self) -> int:
        """How many scripted replies are still unused."""
        with self._lock:
            return len(self._replies) - self._position

    def __call__(self, body: dict[str, Any]) -> Reply:
        """The next scripted reply for a matching request."""
        if not self._match(body):
            return self._otherwise(body)
        with self._lock:
            if self._position >= len(self._replies):
                item: Reply | Responder = self._then
            else:
                item = self._replies[self._position]
                self._position += 1
        return item(body) if callable(item) else item


class Router:
    """Dispatches each request to the first route whose name or predicate matches.

    Args:
        routes: ``{name: responder}`` or ``[(name_or_predicate, responder), ...]``; a name is
            compared with :func:`request_name` (tool name, json_schema name or schema title).
        default: Answers unmatched requests (default: :class:`SchemaResponder`).
    """

    def __init__(
        self,
        routes: Mapping[str, Responder] | Iterable[tuple[str | Predicate, Responder]],
        default: Responder | None = None,
    ) -> None:
        pairs = routes.items() if isinstance(routes, Mapping) else routes
        self._routes = [(_as_predicate(match), responder) for match, responder in pairs]
        self._default = default or SchemaResponder()

    def __call__(self, body: dict[str, Any]) -> Reply:
        """The reply of the first matching route."""
        for predicate, responder in self._routes:
            if predicate(body):
                return responder(body)
        return self._default(body)


class FaultResponder:
    """The first ``times`` matching requests get ``fault``; everything else goes to ``then``.

    Build one with the named constructors, e.g. ``FaultResponder.rate_limited(2)``.

    Args:
        fault: The reply for the faulty requests.
        times: How many matching requests fail.
        then: The responder behind the faults (default: :class:`SchemaResponder`).
        match: Which requests may fail (name or predicate; ``None`` for all).
    """

    def __init__(
        self,
        fault: Reply,
        times: int = 1,
        then: Responder | None = None,
        *,
        match: str | Predicate | None = None,
    ) -> None:
        self.fault = fault
        self.times = times
        self.then = then or SchemaResponder()
        self._match = _as_predicate(match)
        self._lock = threading.Lock()
        self.faults_sent = 0

    def __call__(self, body: dict[str, Any]) -> Reply:
        """The fault while some remain, the delegate's reply afterwards."""
        if self._match(body):
            with self._lock:
                faulty = self.faults_sent < self.times
                self.faults_sent += faulty
            if faulty:
                return self.fault
        return self.then(body)

    @classmethod
    def rate_limited(
        cls,
        times: int = 1,
        retry_after: float | None = 1,
        then: Responder | None = None,
        *,
        match: str | Predicate | None = None,
    ) -> FaultResponder:
        """``times`` 429 responses with ``Retry-After: retry_after``, then delegate."""
        error = HttpError(
            429, "Rate limit reached (fake)", code="rate_limit_exceeded", retry_after=retry_after
        )
        return cls(error, times, then, match=match)

    @classmethod
    def server_error(
        cls,
        times: int = 1,
        status: int = 500,
        then: Responder | None = None,
        *,
        match: str | Predicate | None = None,
    ) -> FaultResponder:
        """``times`` 5xx responses (no ``Retry-After``), then delegate."""
        return cls(HttpError(status, "The server had an error (fake)"), times, then, match=match)

    @classmethod
    def hang(
        cls,
        times: int = 1,
        seconds: float = 30,
        then: Responder | None = None,
        *,
        match: str | Predicate | None = None,
    ) -> FaultResponder:
        """``times`` requests that wait ``seconds`` before answering, then delegate."""
        return cls(Delay(seconds), times, then, match=match)

    @classmethod
    def garbage(
        cls,
        times: int = 1,
        text: str = '{"this is": not json',
        then: Responder | None = None,
        *,
        match: str | Predicate | None = None,
    ) -> FaultResponder:
        """``times`` answers whose arguments/content are ``text`` (invalid JSON), then delegate."""
        return cls(RawText(text), times, then, match=match)


# --------------------------------------------------------------------------------------------
# The server


@dataclass(frozen=True)
class Usage:
    """Token counts, as in the ``usage`` object of a chat completion."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.total_tokens + other.total_tokens,
        )

    def as_dict(self) -> dict[str, int]:
        """The wire form."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }


@dataclass
class RecordedRequest:
    """One chat completion request the fake received, and what it answered.

    Attributes:
        index: Arrival order, from 0.
        body: The parsed JSON request body.
        arrived: ``time.monotonic()`` when the body had been read.
        finished: ``time.monotonic()`` just before the response was written (``None`` while
            in flight).
        status: The HTTP status sent (``0`` while in flight).
        usage: The usage reported, for successful answers.
        response: The JSON response body sent.
    """

    index: int
    body: dict[str, Any]
    arrived: float
    finished: float | None = None
    status: int = 0
    usage: Usage | None = None
    response: dict[str, Any] | None = None

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The request's messages."""
        return list(self.body.get("messages") or [])

    @property
    def text(self) -> str:
        """All message text of the request, joined (for asserting on prompts/re-asks)."""
        return "\n".join(_message_texts(self.body))


def prompt_tokens_for(body: Mapping[str, Any]) -> int:
    """Deterministic prompt token count: characters of messages and schema ``// 4 + 1``."""
    counted = {k: body.get(k) for k in ("messages", "tools", "response_format")}
    return len(json.dumps(counted, sort_keys=True)) // 4 + 1


def completion_tokens_for(text: str) -> int:
    """Deterministic completion token count of an answer: ``max(1, len(text) // 4)``."""
    return max(1, len(text) // 4)


STREAM_TOKENS_PER_CHUNK = 8
"""Tokens per streamed chunk (chunks are paced at the configured tokens per second)."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True

    def __init__(self, owner: FakeOpenAI, address: tuple[str, int]) -> None:
        self.owner = owner
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeOpenAI/1.0"
    timeout = 60
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests read ``FakeOpenAI.requests`` instead."""

    def _path(self) -> str:
        return self.path.split("?", 1)[0].rstrip("/")

    def do_GET(self) -> None:
        """Serve ``/v1/models`` and ``/v1/models/{id}``."""
        path = self._path()
        owner = self.server.owner
        if path.endswith("/models"):
            data = [owner.model_entry(owner.model)]
            self._send_json(200, {"object": "list", "data": data})
        elif "/models/" in path:
            self._send_json(200, owner.model_entry(path.rsplit("/", 1)[1]))
        else:
            self._send_json(404, _error_body(HttpError(404, f"Unknown path {self.path}")))

    def do_POST(self) -> None:
        """Serve ``/v1/chat/completions``."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not self._path().endswith("/chat/completions"):
            self._send_json(404, _error_body(HttpError(404, f"Unknown path {self.path}")))
            return
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self._send_json(400, _error_body(HttpError(400, "Request body is not a JSON object")))
            return
        self.server.owner._serve_chat(self, body)

    def _send_json(
        self,
        status: int,
        payload: Mapping[str, Any],
        headers: Mapping[str, str] | None = None,
    ) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:  # the client went away (e.g. it timed out): nothing to answer
            self.close_connection = True

    def _send_events(
        self,
        events: Sequence[Mapping[str, Any]],
        *,
        first_pause: float,
        pause: float,
        stopping: threading.Event,
    ) -> None:
        """Send server-sent events, ``data: [DONE]`` last, then close the connection."""
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            for index, event in enumerate(events):
                wait = first_pause if index == 1 else (pause if index > 1 else 0.0)
                if wait and stopping.wait(wait):
                    return
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except OSError:
            self.close_connection = True


def _error_body(error: HttpError) -> dict[str, Any]:
    return {
        "error": {
            "message": error.message,
            "type": error.error_type(),
            "param": None,
            "code": error.code,
        }
    }


class FakeOpenAI:
    """A fake OpenAI chat completions server on 127.0.0.1 (see the module docstring).

    Prefer :func:`running_server`; the instance is also a context manager.

    Args:
        responder: Decides each answer.
        latency: ``(first_token_seconds, tokens_per_second)``: each successful answer waits
            ``first_token + completion_tokens / tokens_per_second`` before it is sent.
        max_requests: Safety limit; chat requests beyond it get a 500 and are not recorded.
        model: The model listed by ``/v1/models`` (answers echo the requested model).
        api_key: When set, chat requests without ``Authorization: Bearer <api_key>`` are
            recorded and answered 401, as OpenAI answers a missing or wrong key.
    """

    def __init__(
        self,
        responder: Responder,
        *,
        latency: tuple[float, float] | None = None,
        max_requests: int = 500,
        model: str = "gpt-4o-mini",
        api_key: str | None = None,
    ) -> None:
        self.responder = responder
        self.api_key = api_key
        self.latency = latency
        self.max_requests = max_requests
        self.model = model
        self.rejected = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._requests: list[RecordedRequest] = []
        self._connections: set[socket.socket] = set()
        self._in_flight = 0
        self._max_concurrency = 0
        self._ids = itertools.count(1)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        """Bind an ephemeral port on 127.0.0.1 and serve in a background thread."""
        if self._server is not None:
            raise RuntimeError("FakeOpenAI already started")
        self._server = _Server(self, ("127.0.0.1", 0))
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-openai-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving: wake sleeping handlers, drop connections, join every thread."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    # -- what tests look at ------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The ``base_url`` for ``OpenAI(...)``: ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the chat completion requests received, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        """The parsed bodies of :attr:`requests`."""
        return [request.body for request in self.requests]

    @property
    def max_concurrency(self) -> int:
        """The largest number of chat requests observed in flight at once."""
        with self._lock:
            return self._max_concurrency

    @property
    def in_flight(self) -> int:
        """How many chat requests are being handled right now."""
        with self._lock:
            return self._in_flight

    def usage_totals(self) -> Usage:
        """The sum of the ``usage`` of every successful answer sent."""
        return sum((r.usage for r in self.requests if r.usage is not None), Usage())

    def client(self, **options: Any) -> OpenAI:
        """A real ``openai.OpenAI`` client for this server (close it when done)."""
        from openai import OpenAI

        return OpenAI(base_url=self.base_url, api_key="test", **options)

    @staticmethod
    def model_entry(model_id: str) -> dict[str, Any]:
        """One ``/v1/models`` entry."""
        return {"id": model_id, "object": "model", "created": 0, "owned_by": "fake-openai"}

    # -- answering ---------------------------------------------------------------------------

    def _serve_chat(self, handler: _Handler, body: dict[str, Any]) -> None:
        with self._lock:
            if len(self._requests) >= self.max_requests:
                self.rejected += 1
                record = None
            else:
                record = RecordedRequest(len(self._requests), body, time.monotonic())
                self._requests.append(record)
                self._in_flight += 1
                self._max_concurrency = max(self._max_concurrency, self._in_flight)
        if record is None:
            limit = HttpError(500, f"fake OpenAI: more than {self.max_requests} requests")
            handler._send_json(500, _error_body(limit), {"x-should-retry": "false"})
            return
        try:
            authorization = handler.headers.get("Authorization") or ""
            if self.api_key is not None and authorization != f"Bearer {self.api_key}":
                denied = HttpError(
                    401,
                    "Incorrect API key provided. You can find your API key at "
                    "https://platform.openai.com/account/api-keys.",
                    code="invalid_api_key",
                )
                status, payload, headers, usage = 401, _error_body(denied), {}, None
            else:
                status, payload, headers, usage = self._answer(body)
            if body.get("stream") and status == 200:
                self._stream(handler, body, payload, usage)
                with self._lock:
                    record.status, record.response, record.usage = status, payload, usage
                    record.finished = time.monotonic()
                return
            with self._lock:
                record.status, record.response, record.usage = status, payload, usage
                record.finished = time.monotonic()
            handler._send_json(status, payload, headers)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _answer(
        self, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any], dict[str, str], Usage | None]:
        """Status, JSON body, headers and usage of the answer to a chat request.

        A streamed request (``stream: true``) waits its latency while it is streamed, not here.
        """
        try:
            reply: object = self.responder(body)
        except Exception as exc:  # a broken responder must not kill the server
            reply = HttpError(500, f"fake OpenAI responder raised {exc!r}")
        while isinstance(reply, Delay):
            if self._stopping.wait(reply.seconds):
                error = HttpError(503, "fake OpenAI is shutting down")
                return error.status, _error_body(error), {}, None
            reply = reply.then if reply.then is not None else SchemaResponder()(body)
        if isinstance(reply, dict | list):
            reply = Payload(reply)
        elif isinstance(reply, str):
            reply = RawText(reply)
        elif not isinstance(reply, Payload | RawText | Refusal | HttpError):
            reply = HttpError(500, f"fake OpenAI responder returned {reply!r}, not a Reply")
        if isinstance(reply, Refusal):
            usage = self._usage(body, reply.text)
            return 200, self._refusal(body, reply.text, usage), {}, usage
        if isinstance(reply, HttpError):
            headers = dict(reply.headers)
            if reply.retry_after is not None:
                headers["Retry-After"] = f"{reply.retry_after:g}"
            return reply.status, _error_body(reply), headers, None
        text = reply.text if isinstance(reply, RawText) else json.dumps(reply.data)
        usage = self._usage(body, text)
        if self.latency is not None and not body.get("stream"):
            first_token, tokens_per_second = self.latency
            pause = first_token + usage.completion_tokens / tokens_per_second
            if self._stopping.wait(pause):
                error = HttpError(503, "fake OpenAI is shutting down")
                return error.status, _error_body(error), {}, None
        return 200, self._completion(body, text, reply.finish_reason, usage), {}, usage

    @staticmethod
    def _usage(body: Mapping[str, Any], text: str) -> Usage:
        prompt = prompt_tokens_for(body)
        completion = completion_tokens_for(text)
        return Usage(prompt, completion, prompt + completion)

    def _stream(
        self,
        handler: _Handler,
        body: Mapping[str, Any],
        completion: dict[str, Any],
        usage: Usage | None,
    ) -> None:
        """Send ``completion`` as server-sent ``chat.completion.chunk`` events.

        The answer's text goes out :data:`STREAM_TOKENS_PER_CHUNK` tokens a chunk, after the
        time to first token and at the configured tokens per second; the usage comes last
        when the request asks for it (``stream_options.include_usage``).
        """
        choice = completion["choices"][0]
        message = choice["message"]
        calls = message.get("tool_calls") or []
        text = calls[0]["function"]["arguments"] if calls else (message.get("content") or "")
        tokens = completion_tokens_for(text)
        size = max(1, -(-len(text) // tokens) * STREAM_TOKENS_PER_CHUNK)
        first_token, tokens_per_second = self.latency or (0.0, 0.0)
        base = {k: completion[k] for k in ("id", "created", "model", "system_fingerprint")}
        base["object"] = "chat.completion.chunk"

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {
                **base,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }

        first: dict[str, Any] = {"role": "assistant", "content": None if calls else ""}
        if message.get("refusal"):
            first["refusal"] = message["refusal"]
        if calls:
            first["tool_calls"] = [
                {
                    "index": 0,
                    "id": calls[0]["id"],
                    "type": "function",
                    "function": {"name": calls[0]["function"]["name"], "arguments": ""},
                }
            ]
        events = [chunk(first)]
        for start in range(0, len(text), size):
            piece = text[start : start + size]
            if calls:
                delta: dict[str, Any] = {
                    "tool_calls": [{"index": 0, "function": {"arguments": piece}}]
                }
            else:
                delta = {"content": piece}
            events.append(chunk(delta))
        events.append(chunk({}, choice["finish_reason"]))
        options = body.get("stream_options") or {}
        if usage is not None and isinstance(options, dict) and options.get("include_usage"):
            events.append({**base, "choices": [], "usage": usage.as_dict()})
        handler._send_events(
            events,
            first_pause=first_token,
            pause=STREAM_TOKENS_PER_CHUNK / tokens_per_second if tokens_per_second else 0.0,
            stopping=self._stopping,
        )

    def _refusal(self, body: Mapping[str, Any], text: str, usage: Usage) -> dict[str, Any]:
        """A ``chat.completion`` whose message is a refusal (no content, no tool call)."""
        completion = self._completion(body, "", None, usage)
        completion["choices"][0]["message"] = {
            "role": "assistant",
            "content": None,
            "refusal": text,
        }
        completion["choices"][0]["finish_reason"] = "stop"
        return completion

    def _completion(
        self, body: Mapping[str, Any], text: str, finish_reason: str | None, usage: Usage
    ) -> dict[str, Any]:
        """A ``chat.completion`` object carrying ``text`` as tool arguments or content."""
        number = next(self._ids)
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
        if is_tools_request(body):
            name = _tool_function(body).get("name") or "tool"
            message["tool_calls"] = [
                {
                    "id": f"call_fake_{number}",
                    "type": "function",
                    "function": {"name": name, "arguments": text},
                }
            ]
            finish_reason = finish_reason or "tool_calls"
        else:
            message["content"] = text
            finish_reason = finish_reason or "stop"
        return {
            "id": f"chatcmpl-fake-{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") or self.model,
            "system_fingerprint": "fp_fake",
            "choices": [
                {"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}
            ],
            "usage": usage.as_dict(),
        }


@contextmanager
def running_server(
    script: Responder | Sequence[Reply | Responder] | None = None,
    *,
    latency: tuple[float, float] | None = None,
    max_requests: int = 500,
    model: str = "gpt-4o-mini",
    api_key: str | None = None,
) -> Iterator[FakeOpenAI]:
    """Run a :class:`FakeOpenAI` for the duration of the ``with`` block.

    Args:
        script: A responder; a sequence of replies (a :class:`ScriptedResponder`); or ``None``
            for a :class:`SchemaResponder`.
        latency: See :class:`FakeOpenAI`.
        max_requests: See :class:`FakeOpenAI`.
        model: See :class:`FakeOpenAI`.
        api_key: See :class:`FakeOpenAI`.

    Yields:
        The running server.
    """
    if script is None:
        responder: Responder = SchemaResponder()
    elif callable(script):
        responder = script
    else:
        responder = ScriptedResponder(script)
    with FakeOpenAI(
        responder, latency=latency, max_requests=max_requests, model=model, api_key=api_key
    ) as fake:
        yield fake
