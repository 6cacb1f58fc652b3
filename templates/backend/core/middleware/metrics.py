"""Prometheus metrics of the HTTP traffic, and the ``/metrics`` endpoint that exposes them."""

import time

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("http_requests_total", "HTTP requests handled.", ["method", "route", "status"])
DURATION = Histogram(
    "http_request_duration_seconds", "Time spent handling HTTP requests.", ["method", "route"]
)
IN_PROGRESS = Gauge("http_requests_in_progress", "HTTP requests being handled.", ["method"])

UNMATCHED_ROUTE = "<unmatched>"
"""Route label of requests no route matched (keeps the label set small)."""


def _route_template(scope: Scope) -> str:
    """Return the matched route's path template, e.g. ``/api/v1/orders/{id}``."""
    template = getattr(scope.get("route"), "path", None)
    if not isinstance(template, str):
        return UNMATCHED_ROUTE
    # A route of an included router may know its path without the router's prefix
    # (``/orders/{id}``); the prefix is what the request path has before the route's segments.
    segments = scope["path"].split("/")
    prefix = "/".join(segments[: max(len(segments) - template.count("/"), 1)])
    return prefix + template


class MetricsMiddleware:
    """Count requests and time them, labelled by route template rather than raw path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        status = 500  # reported when the app fails before it answers
        started = time.perf_counter()

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        IN_PROGRESS.labels(method).inc()
        try:
            await self.app(scope, receive, send_with_status)
        finally:
            IN_PROGRESS.labels(method).dec()
            route = _route_template(scope)
            DURATION.labels(method, route).observe(time.perf_counter() - started)
            REQUESTS.labels(method, route, str(status)).inc()


router = APIRouter(tags=["Monitoring"])


@router.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    """Expose the metrics in the Prometheus text format."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
