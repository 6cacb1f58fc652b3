"""Metrics (Prometheus) and alert rules."""
