"""Re-encrypt every stored encrypted value with the newest key.

Run after putting a new key in front of ``FIELD_ENCRYPTION_KEY``::

    python -m security.encryption.rotate

Every row is read (with whichever listed key wrote it) and written back with the first key,
bound to its row as always, whatever the column's type; blind indexes are recomputed under the
index key derived from the first key, and values written before padding (``v1``) become
``v2``. Afterwards the old keys can be dropped from the setting.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from core.db import SessionLocal
from core.models import REGISTRY
from security.encryption.fields import encrypted_columns

BATCH_SIZE = 500
"""Rows re-encrypted per transaction."""


def rotate(session: Session) -> int:
    """Rewrite every encrypted value with the newest key.

    Args:
        session: Session the rows are read and written in (committed per batch).

    Returns:
        The number of rows rewritten.
    """
    rewritten = 0
    for model in REGISTRY.values():
        names = encrypted_columns(model)
        if not names:
            continue
        key = model.__mapper__.primary_key[0]
        last = 0
        while True:
            rows = session.scalars(
                select(model).where(key > last).order_by(key).limit(BATCH_SIZE)
            ).all()
            if not rows:
                break
            for row in rows:
                for name in names:
                    if getattr(row, name) is not None:
                        flag_modified(row, name)
                last = getattr(row, str(key.key))
            rewritten += len(rows)
            session.commit()
    return rewritten


def main() -> None:
    """Rotate in the configured database and print how many rows were rewritten."""
    with SessionLocal() as session:
        print(f"re-encrypted {rotate(session)} rows")  # noqa: T201


if __name__ == "__main__":
    main()
