"""Compliance features: audit log, controls registry, retention, export and erasure."""
