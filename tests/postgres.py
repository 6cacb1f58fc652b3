"""A throwaway PostgreSQL server for migration tests: it lives in backendgen.verify.postgres."""

from __future__ import annotations

from backendgen.verify.postgres import PostgresServer, start_postgres

__all__ = ["PostgresServer", "start_postgres"]
