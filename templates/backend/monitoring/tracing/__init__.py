"""OpenTelemetry tracing of the HTTP API."""

from monitoring.tracing.setup import configure_tracing

__all__ = ["configure_tracing"]
