"""``EncryptedText``: columns of any type stored AES-256-GCM encrypted, bound to their row.

The keys come from the setting ``field_encryption_key`` (env ``FIELD_ENCRYPTION_KEY``), a
secret of its own: one or more 32-byte keys in url-safe base64, comma-separated, newest first.
Values are written with the first key and read with any listed key, so a new key is put in
front to rotate (``python -m security.encryption.rotate`` then rewrites the stored values).

A stored value is ``v2.<key id>.<base64 of nonce + ciphertext + tag>``. The key id is the
first 8 hex digits of the key's SHA-256, so reading knows which key to use. The plaintext is
the value's canonical text (numbers, dates, booleans and enums too, typed again on read),
padded so that its length leaks little (see :mod:`security.encryption.values`); ``v1`` values
(unpadded) are still read, and rewritten as ``v2`` by rotation. The associated
data is ``<table>.<column>.<row id>``: a value copied onto another row or column no longer
decrypts (:class:`FieldDecryptionError`), and the API answers a clean 500.

The ORM seals values: mapper events encrypt on insert and update (an insert is written once
more when its id is known) and decrypt on load, so model attributes hold plaintext. Values
written without the ORM are refused. Encrypted columns are ``Text`` in the database and cannot
be sorted or compared by range. A column made with ``indexed=True`` has a blind index beside it
(``<column>_bidx``), which the events keep current: equality filters (:func:`equals`) and unique
constraints work through it.

The blind index is an HMAC under a key of its own, derived from the setting
``field_index_key`` (env ``FIELD_INDEX_KEY``), never from the encryption keys: rotating
``FIELD_ENCRYPTION_KEY`` leaves every index as it was, so a value taken under the old key stays
taken under the new one and the database's unique constraint alone keeps it unique, before,
during and after ``rotate`` (one digest per value: no cross-version lookups, no race between a
check and an insert). Changing ``FIELD_INDEX_KEY`` itself is a re-index, not a rotation: run
``rotate`` with the service stopped.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, cast
from weakref import WeakKeyDictionary

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import ColumnElement, Connection, Dialect, Table, Text, event, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import get_history, set_committed_value
from sqlalchemy.types import TypeDecorator

from core.config.settings import get_settings
from core.db import Base
from security.encryption import values

FORMAT: Final = "v2"
"""Prefix of stored values (the format version): padded plaintext."""

UNPADDED_FORMAT: Final = "v1"
"""Prefix of values written before padding; read, never written."""

INDEX_SUFFIX: Final = "_bidx"
"""Suffix of the blind-index column beside an indexed encrypted column."""

KEY_BYTES: Final = 32
"""AES-256 key length."""

NONCE_BYTES: Final = 12
"""AES-GCM nonce length; a fresh random nonce per value."""

PENDING_ROW: Final = "pending"
"""Row id in the associated data of an insert's first write (replaced in the same flush)."""


class FieldDecryptionError(ValueError):
    """A stored value could not be decrypted: unknown key, tampered or moved value."""


class Sealed(str):
    """A value already encrypted for its row, on its way to the database."""

    __slots__ = ()


@dataclass(frozen=True)
class Keyring:
    """The configured keys: the newest encrypts, any decrypts."""

    current: str
    """Key id of the newest key."""
    keys: Mapping[str, AESGCM]
    """Key id -> cipher."""


def key_id(key: bytes) -> str:
    """Return the id stored with values encrypted under ``key``."""
    return hashlib.sha256(key).hexdigest()[:8]


@lru_cache(maxsize=4)
def build_keyring(keys: str) -> Keyring:
    """Build the keyring of comma-separated keys, newest first.

    Raises:
        ValueError: No key, or a value that is not 32 url-safe base64-encoded bytes.
    """
    parts = [part.strip() for part in keys.split(",") if part.strip()]
    if not parts:
        msg = "FIELD_ENCRYPTION_KEY is empty"
        raise ValueError(msg)
    ciphers: dict[str, AESGCM] = {}
    for part in parts:
        raw = _decode_key(part, "FIELD_ENCRYPTION_KEY must hold 32-byte keys in url-safe base64")
        ciphers.setdefault(key_id(raw), AESGCM(raw))
    return Keyring(current=key_id(base64.urlsafe_b64decode(parts[0])), keys=ciphers)


def _decode_key(text: str, message: str) -> bytes:
    """Decode one 32-byte url-safe base64 key.

    Raises:
        ValueError: ``message``, when ``text`` is not such a key.
    """
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeError) as exc:
        raise ValueError(message) from exc
    if len(raw) != KEY_BYTES:
        raise ValueError(message)
    return raw


def keyring() -> Keyring:
    """Return the keyring of the current settings."""
    return build_keyring(get_settings().field_encryption_key.get_secret_value())


@lru_cache(maxsize=4)
def build_index_key(secret: str) -> bytes:
    """Derive the blind-index key from the ``FIELD_INDEX_KEY`` secret (HKDF-SHA256).

    Raises:
        ValueError: The secret is not one 32-byte key in url-safe base64.
    """
    raw = _decode_key(secret, "FIELD_INDEX_KEY must be one 32-byte key in url-safe base64")
    return values.index_key(raw)


def index_key() -> bytes:
    """Return the blind-index key of the current settings (the same across rotations)."""
    return build_index_key(get_settings().field_index_key.get_secret_value())


def associated_data(table: str, column: str, row_id: object) -> bytes:
    """The associated data binding a value to its table, column and row."""
    return f"{table}.{column}.{row_id}".encode()


def encrypt_value(plaintext: str, aad: bytes, *, ring: Keyring | None = None) -> str:
    """Encrypt ``plaintext`` for the place ``aad`` names, with the newest key."""
    ring = ring or keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.keys[ring.current].encrypt(nonce, values.pad(plaintext.encode("utf-8")), aad)
    body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
    return f"{FORMAT}.{ring.current}.{body}"


def decrypt_value(stored: str, aad: bytes, *, ring: Keyring | None = None) -> str:
    """Decrypt a value made by :func:`encrypt_value` for the same ``aad``.

    Raises:
        FieldDecryptionError: Unknown key, malformed, tampered with, or moved to another place.
    """
    ring = ring or keyring()
    version, _, rest = stored.partition(".")
    kid, _, body = rest.partition(".")
    cipher = ring.keys.get(kid)
    if version not in (FORMAT, UNPADDED_FORMAT) or cipher is None:
        msg = "stored value cannot be decrypted: unknown format or key"
        raise FieldDecryptionError(msg)
    try:
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
        plain = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)
        return (values.unpad(plain) if version == FORMAT else plain).decode("utf-8")
    except (InvalidTag, ValueError, UnicodeError) as exc:
        msg = "stored value cannot be decrypted: tampered with or not stored for this row"
        raise FieldDecryptionError(msg) from exc


def key_of(stored: str) -> str:
    """Return the key id a stored value was encrypted with."""
    parts = stored.split(".", 2)
    return parts[1] if len(parts) == len(("format", "key", "body")) else ""


class EncryptedText(TypeDecorator[Any]):
    """A column of any domain type encrypted at rest, bound to its row; ``Text`` in the database.

    Args:
        kind: Domain type of the values (see :data:`security.encryption.values.KINDS`).
        enum_class: The enum of an ``enum`` column, which values are typed as on read.
        indexed: Keep a blind index in the ``<column>_bidx`` column (equality and uniqueness).
    """

    impl = Text
    cache_ok = True

    def __init__(
        self,
        kind: str = "text",
        enum_class: type[enum.Enum] | None = None,
        *,
        indexed: bool = False,
    ) -> None:
        if kind not in values.KINDS:
            msg = f"unknown encrypted column kind {kind!r}"
            raise ValueError(msg)
        super().__init__()
        self.kind = kind
        self.enum_class = enum_class
        self.indexed = indexed

    @property
    def python_type(self) -> type[Any]:
        """The Python type of the values (the enum class of an enum column)."""
        if self.enum_class is not None:
            return self.enum_class
        return values.PYTHON_TYPES.get(self.kind, str)

    def dump(self, value: object) -> str:
        """Return the canonical text of a value, as it is encrypted and indexed."""
        return values.dump(self.kind, value)

    def load(self, text: str) -> object:
        """Return the typed value of decrypted canonical text."""
        return values.load(self.kind, text, self.enum_class)

    def process_bind_param(self, value: object | None, dialect: Dialect) -> str | None:
        """Pass sealed values on; refuse plaintext, which only the ORM can bind to a row."""
        if value is None or isinstance(value, Sealed):
            return value
        msg = "EncryptedText values are written through ORM objects, which seal them per row"
        raise TypeError(msg)

    def process_result_value(self, value: object | None, dialect: Dialect) -> str | None:
        """Return the stored value; the ORM load event decrypts it for its row."""
        return None if value is None else str(value)


_ENCRYPTED: dict[type[Any], dict[str, EncryptedText]] = {}
_PENDING: WeakKeyDictionary[Any, dict[str, object]] = WeakKeyDictionary()


def column_types(model: type[Any]) -> dict[str, EncryptedText]:
    """The ``EncryptedText`` columns of an ORM class: attribute name -> column type."""
    if model not in _ENCRYPTED:
        _ENCRYPTED[model] = {
            str(column.key): column.type
            for column in sa_inspect(model).columns
            if isinstance(column.type, EncryptedText)
        }
    return _ENCRYPTED[model]


def encrypted_columns(model: type[Any]) -> tuple[str, ...]:
    """Names of the ``EncryptedText`` columns of an ORM class."""
    return tuple(column_types(model))


def index_column(name: str) -> str:
    """Name of the blind-index column of the encrypted column ``name``."""
    return f"{name}{INDEX_SUFFIX}"


def blind_index(table: str, column: str, text: str, *, key: bytes | None = None) -> str:
    """The blind index of canonical ``text`` in ``table.column`` (under :func:`index_key`)."""
    return values.digest(key or index_key(), table, column, text)


def equals(model: type[Any], name: str, value: object) -> ColumnElement[bool]:
    """The condition "attribute ``name`` of ``model`` equals ``value``".

    An indexed encrypted attribute is compared through its blind index, which does not depend
    on the encryption key (records written before a rotation are found too); any other
    through its column.

    Raises:
        ValueError: ``name`` is encrypted without a blind index, so it cannot be compared.
    """
    column_type = column_types(model).get(name)
    if column_type is None:
        return cast("ColumnElement[bool]", getattr(model, name) == value)
    if not column_type.indexed:
        msg = f"{model.__name__}.{name} is encrypted without a blind index"
        raise ValueError(msg)
    table = str(sa_inspect(model).local_table.name)
    digest = blind_index(table, name, column_type.dump(value))
    return cast("ColumnElement[bool]", getattr(model, index_column(name)) == digest)


def _table(target: Any) -> str:
    return str(sa_inspect(type(target)).local_table.name)


def _seal(target: Any, names: tuple[str, ...], row_id: object) -> dict[str, object]:
    """Replace the plaintext of ``names`` on ``target`` by sealed values; return the plaintext.

    The blind index of an indexed column is set (or cleared) with it.
    """
    types = column_types(type(target))
    table = _table(target)
    plain: dict[str, object] = {}
    for name in names:
        value = getattr(target, name)
        column_type = types[name]
        if isinstance(value, Sealed):
            continue
        if column_type.indexed:
            index = None if value is None else blind_index(table, name, column_type.dump(value))
            setattr(target, index_column(name), index)
        if value is None:
            continue
        plain[name] = value
        aad = associated_data(table, name, row_id)
        setattr(target, name, Sealed(encrypt_value(column_type.dump(value), aad)))
    return plain


@event.listens_for(Base, "before_insert", propagate=True)
def _seal_insert(_mapper: Mapper[Any], _connection: Connection, target: Any) -> None:
    names = encrypted_columns(type(target))
    if names:
        _PENDING[target] = _seal(target, names, PENDING_ROW)


@event.listens_for(Base, "after_insert", propagate=True)
def _bind_insert(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    plain = _PENDING.pop(target, None)
    if not plain:
        return
    key = mapper.primary_key[0]
    row_id = getattr(target, str(key.key))
    table = _table(target)
    types = column_types(type(target))
    sealed = {
        name: Sealed(encrypt_value(types[name].dump(value), associated_data(table, name, row_id)))
        for name, value in plain.items()
    }
    connection.execute(
        update(cast("Table", mapper.local_table)).where(key == row_id).values(sealed)
    )
    for name, value in plain.items():
        set_committed_value(target, name, value)


@event.listens_for(Base, "before_update", propagate=True)
def _seal_update(mapper: Mapper[Any], _connection: Connection, target: Any) -> None:
    names = tuple(n for n in encrypted_columns(type(target)) if get_history(target, n).added)
    if names:
        row_id = getattr(target, str(mapper.primary_key[0].key))
        _PENDING[target] = _seal(target, names, row_id)


@event.listens_for(Base, "after_update", propagate=True)
def _restore_update(_mapper: Mapper[Any], _connection: Connection, target: Any) -> None:
    for name, value in _PENDING.pop(target, {}).items():
        set_committed_value(target, name, value)


def _open(target: Any, names: Collection[str] | None = None) -> None:
    """Decrypt the loaded encrypted attributes of ``target`` for its row."""
    row_id = sa_inspect(target).identity
    loaded = target.__dict__
    for name, column_type in column_types(type(target)).items():
        if names is not None and name not in names:
            continue
        value = loaded.get(name)
        if value is None or row_id is None:
            continue
        aad = associated_data(_table(target), name, row_id[0])
        set_committed_value(target, name, column_type.load(decrypt_value(str(value), aad)))


@event.listens_for(Base, "load", propagate=True)
def _open_load(target: Any, _context: object) -> None:
    _open(target)


@event.listens_for(Base, "refresh", propagate=True)
def _open_refresh(target: Any, _context: object, attrs: Collection[str] | None) -> None:
    _open(target, attrs)
