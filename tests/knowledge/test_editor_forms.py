"""Editors write articles, tools and concepts; every save keeps a revision."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.extensions import db
from portal.knowledge.forms import LOCAL_TIME
from portal.knowledge.models import (
    EvidenceLevel,
    KnowledgeItem,
    KnowledgeKind,
    KnowledgeRevision,
    KnowledgeStatus,
)
from tests.helpers import csrf_token


def article_form(token: str, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "csrf_token": token,
        "title": "Når ensomheden kommer efter et tab",
        "summary": "Om sorg, ensomhed og at finde nye fællesskaber.",
        "body": "## Sorg og ensomhed\n\nMange bliver ensomme, når de mister en partner.",
        "audiences": ["borgere", "fagpersoner"],
        "tags": "sorg, Ensomhed , sorg",
        "target_group": ["efterladte"],
        "life_situation": ["mistet-partner"],
        "status": "published",
        "base_revision": "0",
    }
    values.update(changes)
    return values


def item_named(title: str) -> KnowledgeItem:
    return db.session.scalars(sa.select(KnowledgeItem).where(KnowledgeItem.title == title)).one()


def test_an_editor_publishes_an_article(editor_client) -> None:
    token = csrf_token(editor_client, "/viden/redaktion/ny?type=article")

    response = editor_client.post("/viden/redaktion/ny?type=article", data=article_form(token))

    assert response.status_code == 302
    item = item_named("Når ensomheden kommer efter et tab")
    assert item.kind is KnowledgeKind.ARTICLE
    assert item.slug == "naar-ensomheden-kommer-efter-et-tab"
    assert item.tags == ["ensomhed", "sorg"]
    assert item.audiences == ["borgere", "fagpersoner"]
    assert sorted(t.code for t in item.terms) == ["efterladte", "mistet-partner"]
    assert item.is_public()
    page = editor_client.get(f"/viden/{item.slug}").get_data(as_text=True)
    assert "<h2>Sorg og ensomhed</h2>" in page


def test_missing_fields_are_explained_next_to_them_and_nothing_typed_is_lost(editor_client) -> None:
    token = csrf_token(editor_client, "/viden/redaktion/ny?type=concept")
    form = article_form(
        token, title="", audiences=[], body="Min lange tekst, som ikke må forsvinde."
    )

    response = editor_client.post("/viden/redaktion/ny?type=concept", data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Der er noget, der skal rettes" in page
    assert '<a href="#title">Skriv en titel.</a>' in page
    assert "Vælg mindst én målgruppe for indholdet." in page
    assert "Vælg konceptets evidensniveau." in page
    assert 'aria-invalid="true"' in page and 'aria-describedby="title-error"' in page
    assert "Min lange tekst, som ikke må forsvinde." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeItem)) == 0


def test_a_planned_publication_needs_a_future_time(editor_client) -> None:
    token = csrf_token(editor_client, "/viden/redaktion/ny?type=article")
    past = (dt.datetime.now(LOCAL_TIME) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    missing = editor_client.post(
        "/viden/redaktion/ny?type=article", data=article_form(token, status="scheduled")
    )
    passed = editor_client.post(
        "/viden/redaktion/ny?type=article",
        data=article_form(token, status="scheduled", publish_at=past),
    )

    assert "Skriv, hvornår indholdet skal udgives" in missing.get_data(as_text=True)
    assert "Tidspunktet er allerede passeret" in passed.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeItem)) == 0


def test_a_planned_time_is_read_as_danish_time(editor_client) -> None:
    token = csrf_token(editor_client, "/viden/redaktion/ny?type=article")
    local = (dt.datetime.now(LOCAL_TIME) + dt.timedelta(days=3)).replace(second=0, microsecond=0)

    editor_client.post(
        "/viden/redaktion/ny?type=article",
        data=article_form(token, status="scheduled", publish_at=local.strftime("%Y-%m-%dT%H:%M")),
    )

    item = item_named("Når ensomheden kommer efter et tab")
    assert item.status is KnowledgeStatus.SCHEDULED
    assert item.publish_at == local.astimezone(dt.UTC)
    assert not item.is_public()


def test_a_post_without_the_form_token_changes_nothing(editor_client, make_item) -> None:
    item = make_item()

    response = editor_client.post(
        f"/viden/redaktion/{item.id}", data=article_form("", title="Uden token")
    )

    assert response.status_code == 422
    db.session.refresh(item)
    assert item.title != "Uden token"


def test_every_save_keeps_a_revision_with_a_diff(editor_client, make_item) -> None:
    item = make_item(kind=KnowledgeKind.CONCEPT, title="Besøgsven", body="Første tekst.")
    url = f"/viden/redaktion/{item.id}"
    token = csrf_token(editor_client, url)
    form = article_form(
        token,
        title="Besøgsven",
        body="Første tekst.\nAnden linje.",
        evidence_level="documented",
        base_revision="1",
        note="Tilføjet en linje",
    )

    assert editor_client.post(url, data=form).status_code == 302

    numbers = db.session.scalars(
        sa.select(KnowledgeRevision.number).where(KnowledgeRevision.item_id == item.id)
    ).all()
    assert sorted(numbers) == [1, 2]
    page = editor_client.get(f"{url}/versioner/2").get_data(as_text=True)
    assert "Ændringer i forhold til version 1" in page
    assert "Anden linje." in page and "knowledge-diff__line--added" in page
    assert "Lovende praksis" in page and "Dokumenteret effekt" in page  # labels, not codes
    history = editor_client.get(f"{url}/versioner").get_data(as_text=True)
    assert "Tilføjet en linje" in history


def test_restoring_an_old_revision_adds_a_new_one_with_the_old_content(
    editor_client, make_item
) -> None:
    item = make_item(title="Telefonven", body="Den oprindelige tekst.")
    url = f"/viden/redaktion/{item.id}"
    token = csrf_token(editor_client, url)
    editor_client.post(
        url,
        data=article_form(token, title="Telefonven", body="En dårlig ændring.", base_revision="1"),
    )

    response = editor_client.post(f"{url}/versioner/1/gendan", data={"csrf_token": token})

    assert response.status_code == 302
    db.session.refresh(item)
    assert item.body == "Den oprindelige tekst."
    assert item.status is KnowledgeStatus.PUBLISHED
    revisions = db.session.scalars(
        sa.select(KnowledgeRevision)
        .where(KnowledgeRevision.item_id == item.id)
        .order_by(KnowledgeRevision.number)
    ).all()
    assert [r.number for r in revisions] == [1, 2, 3]
    assert revisions[2].snapshot["body"] == "Den oprindelige tekst."
    assert "Gendannet fra version 1" in editor_client.get(f"{url}/versioner").get_data(as_text=True)


def test_a_save_on_top_of_someone_elses_newer_save_is_stopped(editor_client, make_item) -> None:
    item = make_item(title="Gå-fællesskab", body="Version et.")
    url = f"/viden/redaktion/{item.id}"
    token = csrf_token(editor_client, url)
    editor_client.post(
        url,
        data=article_form(
            token, title="Gå-fællesskab", body="Kollegaens tekst.", base_revision="1"
        ),
    )

    response = editor_client.post(
        url, data=article_form(token, title="Gå-fællesskab", body="Min tekst.", base_revision="1")
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nogen har gemt en nyere version" in page
    assert "Min tekst." in page
    db.session.refresh(item)
    assert item.body == "Kollegaens tekst."


def test_concepts_keep_their_evidence_level(editor_client) -> None:
    token = csrf_token(editor_client, "/viden/redaktion/ny?type=concept")
    form = article_form(
        token,
        title="Fællesspisning",
        evidence_level="experience",
        how_to_start="1. Find et køkken.",
        sources="- Erfaringer fra forsamlingshuse.",
    )

    assert editor_client.post("/viden/redaktion/ny?type=concept", data=form).status_code == 302

    item = item_named("Fællesspisning")
    assert item.kind is KnowledgeKind.CONCEPT
    assert item.evidence_level is EvidenceLevel.EXPERIENCE
    page = editor_client.get(f"/viden/{item.slug}").get_data(as_text=True)
    assert "Erfaringsbaseret" in page and "Sådan starter du lokalt" in page
