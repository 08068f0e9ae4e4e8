"""Signed one-click links that confirm an offer is still running.

The token holds the offer's id and the confirmation time it was issued for,
so it works once: confirming moves ``last_confirmed_at`` on and the old token
no longer matches.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.offers.models import Service

SALT = "confirm-offer"
VALID_FOR = dt.timedelta(days=60)


class TokenProblem(enum.StrEnum):
    """Why a confirmation link cannot be used."""

    EXPIRED = "expired"
    USED = "used"
    INVALID = "invalid"


class TokenError(Exception):
    """The confirmation link cannot be used; ``problem`` says why."""

    def __init__(self, problem: TokenProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class ConfirmClaim:
    """What a valid token says: which offer, and the confirmation it was issued after."""

    service_id: uuid.UUID
    confirmed_stamp: str | None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def confirmation_stamp(service: Service) -> str | None:
    """Return the offer's last confirmation time as the token stores it."""
    confirmed = service.last_confirmed_at
    return confirmed.astimezone(dt.UTC).isoformat() if confirmed is not None else None


def make_confirm_token(service: Service) -> str:
    """Return a signed token that confirms ``service`` once, valid for 60 days."""
    return _serializer().dumps([str(service.id), confirmation_stamp(service)])


def read_confirm_token(token: str) -> ConfirmClaim:
    """Return what a token claims, or raise TokenError if it is expired or tampered with."""
    try:
        payload = _serializer().loads(token, max_age=int(VALID_FOR.total_seconds()))
    except SignatureExpired:
        raise TokenError(TokenProblem.EXPIRED) from None
    except BadSignature:
        raise TokenError(TokenProblem.INVALID) from None
    try:
        service_id, stamp = payload
        return ConfirmClaim(uuid.UUID(service_id), stamp)
    except (TypeError, ValueError):
        raise TokenError(TokenProblem.INVALID) from None


def check_claim(claim: ConfirmClaim, service: Service | None) -> Service:
    """Return the offer a claim may confirm, or raise TokenError (used, or no longer public)."""
    if service is None or service.id != claim.service_id or not service.is_published:
        raise TokenError(TokenProblem.INVALID)
    if confirmation_stamp(service) != claim.confirmed_stamp:
        raise TokenError(TokenProblem.USED)
    return service
