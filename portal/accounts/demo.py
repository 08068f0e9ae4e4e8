"""Demo accounts, one for each kind of user, so the demo can be tried from every side.

They exist only in demo data (is_demo), share one password that is printed by
the demo commands and documented in the README, and are refreshed each time the
demo data is written.
"""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.accounts.models import MemberRole, Membership, User
from portal.accounts.passwords import hash_password, verify_password
from portal.offers.models import Service, ServiceStatus
from portal.organizations.models import Organization

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "kaffe og kage i forsamlingshuset"  # noqa: S105 (public demo password)
ADMIN = "admin@demo.example"
EDITOR = "redaktoer@demo.example"
OWNER = "forening@demo.example"
NEW_OWNER = "ny-forening@demo.example"
NEW_ORGANIZATION_NAME = "Nyt Fællesskab i Thisted"

_ACCOUNTS = (
    (ADMIN, "Anna Administrator", "admin"),
    (EDITOR, "Rasmus Redaktør", "knowledge-centre editor"),
    (OWNER, "Karen Foreningsmand", "owner of a verified association with offers"),
    (NEW_OWNER, "Nikolaj Nystartet", "owner of a new, unverified association"),
)


def _ensure_user(session: so.Session, email: str, name: str, now: dt.datetime) -> User:
    """Return the demo account with this address, created or reset to its demo state."""
    user = session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=hash_password(DEMO_PASSWORD))
        session.add(user)
    elif not verify_password(user.password_hash, DEMO_PASSWORD):
        # Someone changed it while trying the demo; the README must stay true.
        user.password_hash = hash_password(DEMO_PASSWORD)
    user.name = name
    user.is_demo = True
    user.is_disabled = False
    user.email_verified_at = user.email_verified_at or now
    user.failed_login_count = 0
    user.login_blocked_until = None
    return user


def _organization_with_most_offers(session: so.Session) -> Organization | None:
    """Return the demo organisation with the most published offers."""
    offers = sa.func.count(Service.id)
    return session.scalar(
        sa.select(Organization)
        .join(Service, Service.organization_id == Organization.id)
        .where(Organization.is_demo.is_(True), Service.status == ServiceStatus.PUBLISHED)
        .group_by(Organization.id)
        .order_by(offers.desc(), Organization.name, Organization.id)
        .limit(1)
    )


def _new_organization(session: so.Session) -> Organization:
    """Return the new, unverified demo organisation, creating it if needed."""
    organization = session.scalar(
        sa.select(Organization).where(
            Organization.is_demo.is_(True), Organization.name == NEW_ORGANIZATION_NAME
        )
    )
    if organization is None:
        organization = Organization(
            name=NEW_ORGANIZATION_NAME,
            description="Ny forening, der lige har oprettet sig og venter på at blive godkendt.",
            email=NEW_OWNER,
            city="Thisted",
            postal_code="7700",
            municipality_code="787",
            is_demo=True,
        )
        session.add(organization)
    organization.is_verified = False
    return organization


def _owns(session: so.Session, user: User, organization: Organization) -> None:
    """Make the user the only organisation membership it has: owner of ``organization``."""
    session.flush()
    for membership in list(user.memberships):
        if membership.organization_id != organization.id:
            user.memberships.remove(membership)
    if user.role_in(organization.id) is None:
        user.memberships.append(Membership(organization_id=organization.id, role=MemberRole.OWNER))
    else:
        for membership in user.memberships:
            membership.role = MemberRole.OWNER


def ensure_demo_accounts(session: so.Session, now: dt.datetime) -> list[tuple[str, str]]:
    """Create or refresh the demo accounts; return (email, what it is) for each.

    Call it after the demo offers exist: the association owner is given the
    demo organisation with the most offers, which is marked verified.
    """
    users = {email: _ensure_user(session, email, name, now) for email, name, _role in _ACCOUNTS}
    users[ADMIN].is_admin = True
    users[EDITOR].is_editor = True
    users[EDITOR].is_admin = False
    for email in (OWNER, NEW_OWNER):
        users[email].is_admin = False
        users[email].is_editor = False

    verified = _organization_with_most_offers(session)
    if verified is not None:
        verified.is_verified = True
        _owns(session, users[OWNER], verified)
    else:
        logger.warning("no demo organisation with offers; the demo owner has none")
    _owns(session, users[NEW_OWNER], _new_organization(session))
    session.flush()
    return [(email, role) for email, _name, role in _ACCOUNTS]
