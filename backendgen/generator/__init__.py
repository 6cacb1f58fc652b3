"""Orchestration: template versions, rendering, git commits and the report."""
