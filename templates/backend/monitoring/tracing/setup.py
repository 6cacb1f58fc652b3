"""OpenTelemetry tracing: one server span per HTTP request, named by its route template.

``configure_tracing`` is called by ``core.main.create_app``. The first call builds the
process-wide SDK ``TracerProvider`` (sampler ``ParentBased(TraceIdRatioBased(ratio))``, an
OTLP/HTTP exporter when ``settings.otlp_endpoint`` is set) and registers it as the global
provider; every call adds the tracing middleware to its app once. Calling it again, for the same
app or for a new one (tests create many), neither replaces the provider nor stacks middleware.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Final

from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from fastapi import FastAPI

    from core.config.settings import Settings

UNTRACED_PATHS: Final[frozenset[str]] = frozenset({"/health", "/ready", "/metrics"})
"""Probe and scrape endpoints: called constantly, never traced."""

TRACES_PATH: Final = "/v1/traces"
"""Path of the OTLP/HTTP traces endpoint, appended to a bare collector URL."""

_STATE_FLAG: Final = "tracing_configured"
_PARAM: Final = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}")


class _ProcessProvider:
    """The process-wide tracer provider, built once."""

    lock = threading.Lock()
    provider: TracerProvider | None = None


def _otlp_traces_url(endpoint: str) -> str:
    """Return the traces URL of an OTLP/HTTP endpoint given as a base or as a full URL."""
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith(TRACES_PATH) else endpoint + TRACES_PATH


def build_tracer_provider(settings: Settings) -> TracerProvider:
    """Build an SDK tracer provider from the settings (not registered globally).

    Args:
        settings: Application settings (``app_name``, ``environment``,
            ``tracing_sample_ratio``, ``otlp_endpoint``).

    Returns:
        The provider, exporting over OTLP/HTTP when ``settings.otlp_endpoint`` is set.
    """
    ratio = min(max(float(settings.tracing_sample_ratio), 0.0), 1.0)
    resource = Resource.create(
        {"service.name": settings.app_name, "deployment.environment": settings.environment}
    )
    provider = TracerProvider(resource=resource, sampler=ParentBased(TraceIdRatioBased(ratio)))
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=_otlp_traces_url(settings.otlp_endpoint))
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def _global_provider(settings: Settings) -> TracerProvider:
    """Return the process-wide provider, building and registering it on first use."""
    with _ProcessProvider.lock:
        if _ProcessProvider.provider is None:
            _ProcessProvider.provider = build_tracer_provider(settings)
            trace.set_tracer_provider(_ProcessProvider.provider)
        return _ProcessProvider.provider


def route_template(scope: Scope) -> str | None:
    """Return the full path template of the route that handled a request.

    ``/api/v1/orders/{id}`` for ``GET /api/v1/orders/7``. Routers included with a prefix
    leave only the route's own template in ``scope["route"]`` (``/orders/{id}``) on recent
    FastAPI versions, so the part of the request path before the route's own part is put back
    in front of it.

    Args:
        scope: The ASGI scope, after routing.

    Returns:
        The template, or ``None`` when no route matched.
    """
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if not isinstance(template, str):
        return None
    params = scope.get("path_params") or {}
    own_path = _PARAM.sub(lambda match: str(params.get(match.group(1), match.group(0))), template)
    path = str(scope.get("path", ""))
    root_path = str(scope.get("root_path", ""))
    if root_path and path.startswith(root_path):
        path = path[len(root_path) :]
    if own_path and path.endswith(own_path) and path != own_path:
        return path[: len(path) - len(own_path)] + template
    return template


class _HeaderCarrier(Mapping[str, str]):
    """Read-only view of ASGI headers for the W3C trace-context propagator."""

    def __init__(self, scope: Scope) -> None:
        self._headers: dict[str, str] = {}
        for key, value in scope.get("headers", []):
            self._headers[key.decode("latin-1").lower()] = value.decode("latin-1")

    def __getitem__(self, key: str) -> str:
        return self._headers[key.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers)

    def __len__(self) -> int:
        return len(self._headers)


class TracingMiddleware:
    """ASGI middleware: a SERVER span per HTTP request, renamed to ``METHOD /route/{template}``.

    The span continues an incoming W3C ``traceparent``; it records the method, route template,
    status code, and marks 5xx responses and unhandled exceptions as errors.
    """

    def __init__(self, app: ASGIApp, tracer: trace.Tracer) -> None:
        self.app = app
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI event, inside a server span for HTTP requests."""
        if scope["type"] != "http" or scope.get("path") in UNTRACED_PATHS:
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", "GET"))
        context = propagate.extract(_HeaderCarrier(scope))
        with self.tracer.start_as_current_span(
            method,
            context=context,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": str(scope.get("path", ""))},
            record_exception=True,
            set_status_on_exception=True,
        ) as span:
            status_code = 500

            async def send_wrapper(message: Message) -> None:
                nonlocal status_code
                if message["type"] == "http.response.start":
                    status_code = int(message["status"])
                    span.set_attribute("http.response.status_code", status_code)
                await send(message)

            try:
                await self.app(scope, receive, send_wrapper)
            finally:
                template = route_template(scope)
                if template is not None:
                    span.update_name(f"{method} {template}")
                    span.set_attribute("http.route", template)
                if status_code >= 500:
                    span.set_status(Status(StatusCode.ERROR))


def configure_tracing(
    app: FastAPI, settings: Settings, tracer_provider: TracerProvider | None = None
) -> None:
    """Trace every HTTP request of ``app`` (idempotent; a no-op when tracing is disabled).

    Args:
        app: The application; must not have started yet.
        settings: Application settings (``tracing_enabled``, ``tracing_sample_ratio``,
            ``otlp_endpoint``, ``app_name``, ``environment``).
        tracer_provider: Provider to record spans with, e.g. one with an in-memory exporter
            in tests; by default the process-wide provider built from ``settings``.
    """
    if not settings.tracing_enabled or getattr(app.state, _STATE_FLAG, False):
        return
    provider = tracer_provider if tracer_provider is not None else _global_provider(settings)
    tracer = provider.get_tracer("monitoring.tracing")
    app.add_middleware(TracingMiddleware, tracer=tracer)
    setattr(app.state, _STATE_FLAG, True)
