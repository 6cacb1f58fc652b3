"""ASGI middleware: request ids and Prometheus metrics."""
