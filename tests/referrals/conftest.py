"""Factories for referrals."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest

from portal.db import db, utcnow
from portal.referrals.models import ConsentMethod, Referral
from portal.referrals.services import Citizen, Consent, create_referral


@pytest.fixture
def consent() -> Consent:
    """Return a valid verbal consent."""
    return Consent(given_by="borgeren", method=ConsentMethod.VERBAL, at=utcnow(), text_version="v1")


@pytest.fixture
def make_referral(app: Any, consent: Consent) -> Callable[..., Referral]:
    """Return a factory of committed referrals of Anne Hansen to the given offer."""

    def factory(offer: Any, referrer: Any = None, **citizen: Any) -> Referral:
        details = {"name": "Anne Hansen", "phone": "+45 12 34 56 78", "reason_code": "ny_i_byen"}
        details.update(citizen)
        referral = create_referral(
            service=offer,
            referrer=referrer,
            form_token=secrets.token_hex(16),
            citizen=Citizen(**details),
            consent=consent,
        )
        db.session.commit()
        return referral

    return factory


@pytest.fixture
def sign_in_2fa(login: Callable[..., Any]) -> Callable[..., Any]:
    """Return the sign-in helper; it passes the second factor, as referral pages require."""
    return login


@pytest.fixture
def professional(make_user: Callable[..., Any]) -> Any:
    """Return a verified GP."""
    from portal.referrals.models import ProfessionalKind, ProfessionalProfile

    user = make_user(email="laege@example.org", name="Dr. Jensen")
    db.session.add(
        ProfessionalProfile(
            user_id=user.id,
            kind=ProfessionalKind.GP,
            workplace="Lægehuset Torvet",
            municipality_code="787",
            verified_at=utcnow(),
        )
    )
    db.session.commit()
    return user
