"""Tracing: one server span per request, named by its route template, exported over OTLP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from core.config.settings import Settings
from monitoring.tracing.setup import (
    TracingMiddleware,
    build_tracer_provider,
    configure_tracing,
)

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def _settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"tracing_enabled": True, "tracing_sample_ratio": 1.0}
    values.update(overrides)
    return Settings.model_validate(values)


def _app() -> FastAPI:
    app = FastAPI()
    orders = APIRouter(prefix="/orders")

    @orders.get("/{id}")
    def read_order(id: int) -> dict[str, int]:
        return {"id": id}

    app.include_router(orders, prefix="/api/v1")

    @app.get("/items/{item_id}")
    def read_item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _tracing_layers(app: FastAPI) -> int:
    return sum(getattr(m, "cls", None) is TracingMiddleware for m in app.user_middleware)


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


@pytest.fixture
def traced(provider: TracerProvider) -> TestClient:
    app = _app()
    configure_tracing(app, _settings(), tracer_provider=provider)
    return TestClient(app, raise_server_exceptions=False)


def test_one_server_span_per_request_named_by_route_template(
    traced: TestClient, exporter: InMemorySpanExporter
) -> None:
    assert traced.get("/items/1").status_code == 200
    assert traced.get("/items/2").status_code == 200

    spans = exporter.get_finished_spans()
    assert [span.name for span in spans] == ["GET /items/{item_id}"] * 2
    for span in spans:
        assert span.kind is SpanKind.SERVER
        assert span.attributes is not None
        assert span.attributes["http.route"] == "/items/{item_id}"
        assert span.attributes["http.response.status_code"] == 200


def test_included_routers_give_the_full_route_template(
    traced: TestClient, exporter: InMemorySpanExporter
) -> None:
    assert traced.get("/api/v1/orders/5").status_code == 200
    (span,) = exporter.get_finished_spans()
    assert span.name == "GET /api/v1/orders/{id}"


def test_probe_endpoints_are_not_traced(traced: TestClient, exporter: InMemorySpanExporter) -> None:
    assert traced.get("/health").status_code == 200
    assert exporter.get_finished_spans() == ()


def test_server_errors_mark_the_span_as_error(
    traced: TestClient, exporter: InMemorySpanExporter
) -> None:
    assert traced.get("/boom").status_code == 500
    (span,) = exporter.get_finished_spans()
    assert span.name == "GET /boom"
    assert span.status.status_code is StatusCode.ERROR


def test_incoming_trace_context_is_continued(
    traced: TestClient, exporter: InMemorySpanExporter
) -> None:
    traced.get("/items/7", headers={"traceparent": TRACEPARENT})
    (span,) = exporter.get_finished_spans()
    assert format(span.context.trace_id, "032x") == TRACEPARENT.split("-")[1]
    assert span.parent is not None
    assert format(span.parent.span_id, "016x") == TRACEPARENT.split("-")[2]


def test_configure_tracing_is_idempotent(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    app = _app()
    configure_tracing(app, _settings(), tracer_provider=provider)
    configure_tracing(app, _settings(), tracer_provider=provider)
    assert _tracing_layers(app) == 1

    TestClient(app).get("/items/1")
    assert len(exporter.get_finished_spans()) == 1


def test_disabled_tracing_installs_nothing() -> None:
    app = _app()
    configure_tracing(app, _settings(tracing_enabled=False))
    assert _tracing_layers(app) == 0


def test_apps_share_one_process_wide_provider() -> None:
    first, second = _app(), _app()
    configure_tracing(first, _settings())
    configure_tracing(second, _settings())
    assert TestClient(first).get("/items/1").status_code == 200
    assert TestClient(second).get("/items/2").status_code == 200
    assert isinstance(trace.get_tracer_provider(), TracerProvider)


class _Receiver(BaseHTTPRequestHandler):
    """A minimal OTLP/HTTP endpoint recording the requests it gets."""

    received: ClassVar[list[tuple[str, str, bytes]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.received.append((self.path, self.headers.get("Content-Type", ""), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Keep the test output quiet."""


@pytest.fixture
def otlp_receiver() -> Iterator[str]:
    _Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_spans_are_exported_over_otlp_http(otlp_receiver: str) -> None:
    provider = build_tracer_provider(_settings(otlp_endpoint=otlp_receiver))
    app = _app()
    configure_tracing(app, _settings(), tracer_provider=provider)

    TestClient(app).get("/items/3")
    assert provider.force_flush(5000)
    provider.shutdown()

    paths = [path for path, _, _ in _Receiver.received]
    assert paths == ["/v1/traces"]
    _, content_type, body = _Receiver.received[0]
    assert content_type == "application/x-protobuf"
    assert b"GET /items/{item_id}" in body
