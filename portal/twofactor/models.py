"""A user's TOTP secret and one-time recovery codes."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import Base, UUIDPrimaryKey, utcnow
from portal.referrals.crypto import EncryptedText


class TwoFactor(Base):
    """The authenticator app a user has enrolled (the secret is encrypted)."""

    __tablename__ = "two_factor"

    user_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    secret: so.Mapped[str] = so.mapped_column(EncryptedText)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    confirmed_at: so.Mapped[dt.datetime | None]
    # The last 30-second time step accepted: a code cannot be used twice.
    last_step: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)

    @property
    def is_confirmed(self) -> bool:
        """Return whether enrolment finished with a correct code."""
        return self.confirmed_at is not None


class RecoveryCode(UUIDPrimaryKey, Base):
    """A one-time code for when the phone with the authenticator app is lost."""

    __tablename__ = "recovery_code"

    user_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    used_at: so.Mapped[dt.datetime | None]
