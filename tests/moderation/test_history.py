"""An offer's history: every version, field-level differences, and restoring a version."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.moderation.models import ServiceVersion, VersionEvent
from portal.moderation.publication import apply_edit
from portal.moderation.versions import record_version, snapshot
from portal.offers.models import Frequency, Location, Schedule, ServiceAtLocation, ServiceStatus
from portal.organizations.models import Contact, Phone
from portal.taxonomy.models import ServiceAttribute
from portal.taxonomy.services import terms_by_code
from tests.helpers import session_csrf_token
from tests.moderation.conftest import text, visible


def _versions(service) -> list[ServiceVersion]:
    return list(
        db.session.scalars(
            sa.select(ServiceVersion)
            .where(ServiceVersion.service_id == service.id)
            .order_by(ServiceVersion.number)
        )
    )


def _canonical(data: dict) -> str:
    return json.dumps(data, sort_keys=True)


@pytest.fixture
def edited(people, make_offer):
    """Return a published offer approved as version 1 and changed everywhere in version 2."""
    offer = make_offer(organization=people.organization, name="Fællesspisning i Hurup")
    record_version(offer, people.admin, VersionEvent.PUBLISHED, is_published=True)
    db.session.commit()

    terms = terms_by_code(db.session)
    offer.description = "Vi laver mad sammen og spiser ved et langt, hyggeligt bord."
    offer.is_free = False
    offer.price_text = "25 kr."
    offer.service_at_locations.append(
        ServiceAtLocation(
            location=Location(
                organization_id=offer.organization_id,
                name="Hurup Skole",
                address_1="Skolegade 3",
                postal_code="7760",
                city="Hurup Thy",
                municipality_code="787",
            )
        )
    )
    offer.schedules[0].byday = "MO,TH"
    offer.schedules.append(
        Schedule(freq=Frequency.MONTHLY, interval=1, byday="1SA", opens_at=dt.time(10, 0))
    )
    offer.attributes.append(ServiceAttribute(taxonomy_term=terms[("praktisk", "koerestolsadgang")]))
    offer.contacts[0].email = "karen.jensen@forening.example"
    offer.phones.append(Phone(number="+45 87 65 43 21", description="Bedst om aftenen"))
    apply_edit(offer, people.owner)
    db.session.commit()
    return offer


def test_history_lists_every_version_with_event_person_time_and_publication(
    edited, people, client, login
) -> None:
    login(people.editor)

    response = client.get(f"/tilbud/{edited.id}/historik")

    assert response.status_code == 200
    rows = visible(response)
    assert "Version 2 Ændret Ole Ejer" in rows
    assert "Version 1 Godkendt af en administrator Anna Admin" in rows
    assert rows.count(" Ja ") >= 2  # both versions were public
    assert "Ja, tilbuddet kører stadig" in rows


def test_a_version_shows_its_changes_field_by_field_in_danish(
    edited, people, client, login
) -> None:
    login(people.owner)

    page = visible(client.get(f"/tilbud/{edited.id}/historik/2"))

    changes = page.split("Hvad denne version ændrede")[1]
    assert "Beskrivelse" in changes
    assert "ved et langt [tilføjet: , hyggeligt ] bord." in changes
    assert "Gratis Før: Ja Denne version: Nej" in changes
    assert "Pris Før: (ikke udfyldt) Denne version: 25 kr." in changes
    # Lists are compared item by item.
    assert "Steder Tilføjet: Hurup Skole, Skolegade 3, 7760 Hurup Thy" in changes
    assert "Mødetider" in changes
    assert "Ændret: Hver tirsdag kl. 17.30–19.30" in changes
    assert "Dage Før: tirsdag Denne version: mandag, torsdag" in changes
    assert "Tilføjet: Den første lørdag i måneden kl. 10.00" in changes
    assert "Praktiske forhold Tilføjet: Kørestolsadgang" in changes
    assert (
        "E-mail Før: karen@forening.example Denne version: karen.jensen@forening.example" in changes
    )
    assert "Telefonnumre Tilføjet: +45 87 65 43 21 · Bedst om aftenen" in changes
    # Version 2 is what citizens see now.
    assert "Det er denne version, der senest var offentlig." in page


def test_changed_words_are_marked_and_html_in_a_text_is_escaped(
    people, make_offer, client, login
) -> None:
    offer = make_offer(organization=people.organization, description="Kom og vær med.")
    record_version(offer, people.admin, VersionEvent.PUBLISHED, is_published=True)
    offer.description = "Kom og vær med. <script>alert('x')</script> <b>Fed</b>"
    apply_edit(offer, people.owner)
    db.session.commit()
    login(people.owner)

    body = client.get(f"/tilbud/{offer.id}/historik/2").get_data(as_text=True)

    assert "<script>alert" not in body
    assert "<b>Fed</b>" not in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in body
    assert "<ins>" in body and "&lt;b&gt;Fed&lt;/b&gt;" in body


def test_restoring_an_earlier_version_brings_back_every_field_and_list(
    edited, people, client, login
) -> None:
    first = _versions(edited)[0]
    login(people.owner)
    page = visible(client.get(f"/tilbud/{edited.id}/historik/1"))
    assert "Det her ændres, hvis du gendanner versionen" in page
    assert "Gendan version 1" in page

    response = client.post(
        f"/tilbud/{edited.id}/historik/1/gendan",
        data={"csrf_token": session_csrf_token(client), "version": edited.version},
    )

    assert response.status_code == 302
    assert "Version 1 er gendannet." in visible(client.get(response.location))
    db.session.expire_all()
    assert _canonical(snapshot(edited)) == _canonical(first.snapshot)
    assert edited.price_text is None and edited.is_free is True
    assert [s.byday for s in edited.schedules] == ["TU"]
    assert [sal.location.name for sal in edited.service_at_locations] == ["Medborgerhuset"]
    assert [p.number for p in edited.phones] == ["+45 12 34 56 78"]
    latest = _versions(edited)[-1]
    assert (latest.number, latest.event, latest.is_published) == (3, VersionEvent.RESTORED, True)
    assert latest.note == "Gendannet fra version 1"
    # An unverified organisation's restore of a published offer is live at once.
    assert edited.status is ServiceStatus.PUBLISHED


def test_restoring_a_newer_version_after_an_older_one_adds_the_new_places_again(
    edited, people, client, login
) -> None:
    second = _versions(edited)[1]
    login(people.owner)
    client.post(
        f"/tilbud/{edited.id}/historik/1/gendan",
        data={"csrf_token": session_csrf_token(client), "version": edited.version},
    )
    db.session.expire_all()

    client.post(
        f"/tilbud/{edited.id}/historik/2/gendan",
        data={"csrf_token": session_csrf_token(client), "version": edited.version},
    )

    db.session.expire_all()
    assert _canonical(snapshot(edited)) == _canonical(second.snapshot)
    # The organisation's existing place is linked again rather than copied.
    hurup = db.session.scalars(sa.select(Location).where(Location.name == "Hurup Skole")).all()
    assert len(hurup) == 1


def test_a_restored_change_to_a_published_offer_is_listed_for_admins(
    edited, people, client, login
) -> None:
    # Version 1 was approved; after a restore to version 2 the change is unchecked again.
    login(people.owner)
    client.post(
        f"/tilbud/{edited.id}/historik/1/gendan",
        data={"csrf_token": session_csrf_token(client), "version": edited.version},
    )
    db.session.expire_all()
    login(people.admin)
    assert "Ændret efter godkendelse (0)" in visible(client.get("/admin/godkendelse"))

    login(people.owner)
    client.post(
        f"/tilbud/{edited.id}/historik/2/gendan",
        data={"csrf_token": session_csrf_token(client), "version": edited.version},
    )
    login(people.admin)

    assert "Ændret efter godkendelse (1)" in visible(client.get("/admin/godkendelse"))


def test_restore_refuses_a_page_opened_before_the_latest_change(
    edited, people, client, login
) -> None:
    login(people.owner)
    seen = edited.version
    edited.name = "Fællesspisning i Hurup og omegn"
    apply_edit(edited, people.editor)
    db.session.commit()
    before = _canonical(snapshot(edited))

    response = client.post(
        f"/tilbud/{edited.id}/historik/1/gendan",
        data={"csrf_token": session_csrf_token(client), "version": seen},
    )

    assert response.status_code == 302
    assert response.location.endswith(f"/tilbud/{edited.id}/historik/1")
    assert "ændret, efter du åbnede siden" in visible(client.get(response.location))
    db.session.expire_all()
    assert _canonical(snapshot(edited)) == before
    assert len(_versions(edited)) == 3


def test_restoring_a_draft_keeps_it_a_draft(people, make_offer, client, login) -> None:
    offer = make_offer(organization=people.organization, status=ServiceStatus.DRAFT, name="Udkast")
    record_version(offer, people.owner, VersionEvent.SAVED)
    offer.name = "Udkast, rettet"
    offer.contacts.append(Contact(name="Bo Berg", title="Tovholder"))
    apply_edit(offer, people.owner)
    db.session.commit()
    login(people.owner)

    client.post(
        f"/tilbud/{offer.id}/historik/1/gendan",
        data={"csrf_token": session_csrf_token(client), "version": offer.version},
    )

    db.session.expire_all()
    assert offer.name == "Udkast"
    assert [c.name for c in offer.contacts] == ["Karen Jensen"]
    assert offer.status is ServiceStatus.DRAFT
    assert _versions(offer)[-1].is_published is False


def test_members_of_another_organisation_get_404(edited, people, client, login) -> None:
    login(people.outsider)
    token = session_csrf_token(client)

    assert client.get(f"/tilbud/{edited.id}/historik").status_code == 404
    assert client.get(f"/tilbud/{edited.id}/historik/1").status_code == 404
    restore = client.post(
        f"/tilbud/{edited.id}/historik/1/gendan",
        data={"csrf_token": token, "version": edited.version},
    )
    confirm = client.post(f"/tilbud/{edited.id}/bekraeft", data={"csrf_token": token})

    assert restore.status_code == 404
    assert confirm.status_code == 404
    assert len(_versions(edited)) == 2


def test_admins_see_any_offers_history_and_an_unknown_version_is_404(
    edited, people, client, login
) -> None:
    login(people.admin)

    assert client.get(f"/tilbud/{edited.id}/historik").status_code == 200
    assert client.get(f"/tilbud/{edited.id}/historik/9").status_code == 404
    assert "Gennemse tilbuddet" in text(client.get(f"/tilbud/{edited.id}/historik"))
