"""Fixtures of the knowledge-centre tests: items, editors and a clock that can be stopped."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

from portal.accounts.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.knowledge.models import EvidenceLevel, KnowledgeItem, KnowledgeKind, KnowledgeStatus
from portal.knowledge.services import ItemChanges, create_item


@pytest.fixture
def make_item(app: Flask) -> Callable[..., KnowledgeItem]:
    """Return a factory of committed, published knowledge items (not in the search index).

    Keyword arguments override ItemChanges fields; ``kind`` picks the type and
    ``terms`` takes "vocabulary:code" keys.
    """

    def factory(**overrides: Any) -> KnowledgeItem:
        kind = overrides.pop("kind", KnowledgeKind.ARTICLE)
        values: dict[str, Any] = {
            "title": "Sådan spørger du ind til ensomhed",
            "summary": "Gode spørgsmål til den svære samtale.",
            "body": "Spørg åbent, og lyt efter overgangene i livet.",
            "audiences": ["fagpersoner"],
            "tags": ["samtale"],
            "status": KnowledgeStatus.PUBLISHED,
        }
        if kind is KnowledgeKind.CONCEPT:
            values["evidence_level"] = EvidenceLevel.PROMISING
        values["term_codes"] = overrides.pop("terms", [])
        values.update(overrides)
        item = create_item(db.session, kind, ItemChanges(**values), None)
        db.session.commit()
        return item

    return factory


@pytest.fixture
def editor(make_user: Callable[..., User]) -> User:
    """Return a knowledge-centre editor."""
    return make_user(email="redaktor@videnscenter.example", is_editor=True, name="Rikke Redaktør")


@pytest.fixture
def editor_client(
    client: FlaskClient, login: Callable[..., FlaskClient], editor: User
) -> FlaskClient:
    """Return the test client, signed in as an editor."""
    return login(editor)


class Clock:
    """The time the knowledge centre sees; moved by tests."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Stop the knowledge centre's clock (every knowledge module's ``utcnow``) at now."""
    frozen = Clock(utcnow())
    for name, module in list(sys.modules.items()):
        if name.startswith("portal.knowledge") and hasattr(module, "utcnow"):
            monkeypatch.setattr(module, "utcnow", frozen)
    return frozen


@pytest.fixture
def switch_user(client: FlaskClient) -> Callable[[User | None], FlaskClient]:
    """Return a function that signs ``user`` in on the client, or signs out with None.

    The test's app context lives across requests, and Flask-Login caches the
    user in ``g``; the cache is dropped so the next request loads the new user.
    """

    def switch(user: User | None) -> FlaskClient:
        g.pop("_login_user", None)
        with client.session_transaction() as session:
            session.clear()
            if user is not None:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
        return client

    return switch


def fetch(client: FlaskClient, url: str):  # type: ignore[no-untyped-def]
    """GET ``url``, read the whole body and close the response (file downloads stream)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def index_all() -> int:
    """Rebuild the knowledge index from the database, as `portal knowledge reindex` does."""
    from portal.knowledge.search import knowledge_index, rebuild

    return rebuild(db.session, knowledge_index())
