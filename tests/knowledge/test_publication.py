"""Drafts and planned items stay hidden (pages, search, files) until their time comes."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from portal.extensions import db
from portal.knowledge.attachments import store_attachment
from portal.knowledge.models import KnowledgeKind, KnowledgeStatus
from tests.knowledge.conftest import fetch, index_all
from tests.knowledge.files import PDF


@pytest.fixture
def planned(app: Flask, make_item, clock):
    """A tool planned for one hour from now, with a file, indexed for search."""
    item = make_item(
        kind=KnowledgeKind.TOOL,
        title="Samtalekort om ensomhed",
        summary="Kort med spørgsmål, der åbner samtalen.",
        tags=["samtalekort"],
        status=KnowledgeStatus.SCHEDULED,
        publish_at=clock.now + dt.timedelta(hours=1),
    )
    store_attachment(
        db.session,
        item,
        PDF,
        "samtalekort.pdf",
        "Tolv kort med åbne spørgsmål.",
        None,
        app.config["KNOWLEDGE_UPLOAD_DIR"],
    )
    db.session.commit()
    index_all()
    return item


def visible_everywhere(client, item) -> dict[str, bool]:
    """Return where a visitor can see the item: its page, search, front page, file."""
    link = f'href="/viden/{item.slug}"'
    return {
        "page": fetch(client, f"/viden/{item.slug}").status_code == 200,
        "search": link in fetch(client, "/viden/soeg?q=samtalekort").get_data(as_text=True),
        "front page": link in fetch(client, "/viden/").get_data(as_text=True),
        "file": fetch(client, f"/viden/filer/{item.attachments[0].id}").status_code == 200,
    }


def test_a_planned_item_appears_by_itself_when_its_time_comes(client, planned, clock) -> None:
    before = visible_everywhere(client, planned)
    clock.advance(minutes=59)
    just_before = visible_everywhere(client, planned)
    clock.advance(minutes=2)
    after = visible_everywhere(client, planned)

    hidden = {"page": False, "search": False, "front page": False, "file": False}
    assert before == hidden
    assert just_before == hidden
    assert after == {"page": True, "search": True, "front page": True, "file": True}


def test_the_database_fallback_also_waits_for_the_time(client, planned, clock, monkeypatch) -> None:
    from portal.knowledge import search as knowledge_search
    from search import EngineUnavailable

    def broken(*_args, **_kwargs):
        raise EngineUnavailable("switched off")

    monkeypatch.setattr(type(knowledge_search.knowledge_index()), "search", broken)

    page = fetch(client, "/viden/soeg?q=samtalekort").get_data(as_text=True)
    assert "enklere udgave" in page
    link = f'href="/viden/{planned.slug}"'
    assert link not in page
    clock.advance(hours=2)
    assert link in fetch(client, "/viden/soeg?q=samtalekort").get_data(as_text=True)


def test_a_draft_is_never_public(client, make_item, clock) -> None:
    draft = make_item(
        title="Samtalekort, udkast", status=KnowledgeStatus.DRAFT, tags=["samtalekort"]
    )
    index_all()
    clock.advance(days=365)

    assert fetch(client, f"/viden/{draft.slug}").status_code == 404
    page = fetch(client, "/viden/soeg?q=samtalekort").get_data(as_text=True)
    assert f'href="/viden/{draft.slug}"' not in page


def test_editors_preview_drafts_and_planned_items(editor_client, planned) -> None:
    page = fetch(editor_client, f"/viden/{planned.slug}").get_data(as_text=True)

    assert "Planlagt: bliver offentlig" in page
    assert fetch(editor_client, f"/viden/filer/{planned.attachments[0].id}").status_code == 200
