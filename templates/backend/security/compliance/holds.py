"""Legal holds: records kept as they are, neither erased nor removed by retention."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from security.compliance.audit import current_actor, record_access
from security.models import LegalHold


def holds_on(session: Session, records: Iterable[tuple[str, str]]) -> list[LegalHold]:
    """Return the holds on any of ``records``.

    Args:
        session: A session.
        records: ``(entity, primary key as text)`` pairs.

    Returns:
        The holds on them, oldest first.
    """
    keys = list(dict.fromkeys(records))
    if not keys:
        return []
    found: list[LegalHold] = []
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        query = select(LegalHold).where(tuple_(LegalHold.entity, LegalHold.entity_id).in_(chunk))
        found += session.scalars(query).all()
    return sorted(found, key=lambda hold: hold.id)


def held_ids(session: Session, entity: str) -> set[str]:
    """Return the primary keys (as text) of the held records of ``entity``."""
    query = select(LegalHold.entity_id).where(LegalHold.entity == entity)
    return set(session.scalars(query).all())


def place_hold(session: Session, entity: str, entity_id: str, reason: str) -> LegalHold:
    """Put one record under legal hold (audited as ``hold``); the caller commits.

    Args:
        session: A session.
        entity: Entity name of the record.
        entity_id: Its primary key as text.
        reason: Why it is held (a case number, a regulation).

    Returns:
        The hold, flushed (its id is set).
    """
    hold = LegalHold(entity=entity, entity_id=entity_id, reason=reason, placed_by=current_actor())
    session.add(hold)
    session.flush()
    record_access(session, "hold", entity, entity_id)
    return hold


def release_hold(session: Session, hold: LegalHold) -> None:
    """Lift a hold (audited as ``release``); the caller commits."""
    record_access(session, "release", hold.entity, hold.entity_id)
    session.delete(hold)
    session.flush()


def describe(holds: Iterable[LegalHold]) -> str:
    """Name holds in one line, e.g. ``Patient 5 (hold 3: litigation 2026-41)``."""
    return ", ".join(f"{h.entity} {h.entity_id} (hold {h.id}: {h.reason})" for h in holds)
