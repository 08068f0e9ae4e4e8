"""People who sign in: association members, admins and editors, and their memberships."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import Base, Timestamps, UUIDPrimaryKey, utcnow
from portal.offers.models import _enum

if TYPE_CHECKING:
    from portal.organizations.models import Organization


class MemberRole(enum.StrEnum):
    """What a member may do in an organisation: owners also manage members."""

    OWNER = "owner"
    EDITOR = "editor"


class User(UUIDPrimaryKey, Timestamps, Base):
    """An account that signs in with an email address and a password."""

    __tablename__ = "user_account"

    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(200))
    email_verified_at: so.Mapped[dt.datetime | None]
    is_admin: so.Mapped[bool] = so.mapped_column(default=False)
    is_editor: so.Mapped[bool] = so.mapped_column(default=False)
    is_disabled: so.Mapped[bool] = so.mapped_column(default=False)
    # Bumped on logout, password change and "end all sessions": a session
    # cookie carries the number it was issued with and stops working after.
    session_version: so.Mapped[int] = so.mapped_column(default=1)
    failed_login_count: so.Mapped[int] = so.mapped_column(default=0)
    login_blocked_until: so.Mapped[dt.datetime | None]
    last_login_at: so.Mapped[dt.datetime | None]
    password_changed_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    is_demo: so.Mapped[bool] = so.mapped_column(default=False)

    memberships: so.Mapped[list[Membership]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login protocol.
    @property
    def is_active(self) -> bool:
        """Return whether the account may sign in."""
        return not self.is_disabled

    @property
    def is_authenticated(self) -> bool:
        """Return True: a loaded user is a signed-in user."""
        return True

    @property
    def is_anonymous(self) -> bool:
        """Return False: anonymous visitors are not User rows."""
        return False

    def get_id(self) -> str:
        """Return the session token: the id and the session version it is valid for."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_verified(self) -> bool:
        """Return whether the email address has been confirmed."""
        return self.email_verified_at is not None

    def role_in(self, organization_id: uuid.UUID) -> MemberRole | None:
        """Return the user's role in an organisation, or None if not a member."""
        for membership in self.memberships:
            if membership.organization_id == organization_id:
                return membership.role
        return None


class Membership(UUIDPrimaryKey, Timestamps, Base):
    """A user's role in an organisation."""

    __tablename__ = "membership"
    __table_args__ = (sa.UniqueConstraint("user_id", "organization_id"),)

    user_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    organization_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    role: so.Mapped[MemberRole] = so.mapped_column(
        _enum(MemberRole, "member_role"), default=MemberRole.EDITOR
    )

    user: so.Mapped[User] = so.relationship(back_populates="memberships")
    organization: so.Mapped[Organization] = so.relationship()


class Invitation(UUIDPrimaryKey, Timestamps, Base):
    """An emailed invitation to join an organisation; the link holds a signed token."""

    __tablename__ = "invitation"

    organization_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    role: so.Mapped[MemberRole] = so.mapped_column(
        _enum(MemberRole, "invitation_role"), default=MemberRole.EDITOR
    )
    invited_by_id: so.Mapped[uuid.UUID | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    accepted_at: so.Mapped[dt.datetime | None]
    revoked_at: so.Mapped[dt.datetime | None]

    organization: so.Mapped[Organization] = so.relationship()
    invited_by: so.Mapped[User | None] = so.relationship()
