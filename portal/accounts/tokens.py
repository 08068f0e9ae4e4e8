"""Signed links in emails: confirming an address and choosing a new password.

The tokens are signed, not encrypted, so they carry nothing secret. Each one
also carries something that changes once it has been used (the address it
was issued for, a fingerprint of the password hash), which makes it single-use
without storing it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.accounts.models import User

VERIFY_SALT = "verify-email"
RESET_SALT = "reset-password"
VERIFY_MAX_AGE = 3 * 24 * 60 * 60
RESET_MAX_AGE = 60 * 60

SIGNUP = "signup"
CHANGE = "change"


class TokenError(Exception):
    """A link that cannot be used; ``expired`` says whether it was merely too old."""

    def __init__(self, expired: bool = False) -> None:
        """Remember whether the link was only too old."""
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class EmailToken:
    """What a verification link asks for: confirm ``email`` for the user."""

    user_id: uuid.UUID
    email: str
    purpose: str
    # For an address change: the address the account had when it was asked for.
    previous_email: str | None = None


@dataclass(frozen=True)
class ResetToken:
    """What a reset link asks for: a new password for the user, if it has not changed."""

    user_id: uuid.UUID
    fingerprint: str


def _serializer(salt: str) -> URLSafeTimedSerializer:
    """Return the signer for one kind of link."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _load(salt: str, token: str, max_age: int) -> dict[str, Any]:
    """Return a token's data; raise TokenError if forged, too old or not a mapping."""
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenError(expired=True) from None
    except BadSignature:
        raise TokenError() from None
    if not isinstance(data, dict):
        raise TokenError()
    return data


def password_fingerprint(password_hash: str) -> str:
    """Return a short digest of the password hash; it changes whenever the password does."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:24]


def make_verify_token(user: User, email: str, purpose: str = SIGNUP) -> str:
    """Return a token that confirms ``email`` for the user (a new account or a new address)."""
    data: dict[str, Any] = {"u": str(user.id), "e": email, "p": purpose}
    if purpose == CHANGE:
        data["f"] = user.email
    return _serializer(VERIFY_SALT).dumps(data)


def read_verify_token(token: str, max_age: int = VERIFY_MAX_AGE) -> EmailToken:
    """Return what a verification token asks for; raise TokenError if forged or too old."""
    data = _load(VERIFY_SALT, token, max_age)
    try:
        return EmailToken(
            user_id=uuid.UUID(data["u"]),
            email=str(data["e"]),
            purpose=data["p"] if data["p"] in (SIGNUP, CHANGE) else "",
            previous_email=data.get("f"),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise TokenError() from None


def make_reset_token(user: User) -> str:
    """Return a token that lets the user choose a new password, until the password changes."""
    return _serializer(RESET_SALT).dumps(
        {"u": str(user.id), "h": password_fingerprint(user.password_hash)}
    )


def read_reset_token(token: str, max_age: int = RESET_MAX_AGE) -> ResetToken:
    """Return what a reset token asks for; raise TokenError if forged or too old."""
    data = _load(RESET_SALT, token, max_age)
    try:
        return ResetToken(user_id=uuid.UUID(data["u"]), fingerprint=str(data["h"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise TokenError() from None
