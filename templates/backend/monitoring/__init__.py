"""Observability of the service: tracing setup, alert rules and dashboards."""
