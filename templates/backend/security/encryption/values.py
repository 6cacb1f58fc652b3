"""Typed values as encrypted text: their text form, padding, and blind-index digests.

An encrypted column stores any domain type (text, numbers, dates, booleans, enums, UUIDs):
the value is written as canonical text (:func:`dump`), padded to a multiple of
:data:`PAD_BLOCK` bytes so that the ciphertext's length does not tell ``true`` from
``false`` or one enum value from another, and typed again on read (:func:`load`).

A blind index is an HMAC-SHA256 of the canonical text under a key of its own, derived with
HKDF from the ``FIELD_INDEX_KEY`` secret (separate from the field-encryption keys, and not
rotated with them), and bound to the table and column, so the same e-mail address gives
unrelated digests in two tables. Equal values give
equal digests: equality filters and unique constraints work on it, order and ranges do not.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import uuid
from decimal import Decimal
from typing import Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KINDS: Final = (
    "string",
    "text",
    "email",
    "integer",
    "decimal",
    "boolean",
    "date",
    "datetime",
    "uuid",
    "enum",
)
"""The domain types an encrypted column can hold."""

PYTHON_TYPES: Final[dict[str, type]] = {
    "string": str,
    "text": str,
    "email": str,
    "integer": int,
    "decimal": Decimal,
    "boolean": bool,
    "date": dt.date,
    "datetime": dt.datetime,
    "uuid": uuid.UUID,
}
"""Python type of each kind (an enum column's is its enum class)."""

PAD_BLOCK: Final = 32
"""Plaintexts are padded to a multiple of this many bytes before encryption."""

INDEX_INFO: Final = b"backendgen field blind index v2"
"""HKDF ``info`` of the blind-index key (v2: derived from ``FIELD_INDEX_KEY``)."""

INDEX_LENGTH: Final = 64
"""Length of a stored blind index (hex SHA-256)."""


def dump(kind: str, value: object) -> str:
    """Return the canonical text of a value of ``kind``.

    Raises:
        TypeError: The value is not of that kind.
    """
    if kind == "boolean":
        if not isinstance(value, bool):
            raise TypeError(f"expected a boolean, got {type(value).__name__}")
        return "true" if value else "false"
    if kind == "enum":
        return str(value.value) if isinstance(value, enum.Enum) else str(value)
    if kind in ("date", "datetime"):
        if not isinstance(value, dt.date):
            raise TypeError(f"expected a {kind}, got {type(value).__name__}")
        return value.isoformat()
    expected = PYTHON_TYPES[kind]
    if not isinstance(value, expected) or isinstance(value, bool):
        raise TypeError(f"expected {expected.__name__}, got {type(value).__name__}")
    return str(value)


def load(kind: str, text: str, enum_class: type[enum.Enum] | None = None) -> object:
    """Return the value of ``kind`` whose canonical text is ``text`` (inverse of :func:`dump`)."""
    if kind == "enum":
        return enum_class(text) if enum_class is not None else text
    if kind == "boolean":
        return text == "true"
    if kind == "integer":
        return int(text)
    if kind == "decimal":
        return Decimal(text)
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "datetime":
        return dt.datetime.fromisoformat(text)
    if kind == "uuid":
        return uuid.UUID(text)
    return text


def pad(data: bytes) -> bytes:
    """Pad with ``0x80`` and zero bytes to a multiple of :data:`PAD_BLOCK` (ISO/IEC 7816-4)."""
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % PAD_BLOCK)


def unpad(data: bytes) -> bytes:
    """Remove the padding added by :func:`pad`.

    Raises:
        ValueError: The padding is malformed.
    """
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise ValueError("malformed padding")
    return end[:-1]


def index_key(secret: bytes) -> bytes:
    """Derive the blind-index key from the 32-byte ``FIELD_INDEX_KEY`` secret (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INDEX_INFO).derive(secret)


def digest(key: bytes, table: str, column: str, text: str) -> str:
    """Return the blind index of canonical text ``text`` in ``table.column``."""
    message = f"{table}.{column}\x00{text}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
