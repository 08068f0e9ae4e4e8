"""Encryption at rest for personal fields: Fernet with several keys, so keys can rotate.

A raw SELECT on an encrypted column shows only ciphertext. The newest key
(first in ENCRYPTION_KEYS) encrypts; every listed key decrypts, and
`portal referrals rotate-keys` re-encrypts old rows with the newest key.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app

from portal.config import ConfigError

EXTENSION = "portal.cipher"


class DecryptionError(RuntimeError):
    """Stored ciphertext could not be read with any configured key."""


def build_cipher(keys: tuple[str, ...] | list[str]) -> MultiFernet:
    """Return a cipher over the given keys, newest first; refuse malformed keys."""
    if not keys:
        raise ConfigError("ENCRYPTION_KEYS must name at least one key")
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in keys])
    except (ValueError, UnicodeEncodeError):
        raise ConfigError(
            "ENCRYPTION_KEYS must be comma-separated Fernet keys "
            "(32 url-safe base64-encoded bytes each)"
        ) from None


def cipher() -> MultiFernet:
    """Return the app's cipher."""
    return current_app.extensions[EXTENSION]


def encrypt(value: str) -> str:
    """Return the ciphertext of a text."""
    return cipher().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Return the text of a ciphertext; raise DecryptionError if no key opens it."""
    try:
        return cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise DecryptionError("no configured key decrypts this value") from None


def rotate(token: str) -> str:
    """Return the ciphertext re-encrypted with the newest key."""
    return cipher().rotate(token.encode("ascii")).decode("ascii")


def fingerprint(*parts: str | None) -> str:
    """Return a keyed hash of normalised values, to find duplicates without decrypting."""
    normalised = "\x1f".join((part or "").strip().casefold() for part in parts)
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedText(sa.TypeDecorator[str]):
    """A text column stored encrypted; the application sees plain text."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        return encrypt(value)

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        return decrypt(value)


def init_app(app: Flask) -> None:
    """Build the cipher from ENCRYPTION_KEYS (a malformed key stops start-up)."""
    app.extensions[EXTENSION] = build_cipher(app.config["ENCRYPTION_KEYS"])
