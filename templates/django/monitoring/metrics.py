"""Prometheus metrics of every request, and ``/metrics`` (the FastAPI project's names)."""

import re
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

REQUESTS = Counter("http_requests_total", "HTTP requests handled.", ["method", "route", "status"])
DURATION = Histogram(
    "http_request_duration_seconds", "Time spent handling HTTP requests.", ["method", "route"]
)
IN_PROGRESS = Gauge("http_requests_in_progress", "HTTP requests being handled.", ["method"])

_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def route_of(request: HttpRequest) -> str:
    """Return the route template a request matched (``/api/v1/items/{id}``), not its path."""
    match = request.resolver_match
    if match is None:
        return "unmatched"
    return "/" + _CONVERTER.sub(r"{\1}", match.route)


class MetricsMiddleware:
    """Counts and times every request by method, route template and status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        """Wrap the rest of the middleware chain."""
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Handle the request, then record it."""
        IN_PROGRESS.labels(request.method).inc()
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            IN_PROGRESS.labels(request.method).dec()
        route = route_of(request)
        DURATION.labels(request.method, route).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        return response


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Serve the metrics in Prometheus' text format (404 unless ``METRICS_PUBLIC``)."""
    if not settings.METRICS_PUBLIC:
        return HttpResponse(status=404)
    return HttpResponse(generate_latest(), content_type=CONTENT_TYPE_LATEST)
