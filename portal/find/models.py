"""The search outbox: offers whose index entry must be brought up to date."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import Base, utcnow


class SearchOutbox(Base):
    """One pending index update, written in the same transaction as the change.

    The row names only the offer: draining reads the offer's current state and
    indexes or removes it, so rows can be repeated, reordered or retried
    without ever leaving the index behind the database.
    """

    __tablename__ = "search_outbox"

    id: so.Mapped[int] = so.mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    service_id: so.Mapped[uuid.UUID] = so.mapped_column(index=True)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    available_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow, index=True)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))


class DirectoryVersion(Base):
    """A number that grows whenever offers or their index entries change (one row, id 1).

    Each web process compares it, at most once a second, with the number its
    page cache was filled under, and forgets its pages when it has grown.
    """

    __tablename__ = "directory_version"

    id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    version: so.Mapped[int] = so.mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), default=0
    )


def bump_directory_version(session: so.Session) -> None:
    """Count one more change to the directory, in the session's transaction."""
    session.execute(
        sa.update(DirectoryVersion)
        .where(DirectoryVersion.id == 1)
        .values(version=DirectoryVersion.version + 1)
    )


def directory_version(session: so.Session) -> int:
    """Return the directory's change counter."""
    return session.scalar(sa.select(DirectoryVersion.version).where(DirectoryVersion.id == 1)) or 0


class SynonymGroup(Base):
    """Words that find each other in search, e.g. "ældre, senior, pensionist".

    The database holds the list (admins edit it); the engines get a copy at
    every rebuild and sync.
    """

    __tablename__ = "synonym_group"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    words: so.Mapped[str] = so.mapped_column(sa.String(500), unique=True)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    @property
    def word_list(self) -> list[str]:
        """Return the group's words."""
        return [word.strip() for word in self.words.split(",") if word.strip()]
