"""Enrol an authenticator app, check its codes (never twice), and use recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app

from portal.accounts.models import User
from portal.db import db, utcnow
from portal.twofactor.models import RecoveryCode, TwoFactor

ISSUER = "Fællesskabsportalen"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def needs_second_factor(user: User) -> bool:
    """Return whether the account can see personal data and so must use two factors."""
    from portal.referrals.models import ProfessionalProfile

    if user.is_admin or user.memberships:
        return True
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ProfessionalProfile)
            .where(ProfessionalProfile.user_id == user.id)
        )
        > 0
    )


def enrolment(user: User) -> TwoFactor:
    """Return the user's unconfirmed enrolment, starting one with a new secret if needed."""
    two_factor = db.session.get(TwoFactor, user.id)
    if two_factor is None:
        two_factor = TwoFactor(user_id=user.id, secret=pyotp.random_base32())
        db.session.add(two_factor)
    return two_factor


def provisioning_uri(user: User, two_factor: TwoFactor) -> str:
    """Return the otpauth:// link the authenticator app reads from the QR code."""
    return pyotp.TOTP(two_factor.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    """Return the QR code of a link as an SVG data: URI (allowed by the CSP's img-src)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _normalise(code: str) -> str:
    return "".join(ch for ch in code if ch.isalnum()).lower()


def verify_code(two_factor: TwoFactor, code: str, now: float | None = None) -> bool:
    """Return whether the 6-digit code is right now (±30 s), refusing a replayed code."""
    code = _normalise(code)
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(two_factor.secret)
    moment = time.time() if now is None else now
    for drift in (-1, 0, 1):
        step = int(moment // totp.interval) + drift
        if step <= two_factor.last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            two_factor.last_step = step
            return True
    return False


def confirm(two_factor: TwoFactor, code: str) -> list[str] | None:
    """Finish enrolment with a correct code; return fresh recovery codes, or None."""
    if not verify_code(two_factor, code):
        return None
    two_factor.confirmed_at = utcnow()
    return new_recovery_codes(two_factor.user_id)


def _hash(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, _normalise(code).encode("utf-8"), hashlib.sha256).hexdigest()


def new_recovery_codes(user_id: object) -> list[str]:
    """Replace the user's recovery codes with ten new ones; return them to show once."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = [
        "-".join("".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODES)
    ]
    db.session.add_all(RecoveryCode(user_id=user_id, code_hash=_hash(code)) for code in codes)
    return codes


def use_recovery_code(user_id: object, code: str) -> bool:
    """Spend a recovery code; return whether it was valid and unused."""
    updated = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    return updated.rowcount == 1


def remaining_recovery_codes(user_id: object) -> int:
    """Return how many recovery codes are left."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )


def reset(user: User) -> None:
    """Remove the user's authenticator and recovery codes (an admin helping a locked-out user)."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(sa.delete(TwoFactor).where(TwoFactor.user_id == user.id))
