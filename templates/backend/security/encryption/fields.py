"""``EncryptedText``: a column type that stores strings Fernet-encrypted (AES-128-CBC + HMAC).

The key comes from the setting ``field_encryption_key`` (env ``FIELD_ENCRYPTION_KEY``), a
Fernet key as made by ``python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"``. Rotate keys by listing several, comma-separated,
newest first: values are encrypted with the first key and decrypted with any of them.

Encrypted columns are ``Text`` in the database. They cannot be searched, sorted or made
unique by value, because the same plaintext encrypts to a different token every time.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Dialect, Text
from sqlalchemy.types import TypeDecorator

from core.config.settings import get_settings


class FieldDecryptionError(ValueError):
    """A stored value could not be decrypted with any configured key."""


@lru_cache(maxsize=4)
def build_cipher(keys: str) -> MultiFernet:
    """Build the cipher for comma-separated Fernet keys, newest first.

    Args:
        keys: One or more Fernet keys separated by commas.

    Returns:
        A cipher that encrypts with the first key and decrypts with any of them.

    Raises:
        ValueError: No key, or a value that is not a Fernet key.
    """
    parts = [part.strip() for part in keys.split(",") if part.strip()]
    if not parts:
        msg = "FIELD_ENCRYPTION_KEY is empty"
        raise ValueError(msg)
    try:
        return MultiFernet([Fernet(part.encode("ascii")) for part in parts])
    except ValueError as exc:
        msg = "FIELD_ENCRYPTION_KEY must hold Fernet keys (32 url-safe base64-encoded bytes)"
        raise ValueError(msg) from exc


def field_cipher() -> MultiFernet:
    """Return the cipher built from the current settings' ``field_encryption_key``."""
    return build_cipher(get_settings().field_encryption_key.get_secret_value())


def encrypt_value(plaintext: str) -> str:
    """Encrypt ``plaintext`` into a Fernet token (ASCII text).

    Args:
        plaintext: The value to protect.

    Returns:
        The token as stored in the database.
    """
    return field_cipher().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_value(token: str) -> str:
    """Decrypt a Fernet token made by :func:`encrypt_value`.

    Args:
        token: The stored value.

    Returns:
        The plaintext.

    Raises:
        FieldDecryptionError: The token was tampered with or made with an unknown key.
    """
    try:
        return field_cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        msg = "stored value cannot be decrypted: wrong FIELD_ENCRYPTION_KEY or tampered data"
        raise FieldDecryptionError(msg) from exc


class EncryptedText(TypeDecorator[str]):
    """A string column encrypted at rest with Fernet; ``Text`` in the database."""

    impl = Text
    cache_ok = True

    @property
    def python_type(self) -> type[str]:
        """Values are Python strings (the ciphertext never leaves this type)."""
        return str

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """Encrypt a value on its way to the database."""
        if value is None:
            return None
        return encrypt_value(value)

    def process_result_value(self, value: object | None, dialect: Dialect) -> str | None:
        """Decrypt a value read from the database."""
        if value is None:
            return None
        return decrypt_value(str(value))
