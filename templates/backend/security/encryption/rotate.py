"""Re-encrypt every stored encrypted value with the newest key, and refresh the blind indexes.

Run after putting a new key in front of ``FIELD_ENCRYPTION_KEY``::

    python -m security.encryption.rotate

Every row is read (with whichever listed key wrote it) and, when one of its values is not yet
written with the first key in the current format, or one of its blind indexes is not the one
``FIELD_INDEX_KEY`` gives, written back: bound to its row as always, whatever the column's
type, and with its blind indexes recomputed. Values written before padding (``v1``) become
``v2``. Afterwards the old keys can be dropped from the setting.

The command is safe to re-run and to stop: it commits per batch, a row already up to date is
left alone (a second run rewrites nothing), and a run that was stopped simply continues with
the rows it had not reached. Each batch is locked while it is rewritten, so the service can
keep running. The blind indexes do not depend on the encryption keys, so a
half-rotated table still finds, and keeps unique, every value while the service runs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from core.db import SessionLocal
from core.models import REGISTRY
from security.encryption import fields

BATCH_SIZE = 500
"""Rows read per transaction."""


def _current(stored: str | None, ring: fields.Keyring) -> bool:
    """Whether a stored value is written with the newest key in the current format."""
    return stored is None or (
        stored.startswith(f"{fields.FORMAT}.") and fields.key_of(stored) == ring.current
    )


def _refresh(row: Any, stored: dict[str, str | None], ring: fields.Keyring) -> bool:
    """Mark the out-of-date values and blind indexes of ``row`` for rewriting; say if any were."""
    table = str(row.__table__.name)
    stale = False
    for name, column_type in fields.column_types(type(row)).items():
        value = getattr(row, name)
        outdated = not _current(stored[name], ring)
        if column_type.indexed:
            text = None if value is None else column_type.dump(value)
            expected = None if text is None else fields.blind_index(table, name, text)
            if getattr(row, fields.index_column(name)) != expected:
                setattr(row, fields.index_column(name), expected)
                outdated = True
        if outdated:
            if value is not None:
                flag_modified(row, name)
            stale = True
    return stale


def rotate(session: Session) -> int:
    """Rewrite every encrypted value not yet under the newest key, and every stale blind index.

    Args:
        session: Session the rows are read and written in (committed per batch).

    Returns:
        The number of rows rewritten (0 when everything is up to date).
    """
    ring = fields.keyring()
    rewritten = 0
    for model in REGISTRY.values():
        names = fields.encrypted_columns(model)
        if not names:
            continue
        key = model.__mapper__.primary_key[0]
        raw = [type_coerce(model.__table__.c[name], Text).label(f"stored_{name}") for name in names]
        last = None
        while True:
            # The batch stays locked until its commit, so that a write made meanwhile by the
            # service is not overwritten with the value read here (ignored by SQLite, which
            # has one writer at a time).
            query = select(model, *raw).order_by(key).limit(BATCH_SIZE).with_for_update()
            if last is not None:
                query = query.where(key > last)
            rows = session.execute(query).all()
            if not rows:
                break
            for row, *stored in rows:
                if _refresh(row, dict(zip(names, stored, strict=True)), ring):
                    rewritten += 1
                last = getattr(row, str(key.key))
            session.commit()
    return rewritten


def main() -> None:
    """Rotate in the configured database and print how many rows were rewritten."""
    with SessionLocal() as session:
        print(f"re-encrypted {rotate(session)} rows")  # noqa: T201


if __name__ == "__main__":
    main()
