"""The referral side of the demo: a verified GP, authenticator secrets, one example referral.

The TOTP secrets are fixed and printed in the README so that anyone trying the
demo can add them to an authenticator app. They exist only on demo accounts.
"""

from __future__ import annotations

import base64
import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.accounts import demo as account_demo
from portal.accounts.models import User
from portal.accounts.passwords import hash_password
from portal.demo.phones import demo_phone_number
from portal.offers.models import Service, ServiceStatus
from portal.referrals.models import (
    ConsentMethod,
    ProfessionalKind,
    ProfessionalProfile,
    Referral,
)
from portal.referrals.services import Citizen, Consent, create_referral
from portal.twofactor.models import TwoFactor

GP = "laege@demo.example"


def demo_secret(email: str) -> str:
    """Return the fixed, public authenticator secret of a demo account."""
    return base64.b32encode(f"demo:{email}".encode()[:20].ljust(20, b"!")).decode("ascii")


def _gp(session: so.Session, now: dt.datetime) -> User:
    user = session.scalar(sa.select(User).where(User.email == GP))
    if user is None:
        user = User(
            email=GP,
            name="Lise Læge",
            password_hash=hash_password(account_demo.DEMO_PASSWORD),
            email_verified_at=now,
            is_demo=True,
        )
        session.add(user)
        session.flush()
    profile = session.scalar(
        sa.select(ProfessionalProfile).where(ProfessionalProfile.user_id == user.id)
    )
    if profile is None:
        session.add(
            ProfessionalProfile(
                user_id=user.id,
                kind=ProfessionalKind.GP,
                workplace="Lægehuset ved Torvet (demo)",
                municipality_code="787",
                verified_at=now,
            )
        )
    return user


def _enrol(session: so.Session, user: User, now: dt.datetime) -> None:
    two_factor = session.get(TwoFactor, user.id)
    if two_factor is None:
        session.add(TwoFactor(user_id=user.id, secret=demo_secret(user.email), confirmed_at=now))
    else:
        two_factor.secret = demo_secret(user.email)
        two_factor.confirmed_at = two_factor.confirmed_at or now
        two_factor.last_step = 0


def _example_referral(session: so.Session, gp: User, owner: User) -> None:
    """Refer a fictitious citizen to the demo association's first offer, once."""
    if not owner.memberships:
        return
    organization_id = owner.memberships[0].organization_id
    if session.scalar(
        sa.select(sa.func.count())
        .select_from(Referral)
        .where(Referral.organization_id == organization_id, Referral.referrer_id == gp.id)
    ):
        return
    service = session.scalar(
        sa.select(Service)
        .where(
            Service.organization_id == organization_id, Service.status == ServiceStatus.PUBLISHED
        )
        .order_by(Service.name)
        .limit(1)
    )
    if service is None:
        return
    create_referral(
        service=service,
        referrer=gp,
        form_token="demo-referral",  # noqa: S106 - a fixed id, not a secret
        citizen=Citizen(
            name="Grethe Demo (opdigtet)",
            phone=demo_phone_number(0),
            contact_time="Formiddag",
            needs=["company"],
            reason_code="flyttet",
            note="Er lige flyttet til byen og kender ingen.",
        ),
        consent=Consent(
            given_by="citizen", method=ConsentMethod.VERBAL, at=gp.created_at, text_version="2026-1"
        ),
    )


def ensure_demo_referral_side(session: so.Session, now: dt.datetime) -> list[tuple[str, str]]:
    """Create the demo GP, enrol every demo account that sees personal data; return secrets."""
    gp = _gp(session, now)
    session.flush()
    accounts = {
        user.email: user
        for user in session.scalars(
            sa.select(User).where(
                User.email.in_([account_demo.ADMIN, account_demo.OWNER, account_demo.NEW_OWNER, GP])
            )
        )
    }
    for user in accounts.values():
        _enrol(session, user, now)
    owner = accounts.get(account_demo.OWNER)
    if owner is not None:
        _example_referral(session, gp, owner)
    session.flush()
    return [(email, demo_secret(email)) for email in sorted(accounts)]
