"""The audit log's hash chain: record digests, appending entries, and verifying the whole log.

Every entry stores the SHA-256 ``hash`` of its own fields and of the entry before it
(``prev_hash``), and the single row of ``audit_head`` stores the number and hash of the last
entry. Editing an entry breaks its hash, deleting one breaks the link of the next, and cutting
entries off the end leaves the head pointing past the last one. Writers lock the head row
before they append, so concurrent transactions take numbers one after another.

Writes also store the digest of the record as stored before and after (``digest_before``
and ``digest_after``: SHA-256 of the row's stored values, ciphertexts included, never the values
themselves). :func:`verify` replays those digests against each other and against the live
tables, so a record inserted, changed or deleted with SQL instead of the application is found
too. Publish the head hash that :func:`verify` reports somewhere outside the database (a log
pipeline, a ticket) to also detect a rewrite of the whole log by someone who holds the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Final, cast

from sqlalchemy import Connection, Table, func, insert, select, update

from security.models import AuditHead, AuditLogEntry

LOG: Final = cast(Table, AuditLogEntry.__table__)
"""The ``audit_log`` table."""

HEAD: Final = cast(Table, AuditHead.__table__)
"""The ``audit_head`` table."""

GENESIS: Final = "0" * 64
"""``prev_hash`` of the first entry: the hash of an empty log."""

HEAD_ID: Final = 1
"""Primary key of the one row of ``audit_head``."""

WRITE_ACTIONS: Final = frozenset({"create", "update", "delete", "baseline"})
"""Actions that change a record, and so carry digests that :func:`verify` replays."""


class AuditChainError(RuntimeError):
    """The audit log cannot be appended to: its head is missing while entries exist."""


@dataclass(frozen=True)
class Event:
    """One entry to append, before it is numbered and hashed."""

    actor: str
    """Who acted: ``user:<id>``, ``anonymous`` or ``system``."""
    action: str
    """What was done, e.g. ``create``, ``read``, ``login_failed``."""
    entity: str
    """Entity name (``User`` for accounts)."""
    entity_id: str
    """Primary key of the record, or ``-`` when there is none (an unknown sign-in name)."""
    before: str | None = None
    """Digest of the record as stored before a write."""
    after: str | None = None
    """Digest of the record as stored after a write."""


@dataclass
class Verification:
    """What :func:`verify` found."""

    entries: int = 0
    """Entries in the log."""
    head: str = GENESIS
    """Hash of the last entry (publish it to anchor the log outside the database)."""
    problems: list[str] = field(default_factory=list)
    """Every problem found; the first broken link of the chain comes first."""

    @property
    def intact(self) -> bool:
        """Whether the log and the records agree and the chain is unbroken."""
        return not self.problems


def _plain(value: object) -> object:
    """Return a JSON value standing for a stored column value, the same on every read."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def record_digest(table: str, row: Mapping[Any, Any]) -> str:
    """Return the digest of one stored row: SHA-256 of its table and column values.

    Args:
        table: The table's name.
        row: Column name to stored value (as a Core ``select`` returns it).

    Returns:
        64 hex digits.
    """
    payload = json.dumps(
        {"table": table, "row": {name: _plain(value) for name, value in row.items()}},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def stored_digest(connection: Connection, table: Table, key: object) -> str | None:
    """Return the digest of the row of ``table`` whose primary key is ``key``, if it exists."""
    column = next(iter(table.primary_key.columns))
    row = connection.execute(select(table).where(column == key)).mappings().first()
    return None if row is None else record_digest(table.name, row)


def entry_hash(prev_hash: str, entry_id: int, at: datetime, event: Event) -> str:
    """Return the hash of one entry from the hash before it and the entry's own fields.

    The fields are joined in a fixed order by the unit separator, which no field holds.
    """
    fields = (
        prev_hash,
        str(entry_id),
        str(_plain(at)),
        event.actor,
        event.action,
        event.entity,
        event.entity_id,
        event.before or "",
        event.after or "",
    )
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def _event_of(row: Mapping[Any, Any]) -> Event:
    def text(name: str) -> str:
        return str(row[name])

    def optional(name: str) -> str | None:
        value = row[name]
        return None if value is None else str(value)

    return Event(
        actor=text("actor"),
        action=text("action"),
        entity=text("entity"),
        entity_id=text("entity_id"),
        before=optional("digest_before"),
        after=optional("digest_after"),
    )


def _lock_head(connection: Connection) -> tuple[int, str]:
    """Lock the head row for this transaction and return the last entry's number and hash."""
    head = HEAD
    locked = connection.execute(
        update(head).where(head.c.id == HEAD_ID).values(seq=head.c.seq)
    ).rowcount
    if not locked:
        if connection.scalar(select(func.count()).select_from(LOG)):
            raise AuditChainError("the audit log has entries but its head row is missing")
        connection.execute(insert(head).values(id=HEAD_ID, seq=0, hash=GENESIS))
        return 0, GENESIS
    row = connection.execute(select(head.c.seq, head.c.hash).where(head.c.id == HEAD_ID)).one()
    return int(row.seq), str(row.hash)


def append(connection: Connection, events: Sequence[Event], at: datetime | None = None) -> None:
    """Number, hash and insert ``events`` at the end of the log, in the caller's transaction.

    Args:
        connection: The connection of the transaction that made the changes.
        events: The entries to append, in order.
        at: Their time; defaults to now in UTC.
    """
    if not events:
        return
    when = at or datetime.now(UTC)
    seq, prev = _lock_head(connection)
    rows: list[dict[str, object]] = []
    for event in events:
        seq += 1
        digest = entry_hash(prev, seq, when, event)
        rows.append(
            {
                "id": seq,
                "at": when,
                "actor": event.actor,
                "action": event.action,
                "entity": event.entity,
                "entity_id": event.entity_id,
                "digest_before": event.before,
                "digest_after": event.after,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    connection.execute(insert(LOG), rows)
    connection.execute(update(HEAD).where(HEAD.c.id == HEAD_ID).values(seq=seq, hash=prev))


def baseline(connection: Connection, tables: Mapping[str, Table], actor: str = "system") -> int:
    """Append a ``baseline`` entry, with its digest, for every record of ``tables``.

    Used when the chain starts on a database that already holds records (the migration that
    adds the chain) so that :func:`verify` has a known state for each of them.

    Args:
        connection: Connection in the caller's transaction.
        tables: Entity name to table.
        actor: Who records the baseline.

    Returns:
        The number of entries appended.
    """
    events: list[Event] = []
    for name, table in tables.items():
        key = next(iter(table.primary_key.columns))
        events.extend(
            Event(
                actor=actor,
                action="baseline",
                entity=name,
                entity_id=str(row[key.name]),
                after=record_digest(table.name, row),
            )
            for row in connection.execute(select(table).order_by(key)).mappings()
        )
    append(connection, events)
    return len(events)


def _verify_chain(connection: Connection, result: Verification) -> list[tuple[int, Event]]:
    """Check every link of the chain; return the entries up to the first broken one."""
    entries: list[tuple[int, Event]] = []
    prev = GENESIS
    expected = 1
    for row in connection.execute(select(LOG).order_by(LOG.c.id)).mappings():
        entry_id = int(row["id"])
        event = _event_of(row)
        if entry_id != expected:
            result.problems.append(
                f"entries {expected} to {entry_id - 1} are missing (deleted) before entry "
                f"{entry_id}"
            )
            return entries
        if row["prev_hash"] != prev:
            result.problems.append(f"entry {entry_id} does not link to the entry before it")
            return entries
        at = row["at"]
        if not isinstance(at, datetime) or entry_hash(prev, entry_id, at, event) != row["hash"]:
            result.problems.append(
                f"entry {entry_id} was altered: its fields no longer match its hash"
            )
            return entries
        prev = str(row["hash"])
        expected += 1
        entries.append((entry_id, event))
    result.entries = len(entries)
    result.head = prev
    head = connection.execute(select(HEAD)).mappings().first()
    if head is None:
        if entries:
            result.problems.append("the head row of the audit log is missing")
    elif int(head["seq"]) != len(entries) or head["hash"] != prev:
        result.problems.append(
            f"the log ends at entry {len(entries)} but its head names entry {head['seq']}: "
            "entries were cut off the end"
        )
    return entries


def _verify_records(
    connection: Connection,
    tables: Mapping[str, Table],
    entries: Iterable[tuple[int, Event]],
    result: Verification,
) -> None:
    """Replay the write digests against each other and against the live rows."""
    last: dict[tuple[str, str], tuple[int, Event]] = {}
    for entry_id, event in entries:
        if event.action not in WRITE_ACTIONS or event.entity not in tables:
            continue
        key = (event.entity, event.entity_id)
        previous = last.get(key)
        changed = previous is not None and previous[1].after != event.before
        if previous is not None and event.before is not None and changed:
            result.problems.append(
                f"{event.entity} {event.entity_id} was changed outside the application "
                f"between entries {previous[0]} and {entry_id}"
            )
        last[key] = (entry_id, event)
    for name, table in tables.items():
        column = next(iter(table.primary_key.columns))
        live: set[str] = set()
        for row in connection.execute(select(table).order_by(column)).mappings():
            record_id = str(row[column.name])
            live.add(record_id)
            seen = last.get((name, record_id))
            if seen is None:
                result.problems.append(
                    f"{name} {record_id} was written outside the application: no audit entry"
                )
            elif seen[1].after != record_digest(table.name, row):
                result.problems.append(
                    f"{name} {record_id} was changed outside the application after entry {seen[0]}"
                )
        for (entity, record_id), (entry_id, event) in last.items():
            if entity == name and record_id not in live and event.action != "delete":
                result.problems.append(
                    f"{name} {record_id} was deleted outside the application after entry {entry_id}"
                )


def verify(connection: Connection, tables: Mapping[str, Table]) -> Verification:
    """Verify the chain, then the records of ``tables`` against the digests of the log.

    Args:
        connection: A connection to the database.
        tables: Entity name to table, for every audited entity.

    Returns:
        The entries, the head hash and the problems found (none when intact).
    """
    result = Verification()
    entries = _verify_chain(connection, result)
    if result.intact:  # a broken chain cannot vouch for any record
        _verify_records(connection, tables, entries, result)
    return result
