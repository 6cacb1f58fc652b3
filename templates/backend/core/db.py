"""Database access: the declarative base, the engine and request-scoped sessions."""

from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from core.config.settings import load_settings_or_exit

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Constraint names, fixed so that migrations can refer to them on every database."""


class Base(DeclarativeBase):
    """Base class of every ORM model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class TimestampMixin:
    """Integer primary key plus creation and last-update times."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    """Make SQLite enforce foreign keys, as PostgreSQL does."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@lru_cache
def get_engine() -> Engine:
    """Return the process-wide engine for the configured database URL."""
    url = load_settings_or_exit().database_url
    if url.startswith("sqlite"):
        # TestClient and uvicorn's thread pool share connections across threads.
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return create_engine(url, pool_pre_ping=True)


PENDING_WRITES = "pending_writes"
"""``session.info`` key a listener sets when it has rows to write as the request ends, such as
the audit entries of records a read-only request loaded."""

SessionLocal = sessionmaker(bind=get_engine(), autoflush=False, expire_on_commit=False)
"""Session factory bound to the configured database."""


def get_session() -> Iterator[Session]:
    """Yield a session for one request and close it afterwards (a FastAPI dependency).

    A request that succeeded and left rows pending (``PENDING_WRITES``) is committed first.
    """
    with SessionLocal() as session:
        yield session
        if session.info.get(PENDING_WRITES):
            session.commit()
