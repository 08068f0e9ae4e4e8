"""The editable synonym list and handing it to the search engine."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.find.models import SynonymGroup
from search import DEFAULT_SYNONYMS, SearchEngine

MAX_WORDS = 20
MAX_WORD_LENGTH = 40


class SynonymError(ValueError):
    """A synonym group is not usable."""


def normalise_group(text: str) -> str:
    """Return a group as "word, word, ..." in lower case; raise SynonymError if unusable."""
    words = list(dict.fromkeys(w.strip().lower() for w in text.split(",") if w.strip()))
    if len(words) < 2:
        raise SynonymError("a synonym group needs at least two words, separated by commas")
    if len(words) > MAX_WORDS:
        raise SynonymError(f"a synonym group can have at most {MAX_WORDS} words")
    if any(len(w) > MAX_WORD_LENGTH for w in words):
        raise SynonymError(f"a word can be at most {MAX_WORD_LENGTH} characters")
    return ", ".join(words)


def seed_synonyms(session: so.Session) -> int:
    """Add the starting synonym groups when the list is empty; return how many were added."""
    if session.scalar(sa.select(sa.func.count()).select_from(SynonymGroup)):
        return 0
    for group in DEFAULT_SYNONYMS:
        session.add(SynonymGroup(words=normalise_group(", ".join(group))))
    session.flush()
    return len(DEFAULT_SYNONYMS)


def add_group(session: so.Session, text: str) -> SynonymGroup:
    """Add a synonym group."""
    words = normalise_group(text)
    if session.scalar(sa.select(SynonymGroup).where(SynonymGroup.words == words)):
        raise SynonymError("that synonym group exists already")
    group = SynonymGroup(words=words)
    session.add(group)
    session.flush()
    return group


def remove_group(session: so.Session, group_id: int) -> None:
    """Remove a synonym group by id."""
    group = session.get(SynonymGroup, group_id)
    if group is None:
        raise SynonymError(f"there is no synonym group {group_id}")
    session.delete(group)
    session.flush()


def all_groups(session: so.Session) -> list[SynonymGroup]:
    """Return every synonym group in the order they were added."""
    return list(session.scalars(sa.select(SynonymGroup).order_by(SynonymGroup.id)))


def push_synonyms(session: so.Session, engine: SearchEngine) -> int:
    """Give the engine the current list; return the number of groups."""
    groups = [group.word_list for group in all_groups(session)]
    engine.set_synonyms(groups)
    return len(groups)
