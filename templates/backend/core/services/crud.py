"""Generic create/read/update/delete steps shared by every entity service."""

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import CircularDependencyError, IntegrityError
from sqlalchemy.orm import Session

from core.db import Base
from core.services.errors import ConflictError, InvalidReferenceError, NotFoundError
from security.encryption.fields import equals

ModelT = TypeVar("ModelT", bound=Base)


def get_or_raise(session: Session, model: type[ModelT], record_id: int) -> ModelT:
    """Return the record with this id.

    Raises:
        NotFoundError: No such record.
    """
    record = session.get(model, record_id)
    if record is None:
        raise NotFoundError(model.__name__, record_id)
    return record


def require_reference(
    session: Session, model: type[Base], field: str, record_id: int | None
) -> None:
    """Check that a foreign key points at an existing record (``None`` is always fine).

    Raises:
        InvalidReferenceError: The referenced record does not exist.
    """
    if record_id is not None and session.get(model, record_id) is None:
        raise InvalidReferenceError(field, model.__name__, record_id)


def save(session: Session, record: ModelT) -> ModelT:
    """Commit the session's changes and return the refreshed record.

    Raises:
        ConflictError: A unique value is taken, or a referenced record is in use.
    """
    session.add(record)
    _commit(session)
    session.refresh(record)
    return record


def delete(session: Session, record: Base) -> None:
    """Delete a record and commit.

    Raises:
        ConflictError: Other records still refer to it.
    """
    session.delete(record)
    _commit(session)


def update(record: ModelT, changes: Mapping[str, Any]) -> ModelT:
    """Copy the given attribute values onto a record."""
    for name, value in changes.items():
        setattr(record, name, value)
    return record


def list_page(
    session: Session,
    model: type[ModelT],
    *,
    filters: Mapping[str, Any],
    sort: str | None,
    limit: int,
    offset: int,
    where: Sequence[ColumnElement[bool]] = (),
) -> tuple[Sequence[ModelT], int]:
    """Return one page of records equal to ``filters``, and how many match in all.

    Args:
        session: Database session.
        model: ORM class of the records.
        filters: Attribute name -> required value.
        sort: Attribute name to order by, prefixed with ``-`` for descending order.
        limit: Largest number of records returned.
        offset: Number of matching records skipped.
        where: Further conditions every record must meet (e.g. the caller's row scope).
    """
    query = select(model).where(*where)
    for name, value in filters.items():
        query = query.where(equals(model, name, value))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order: list[ColumnElement[Any]] = []
    if sort:
        column = getattr(model, sort.removeprefix("-"))
        order.append(column.desc() if sort.startswith("-") else column.asc())
    # The primary key breaks ties, so that pages never overlap or skip records.
    order.extend(model.__mapper__.primary_key)
    records = session.scalars(query.order_by(*order).limit(limit).offset(offset)).all()
    return records, total


def _commit(session: Session) -> None:
    """Commit, turning a constraint violation into a :class:`ConflictError`.

    A record that refers to itself (e.g. an employee as its own manager) cannot be deleted in
    one unit of work; that too is a conflict: clear the reference first.
    """
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise ConflictError(_conflict_message(error)) from error
    except CircularDependencyError as error:
        session.rollback()
        raise ConflictError("The record refers to itself; clear that reference first") from error


def _conflict_message(error: IntegrityError) -> str:
    """Say which kind of constraint failed, without echoing the database's own message."""
    text = str(error.orig).lower()
    if "foreign key" in text:
        return "The record is referenced by other records, or references a missing one"
    return "A record with the same unique value already exists"
