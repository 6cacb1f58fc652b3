"""``EncryptedText``: string columns stored AES-256-GCM encrypted, bound to their row.

The keys come from the setting ``field_encryption_key`` (env ``FIELD_ENCRYPTION_KEY``), a
secret of its own: one or more 32-byte keys in url-safe base64, comma-separated, newest first.
Values are written with the first key and read with any listed key, so a new key is put in
front to rotate (``python -m security.encryption.rotate`` then rewrites the stored values).

A stored value is ``v1.<key id>.<base64 of nonce + ciphertext + tag>``. The key id is the
first 8 hex digits of the key's SHA-256, so reading knows which key to use. The associated
data is ``<table>.<column>.<row id>``: a value copied onto another row or column no longer
decrypts (:class:`FieldDecryptionError`), and the API answers a clean 500.

The ORM seals values: mapper events encrypt on insert and update (an insert is written once
more when its id is known) and decrypt on load, so model attributes hold plaintext. Values
written without the ORM are refused. Encrypted columns are ``Text`` in the database and cannot
be searched, sorted or made unique by value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, cast
from weakref import WeakKeyDictionary

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, Dialect, Table, Text, event, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import get_history, set_committed_value
from sqlalchemy.types import TypeDecorator

from core.config.settings import get_settings
from core.db import Base

FORMAT: Final = "v1"
"""Prefix of stored values (the format version)."""

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
        try:
            raw = base64.urlsafe_b64decode(part.encode("ascii"))
        except (binascii.Error, UnicodeError) as exc:
            msg = "FIELD_ENCRYPTION_KEY must hold 32-byte keys in url-safe base64"
            raise ValueError(msg) from exc
        if len(raw) != KEY_BYTES:
            msg = "FIELD_ENCRYPTION_KEY must hold 32-byte keys in url-safe base64"
            raise ValueError(msg)
        ciphers.setdefault(key_id(raw), AESGCM(raw))
    return Keyring(current=key_id(base64.urlsafe_b64decode(parts[0])), keys=ciphers)


def keyring() -> Keyring:
    """Return the keyring of the current settings."""
    return build_keyring(get_settings().field_encryption_key.get_secret_value())


def associated_data(table: str, column: str, row_id: object) -> bytes:
    """The associated data binding a value to its table, column and row."""
    return f"{table}.{column}.{row_id}".encode()


def encrypt_value(plaintext: str, aad: bytes, *, ring: Keyring | None = None) -> str:
    """Encrypt ``plaintext`` for the place ``aad`` names, with the newest key."""
    ring = ring or keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.keys[ring.current].encrypt(nonce, plaintext.encode("utf-8"), aad)
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
    if version != FORMAT or cipher is None:
        msg = "stored value cannot be decrypted: unknown format or key"
        raise FieldDecryptionError(msg)
    try:
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
        plain = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)
        return plain.decode("utf-8")
    except (InvalidTag, ValueError, UnicodeError) as exc:
        msg = "stored value cannot be decrypted: tampered with or not stored for this row"
        raise FieldDecryptionError(msg) from exc


def key_of(stored: str) -> str:
    """Return the key id a stored value was encrypted with."""
    parts = stored.split(".", 2)
    return parts[1] if len(parts) == len(("format", "key", "body")) else ""


class EncryptedText(TypeDecorator[str]):
    """A string column encrypted at rest, bound to its row; ``Text`` in the database."""

    impl = Text
    cache_ok = True

    @property
    def python_type(self) -> type[str]:
        """Values are Python strings."""
        return str

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """Pass sealed values on; refuse plaintext, which only the ORM can bind to a row."""
        if value is None or isinstance(value, Sealed):
            return value
        msg = "EncryptedText values are written through ORM objects, which seal them per row"
        raise TypeError(msg)

    def process_result_value(self, value: object | None, dialect: Dialect) -> str | None:
        """Return the stored value; the ORM load event decrypts it for its row."""
        return None if value is None else str(value)


_ENCRYPTED: dict[type[Any], tuple[str, ...]] = {}
_PENDING: WeakKeyDictionary[Any, dict[str, str]] = WeakKeyDictionary()


def encrypted_columns(model: type[Any]) -> tuple[str, ...]:
    """Names of the ``EncryptedText`` columns of an ORM class."""
    if model not in _ENCRYPTED:
        _ENCRYPTED[model] = tuple(
            column.key
            for column in sa_inspect(model).columns
            if isinstance(column.type, EncryptedText)
        )
    return _ENCRYPTED[model]


def _table(target: Any) -> str:
    return str(sa_inspect(type(target)).local_table.name)


def _seal(target: Any, names: tuple[str, ...], row_id: object) -> dict[str, str]:
    """Replace the plaintext of ``names`` on ``target`` by sealed values; return the plaintext."""
    plain: dict[str, str] = {}
    for name in names:
        value = getattr(target, name)
        if value is None or isinstance(value, Sealed):
            continue
        plain[name] = value
        aad = associated_data(_table(target), name, row_id)
        setattr(target, name, Sealed(encrypt_value(value, aad)))
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
    values = {
        name: Sealed(encrypt_value(value, associated_data(table, name, row_id)))
        for name, value in plain.items()
    }
    connection.execute(
        update(cast("Table", mapper.local_table)).where(key == row_id).values(values)
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
    for name in encrypted_columns(type(target)):
        if names is not None and name not in names:
            continue
        value = loaded.get(name)
        if value is None or row_id is None:
            continue
        aad = associated_data(_table(target), name, row_id[0])
        set_committed_value(target, name, decrypt_value(str(value), aad))


@event.listens_for(Base, "load", propagate=True)
def _open_load(target: Any, _context: object) -> None:
    _open(target)


@event.listens_for(Base, "refresh", propagate=True)
def _open_refresh(target: Any, _context: object, attrs: Collection[str] | None) -> None:
    _open(target, attrs)
