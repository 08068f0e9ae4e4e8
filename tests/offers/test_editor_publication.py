"""The offer editor's way to the public: preview, submit, publish, save live, archive, conflicts."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import db
from portal.find.engine import search_engine
from portal.find.models import SearchOutbox
from portal.find.sync import rebuild
from portal.mail.models import MailMessage
from portal.models import Service, ServiceStatus
from portal.moderation.models import VersionEvent
from tests.helpers import csrf_token
from tests.main.test_pages import visible_text
from tests.offers.test_editor import (
    create,
    edit_url,
    error_summary,
    form_values,
    member_fixture,  # noqa: F401 - a fixture
    new_url,
    only_service,
    organization_fixture,  # noqa: F401 - a fixture
    preview_url,
    versions,
)

# ---------- preview, submit, publish, archive ----------


def test_a_draft_is_not_public_but_members_can_preview_it(client, organization, member) -> None:
    create(client, organization)
    service = only_service()

    preview = client.get(preview_url(service.id))
    body = preview.get_data(as_text=True)

    assert preview.status_code == 200
    assert "Forhåndsvisning — ikke offentlig endnu" in visible_text(body)
    assert "Strikkeklub i Vejle" in visible_text(body)
    assert "Der er venteliste. Typisk ventetid: ca. 2 måneder" in visible_text(body)
    assert preview.headers["X-Robots-Tag"] == "noindex"
    assert "private" in preview.headers["Cache-Control"]
    assert client.get(f"/tilbud/{service.id}").status_code == 404


def test_the_preview_and_the_page_say_when_an_offer_is_closed(client, organization, member) -> None:
    reopens = (utcnow() + dt.timedelta(days=30)).date()
    create(client, organization, closed_until=reopens.isoformat(), action="submit")
    service = only_service()

    text = visible_text(client.get(preview_url(service.id)).get_data(as_text=True))

    assert "Midlertidigt lukket indtil" in text
    meetings = re.findall(
        r'<time datetime="([^"]+)"', client.get(preview_url(service.id)).get_data(as_text=True)
    )
    assert meetings, "the next meetings after the closing are shown"
    assert all(dt.datetime.fromisoformat(m).date() >= reopens for m in meetings)


def test_submitting_for_an_unverified_organisation_asks_the_admins(
    client, organization, member, make_user
) -> None:
    make_user(email="admin@portal.example", is_admin=True)

    response = create(client, organization, action="submit")

    service = only_service()
    assert response.status_code == 302
    assert service.status is ServiceStatus.PENDING_REVIEW
    assert [v.event for v in versions(service)] == [VersionEvent.SUBMITTED]
    mails = list(db.session.scalars(sa.select(MailMessage)))
    assert [m.to_address for m in mails] == ["admin@portal.example"]
    assert client.get(f"/tilbud/{service.id}").status_code == 404
    page = client.get(edit_url(service.id)).get_data(as_text=True)
    assert "Venter på godkendelse" in visible_text(page)


def test_submitting_for_a_verified_organisation_publishes_and_indexes(
    client, make_organization, make_user, login
) -> None:
    organization = make_organization(name="Godkendt forening", is_verified=True)
    login(make_user(organization=organization))
    page = client.get(new_url(organization.id)).get_data(as_text=True)
    assert "Offentliggør" in page and "Send til godkendelse" not in page

    create(client, organization, action="submit")

    service = only_service()
    assert service.status is ServiceStatus.PUBLISHED
    assert service.published_at is not None and service.last_confirmed_at is not None
    assert [v.event for v in versions(service)] == [VersionEvent.PUBLISHED]
    assert client.get(f"/tilbud/{service.id}").status_code == 200
    assert str(service.id) in search_engine().ids()


def test_publishing_writes_the_search_outbox_in_the_same_transaction(
    app, make_organization, make_user
) -> None:
    from portal.offers.editor_places import PlaceInput
    from portal.offers.editor_services import OfferData, create_offer, save_offer

    organization = make_organization(is_verified=True)
    user = make_user(organization=organization)
    data = OfferData(
        name="Gåtur",
        description="Vi går.",
        terms={"aktivitet": ["motion-gaature"], "maalgruppe": ["alle"]},
        places=[PlaceInput(None, "", "Havnen", "7700", "Thisted", 56.95, 8.69)],
    )

    service = create_offer(db.session, organization, data)
    save_offer(service, user, send=True)
    db.session.flush()

    queued = db.session.scalars(sa.select(SearchOutbox.service_id)).all()
    assert service.id in queued
    assert service.status is ServiceStatus.PUBLISHED
    db.session.rollback()


def test_saving_a_published_offer_goes_live_at_once(
    client, organization, member, make_offer
) -> None:
    offer = make_offer(organization=organization)
    page = client.get(edit_url(offer.id)).get_data(as_text=True)
    assert "Gem ændringer" in page and "Gem kladde" not in page
    values = form_values(page)
    # The factory's number cannot exist; the editor asks for a real one.
    values.update(name="Fællesspisning hver tirsdag", contact_phone="20 12 34 56", action="save")

    response = client.post(edit_url(offer.id), data=values)

    assert response.status_code == 302, error_summary(response)
    db.session.expire_all()
    offer = db.session.get(Service, offer.id)
    assert offer.status is ServiceStatus.PUBLISHED
    (version,) = versions(offer)
    assert version.event is VersionEvent.SAVED and version.is_published
    public = client.get(f"/tilbud/{offer.id}").get_data(as_text=True)
    assert "Fællesspisning hver tirsdag" in public


def test_archiving_ends_the_offer_and_it_leaves_search(
    client, organization, member, make_offer
) -> None:
    offer = make_offer(organization=organization)
    rebuild(db.session, search_engine())
    assert str(offer.id) in search_engine().ids()
    token = csrf_token(client, edit_url(offer.id))

    response = client.post(f"/tilbud/{offer.id}/arkiver", data={"csrf_token": token})

    assert response.status_code == 302
    db.session.expire_all()
    offer = db.session.get(Service, offer.id)
    assert offer.status is ServiceStatus.ARCHIVED
    (version,) = versions(offer)
    assert version.event is VersionEvent.UNPUBLISHED and not version.is_published
    assert str(offer.id) not in search_engine().ids()
    assert client.get(f"/tilbud/{offer.id}").status_code == 404
    preview = visible_text(client.get(preview_url(offer.id)).get_data(as_text=True))
    assert "tilbuddet er afsluttet" in preview
    page = client.get(edit_url(offer.id)).get_data(as_text=True)
    assert "Afslut tilbuddet" not in page
    assert "Send til godkendelse" in page


def test_every_save_records_a_version(client, organization, member) -> None:
    create(client, organization)
    service = only_service()
    for title in ("Første rettelse", "Anden rettelse"):
        values = form_values(client.get(edit_url(service.id)).get_data(as_text=True))
        values.update(name=title, action="save")
        assert client.post(edit_url(service.id), data=values).status_code == 302

    db.session.expire_all()
    recorded = versions(service)
    assert [v.number for v in recorded] == [1, 2, 3]
    assert [v.snapshot["name"] for v in recorded] == [
        "Strikkeklub i Vejle",
        "Første rettelse",
        "Anden rettelse",
    ]


# ---------- optimistic locking ----------


def test_a_save_over_someone_elses_changes_is_refused_and_keeps_the_typing(
    client, organization, member, make_offer
) -> None:
    offer = make_offer(organization=organization)
    values = form_values(client.get(edit_url(offer.id)).get_data(as_text=True))
    # Someone else saves in between.
    offer.name = "Rettet af en anden"
    db.session.commit()
    values.update(
        name="Min egen titel",
        description="Min egen tekst",
        contact_phone="20 12 34 56",
        action="save",
    )

    response = client.post(edit_url(offer.id), data=values)

    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Tilbuddet er blevet ændret af en anden, mens du redigerede" in visible_text(body)
    assert form_values(body)["name"] == "Min egen titel"
    assert form_values(body)["description"] == "Min egen tekst"
    db.session.expire_all()
    assert db.session.get(Service, offer.id).name == "Rettet af en anden"
    assert versions(offer) == []

    again = form_values(body)
    again["action"] = "save"
    assert client.post(edit_url(offer.id), data=again).status_code == 302
    db.session.expire_all()
    assert db.session.get(Service, offer.id).name == "Min egen titel"


# ---------- the next meetings ----------


def meeting_times(body: str, section: str) -> list[dt.datetime]:
    match = re.search(rf'<section class="{section}".*?</section>', body, re.S)
    assert match, f"no {section} on the page"
    return [
        dt.datetime.fromisoformat(t)
        for t in re.findall(r'<time datetime="([^"]+)"', match.group(0))[::2]
    ]


def test_the_edit_page_and_the_preview_show_the_next_five_meetings(
    client, organization, member
) -> None:
    create(client, organization)
    service = only_service()

    page = client.get(edit_url(service.id)).get_data(as_text=True)
    starts = meeting_times(page, "meetings-preview")

    assert len(starts) == 5
    assert starts == sorted(starts)
    assert {s.strftime("%a") for s in starts} <= {"Tue", "Thu"}
    assert all(s.strftime("%H:%M") == "14:00" for s in starts)
    assert starts[0] > utcnow()
    assert (starts[-1] - starts[0]).days < 21
    preview = client.get(preview_url(service.id)).get_data(as_text=True)
    assert "Næste møder" in visible_text(preview)
    assert len(re.findall(r'<ul class="plain-list meetings">.*?</ul>', preview, re.S)) == 1
