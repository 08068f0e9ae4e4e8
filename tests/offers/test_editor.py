"""The offer editor: a member writes an offer, keeps it current, previews, submits and ends it."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa

from portal.accounts.models import MemberRole
from portal.db import utcnow
from portal.extensions import db
from portal.models import Location, LocationType, Service, ServiceStatus
from portal.moderation.models import ServiceVersion, VersionEvent
from portal.offers.models import Frequency, ServiceAtLocation
from tests.helpers import csrf_token
from tests.main.test_pages import visible_text

# ---------- helpers ----------


class FormValues(HTMLParser):
    """Collect what a browser would send for the first form with class "editor"."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "editor" in a.get("class", "").split():
            self._in_form = True
        if not self._in_form:
            return
        kind = a.get("type", "text")
        if tag == "input" and a.get("name") and kind not in ("submit", "button"):
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.values.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.values.append((self._textarea, self._text.lstrip("\r\n")))
            self._textarea = None


def form_values(body: str) -> dict[str, Any]:
    """Return the editor form's values as a browser would post them (lists for repeated names)."""
    parser = FormValues()
    parser.feed(body)
    values: dict[str, Any] = {}
    for name, value in parser.values:
        if name in values:
            values[name] = (
                [*values[name], value]
                if isinstance(values[name], list)
                else [
                    values[name],
                    value,
                ]
            )
        else:
            values[name] = value
    return values


def offer_form(token: str, **changes: Any) -> dict[str, Any]:
    """Return a complete, valid editor POST for a new offer; None drops a field."""
    data: dict[str, Any] = {
        "csrf_token": token,
        "name": "Strikkeklub i Vejle",
        "description": "Vi strikker og drikker kaffe.\n\nAlle kan være med.",
        "activities": ["kreative"],
        "target_groups": ["aeldre", "alle"],
        "situations": ["flyttet"],
        "minimum_age": "18",
        "maximum_age": "99",
        "places-0-location_id": "",
        "places-0-name": "Biblioteket",
        "places-0-address": "Willy Sørensens Plads 2",
        "places-0-postal_code": "7100",
        "places-0-city": "Vejle",
        "places-0-latitude": "",
        "places-0-longitude": "",
        "places-0-auto_point": "",
        "schedules-0-kind": "weekly",
        "schedules-0-weekdays": ["TU", "TH"],
        "schedules-0-interval": "1",
        "schedules-0-ordinal": "1",
        "schedules-0-month_weekday": "",
        "schedules-0-date": "",
        "schedules-0-opens_at": "14:00",
        "schedules-0-closes_at": "16:00",
        "schedules-0-starts_on": "",
        "schedules-0-ends_on": "",
        "schedules-0-note": "",
        "how_to_join": "Mød bare op.",
        "is_newcomer_welcome": "y",
        "has_waiting_list": "y",
        "waiting_list_text": "ca. 2 måneder",
        "closed_until": "",
        "cost": "paid",
        "price_text": "20 kr. pr. gang",
        "features": ["koerestolsadgang", "drop-in"],
        "contact_name": "Karen Jensen",
        "contact_phone": "20 12 34 56",
        "contact_email": "karen@strik.example",
        "email": "strik@forening.example",
        "url": "www.strik.example",
        "action": "save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def new_url(organization_id: Any) -> str:
    return f"/forening/{organization_id}/tilbud/nyt"


def edit_url(service_id: Any) -> str:
    return f"/tilbud/{service_id}/rediger"


def preview_url(service_id: Any) -> str:
    return f"/tilbud/{service_id}/forhaandsvisning"


def only_service() -> Service:
    services = list(db.session.scalars(sa.select(Service)))
    assert len(services) == 1, services
    return services[0]


def versions(service: Service) -> list[ServiceVersion]:
    return list(
        db.session.scalars(
            sa.select(ServiceVersion)
            .where(ServiceVersion.service_id == service.id)
            .order_by(ServiceVersion.number)
        )
    )


def error_of(body: str, field_id: str) -> str:
    """Return the error message shown next to a field, or "" if there is none."""
    match = re.search(
        rf'<p class="field-error" id="{re.escape(field_id)}-error">(.*?)</p>', body, re.S
    )
    return visible_text(match.group(1)).removeprefix("Fejl: ") if match else ""


def summary_links(body: str) -> list[str]:
    """Return the anchors the error summary links to."""
    summary = re.search(r'<div class="error-summary".*?</div>', body, re.S)
    return re.findall(r'href="#([^"]+)"', summary.group(0)) if summary else []


def error_summary(response) -> str:
    body = response.get_data(as_text=True)
    summary = re.search(r'<div class="error-summary".*?</div>', body, re.S)
    return visible_text(summary.group(0)) if summary else body[:2000]


@pytest.fixture(name="organization")
def organization_fixture(make_organization):
    return make_organization(name="Strikkeforeningen")


@pytest.fixture(name="member")
def member_fixture(organization, make_user, login):
    user = make_user(organization=organization, role=MemberRole.EDITOR)
    login(user)
    return user


def create(client, organization, **changes) -> Any:
    token = csrf_token(client, new_url(organization.id))
    return client.post(new_url(organization.id), data=offer_form(token, **changes))


# ---------- create and edit ----------


def test_a_member_creates_a_draft_with_every_field(client, organization, member) -> None:
    response = create(client, organization)

    service = only_service()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(edit_url(service.id))
    assert service.organization_id == organization.id
    assert service.status is ServiceStatus.DRAFT
    assert service.name == "Strikkeklub i Vejle"
    assert service.description == "Vi strikker og drikker kaffe.\n\nAlle kan være med."
    assert (service.minimum_age, service.maximum_age) == (18, 99)
    assert service.how_to_join == "Mød bare op."
    assert service.is_newcomer_welcome
    assert service.has_waiting_list and service.waiting_list_text == "ca. 2 måneder"
    assert not service.is_free and service.price_text == "20 kr. pr. gang"
    assert service.url == "https://www.strik.example"
    assert service.email == "strik@forening.example"
    assert service.closed_until is None
    assert [t.code for t in service.terms_of("aktivitet")] == ["kreative"]
    assert [t.code for t in service.terms_of("maalgruppe")] == ["aeldre", "alle"]
    assert [t.code for t in service.terms_of("livssituation")] == ["flyttet"]
    assert {t.code for t in service.terms_of("praktisk")} == {
        "koerestolsadgang",
        "drop-in",
        "vaert",
    }
    (contact,) = service.contacts
    assert (contact.name, contact.email) == ("Karen Jensen", "karen@strik.example")
    (phone,) = service.phones
    assert phone.number == "+45 20 12 34 56"
    (sal,) = service.service_at_locations
    place = sal.location
    assert place.location_type is LocationType.PHYSICAL
    assert (place.name, place.address_1, place.postal_code, place.city) == (
        "Biblioteket",
        "Willy Sørensens Plads 2",
        "7100",
        "Vejle",
    )
    assert place.municipality_code == "630"
    assert place.latitude == pytest.approx(55.709, abs=0.05)
    assert place.longitude == pytest.approx(9.536, abs=0.05)
    (schedule,) = service.schedules
    assert (schedule.freq, schedule.interval, schedule.byday) == (Frequency.WEEKLY, 1, "TU,TH")
    assert (schedule.opens_at, schedule.closes_at) == (dt.time(14), dt.time(16))
    assert [v.event for v in versions(service)] == [VersionEvent.SAVED]
    follow = client.get(response.headers["Location"])
    assert "Kladden er gemt" in visible_text(follow.get_data(as_text=True))


def test_the_saved_offer_comes_back_in_the_form_and_resaves_unchanged(
    client, organization, member
) -> None:
    create(client, organization)
    service = only_service()
    before = versions(service)[-1].snapshot

    page = client.get(edit_url(service.id)).get_data(as_text=True)
    values = form_values(page)
    values["action"] = "save"
    response = client.post(edit_url(service.id), data=values)

    assert response.status_code == 302, error_summary(response)
    db.session.expire_all()
    after = versions(service)
    assert len(after) == 2
    assert after[-1].snapshot == before


def test_editing_changes_every_field(client, organization, member) -> None:
    create(client, organization)
    service = only_service()
    token = csrf_token(client, edit_url(service.id))
    place_id = service.service_at_locations[0].location_id
    future = (utcnow() + dt.timedelta(days=40)).date()

    response = client.post(
        edit_url(service.id),
        data=offer_form(
            token,
            version=str(service.version),
            name="Strik og snak",
            description="Nu også med snak.",
            activities=["kreative", "samtalegrupper"],
            target_groups=["unge"],
            situations=["skilsmisse", "flyttet"],
            minimum_age="16",
            maximum_age="29",
            remote=["online"],
            **{
                "places-0-location_id": str(place_id),
                "places-0-name": "Kulturhuset",
                "places-0-address": "Storegade 1",
                "places-0-postal_code": "7700",
                "places-0-city": "Thisted",
                "schedules-0-kind": "monthly",
                "schedules-0-ordinal": "-1",
                "schedules-0-month_weekday": "FR",
                "schedules-0-opens_at": "19.00",
                "schedules-0-closes_at": "21.30",
            },
            how_to_join="Skriv til os.",
            is_newcomer_welcome=None,
            has_waiting_list=None,
            waiting_list_text="",
            closed_until=future.strftime("%d.%m.%Y"),
            cost="free",
            price_text="",
            features=["hoereslynge"],
            contact_name="Ole Hansen",
            contact_phone="+46 8 123 456 78",
            contact_email="ole@strik.example",
            email="",
            url="https://strik.example/ny",
        ),
    )

    assert response.status_code == 302, error_summary(response)
    db.session.expire_all()
    service = db.session.get(Service, service.id)
    assert service.name == "Strik og snak"
    assert service.description == "Nu også med snak."
    assert (service.minimum_age, service.maximum_age) == (16, 29)
    assert service.how_to_join == "Skriv til os."
    assert not service.is_newcomer_welcome
    assert not service.has_waiting_list and service.waiting_list_text is None
    assert service.closed_until == future
    assert service.is_free and service.price_text is None
    assert service.email is None
    assert service.url == "https://strik.example/ny"
    assert [t.code for t in service.terms_of("aktivitet")] == ["kreative", "samtalegrupper"]
    assert [t.code for t in service.terms_of("maalgruppe")] == ["unge"]
    assert [t.code for t in service.terms_of("livssituation")] == ["skilsmisse", "flyttet"]
    assert {t.code for t in service.terms_of("praktisk")} == {"hoereslynge", "gratis", "online"}
    assert (service.contacts[0].name, service.contacts[0].email) == (
        "Ole Hansen",
        "ole@strik.example",
    )
    assert service.phones[0].number == "+46 8 123 456 78"
    locations = [sal.location for sal in service.service_at_locations]
    physical = [loc for loc in locations if not loc.is_virtual]
    virtual = [loc for loc in locations if loc.is_virtual]
    assert [(loc.id, loc.city, loc.municipality_code) for loc in physical] == [
        (place_id, "Thisted", "787")
    ]
    assert physical[0].latitude == pytest.approx(56.955, abs=0.05)
    assert [loc.name for loc in virtual] == ["Online"]
    (schedule,) = service.schedules
    assert (schedule.freq, schedule.byday) == (Frequency.MONTHLY, "-1FR")
    assert (schedule.opens_at, schedule.closes_at) == (dt.time(19), dt.time(21, 30))


def test_paragraphs_typed_in_a_browser_stay_paragraphs(client, organization, member) -> None:
    create(client, organization, description="Første afsnit.\r\n\r\nAndet afsnit.")

    service = only_service()
    page = client.get(preview_url(service.id)).get_data(as_text=True)

    assert service.description == "Første afsnit.\n\nAndet afsnit."
    assert "<p>Første afsnit.</p>" in page and "<p>Andet afsnit.</p>" in page


def test_an_online_or_nationwide_offer_needs_no_address(client, organization, member) -> None:
    response = create(
        client,
        organization,
        remote=["landsdaekkende"],
        action="submit",
        **{
            "places-0-name": "",
            "places-0-address": "",
            "places-0-postal_code": "",
            "places-0-city": "",
        },
    )

    assert response.status_code == 302, error_summary(response)
    service = only_service()
    (sal,) = service.service_at_locations
    assert sal.location.is_virtual and sal.location.name == "Hele landet"
    assert "landsdaekkende" in {t.code for t in service.terms_of("praktisk")}
    page = client.get(edit_url(service.id)).get_data(as_text=True)
    assert form_values(page)["remote"] == "landsdaekkende"


# ---------- access ----------


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(
    client, organization, make_offer
) -> None:
    offer = make_offer(organization=organization)
    for url in (new_url(organization.id), edit_url(offer.id), preview_url(offer.id)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/tilbud/" not in response.headers["Location"].split("?")[0]


def test_another_organisation_gets_404_everywhere(
    client, organization, make_organization, make_user, login, make_offer
) -> None:
    offer = make_offer(organization=organization, status=ServiceStatus.DRAFT)
    other = make_organization(name="Anden forening")
    outsider = make_user(organization=other)
    login(outsider)
    token = csrf_token(client, new_url(other.id))

    assert client.get(new_url(organization.id)).status_code == 404
    assert client.get(edit_url(offer.id)).status_code == 404
    assert client.get(preview_url(offer.id)).status_code == 404
    assert client.get(new_url("ikke-et-id")).status_code == 404
    assert client.get(edit_url(uuid.uuid4())).status_code == 404
    assert client.post(new_url(organization.id), data=offer_form(token)).status_code == 404
    assert client.post(edit_url(offer.id), data=offer_form(token, version="1")).status_code == 404
    assert client.post(f"/tilbud/{offer.id}/arkiver", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Service, offer.id).name == "Fællesspisning i Thisted"
    assert db.session.get(Service, offer.id).status is ServiceStatus.DRAFT


def test_an_admin_may_edit_any_offer(client, make_offer, make_user, login) -> None:
    offer = make_offer()
    login(make_user(is_admin=True))

    assert client.get(edit_url(offer.id)).status_code == 200
    assert client.get(preview_url(offer.id)).status_code == 200


@pytest.mark.parametrize("token", [None, "", "udløbet-eller-falsk"])
def test_a_post_without_a_valid_csrf_token_is_refused_but_keeps_the_typing(
    client, organization, member, make_offer, token
) -> None:
    data = offer_form(token or "", name="Min titel")
    if token is None:
        del data["csrf_token"]

    response = client.post(new_url(organization.id), data=data)

    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Service)) == 0
    assert "Siden har været åben længe" in visible_text(body)
    assert form_values(body)["name"] == "Min titel"
    assert form_values(body)["csrf_token"] not in ("", token)


def test_editing_or_ending_without_the_csrf_token_is_refused(
    client, organization, member, make_offer
) -> None:
    offer = make_offer(organization=organization)
    data = offer_form("", version=str(offer.version), name="Overtaget")

    assert client.post(edit_url(offer.id), data=data).status_code == 400
    assert client.post(f"/tilbud/{offer.id}/arkiver", data={}).status_code == 400
    db.session.expire_all()
    offer = db.session.get(Service, offer.id)
    assert (offer.name, offer.status) == ("Fællesspisning i Thisted", ServiceStatus.PUBLISHED)


def test_posted_status_ids_and_organisation_are_ignored(
    client, organization, member, make_organization
) -> None:
    other = make_organization(name="Fremmed forening", is_verified=True)
    forged = uuid.uuid4()

    create(
        client,
        organization,
        id=str(forged),
        status="published",
        organization_id=str(other.id),
        version="99",
        published_at="2020-01-01T00:00:00",
        last_confirmed_at="2030-01-01T00:00:00",
        is_demo="y",
    )

    service = only_service()
    assert service.id != forged
    assert service.organization_id == organization.id
    assert service.status is ServiceStatus.DRAFT
    assert service.version != 99
    assert service.published_at is None and service.last_confirmed_at is None
    assert not service.is_demo

    token = csrf_token(client, edit_url(service.id))
    client.post(
        edit_url(service.id),
        data=offer_form(
            token,
            version=str(service.version),
            status="published",
            organization_id=str(other.id),
            published_at="2020-01-01T00:00:00",
        ),
    )
    db.session.expire_all()
    service = db.session.get(Service, service.id)
    assert service.organization_id == organization.id
    assert service.status is ServiceStatus.DRAFT
    assert service.published_at is None


def test_a_place_id_of_another_offer_is_not_taken_over(
    client, organization, member, make_offer, make_organization
) -> None:
    foreign = make_offer(organization=make_organization(name="Fremmed"))
    foreign_place = foreign.service_at_locations[0].location

    create(client, organization, **{"places-0-location_id": str(foreign_place.id)})

    service = db.session.scalar(
        sa.select(Service).where(Service.organization_id == organization.id)
    )
    (sal,) = service.service_at_locations
    assert sal.location_id != foreign_place.id
    db.session.refresh(foreign_place)
    assert foreign_place.city == "Thisted"


def test_a_shared_place_is_copied_rather_than_moved(
    client, organization, member, make_offer
) -> None:
    first = make_offer(organization=organization, name="Første")
    second = make_offer(organization=organization, name="Anden")
    shared = first.service_at_locations[0].location
    second.service_at_locations[0].location = shared
    db.session.commit()
    values = form_values(client.get(edit_url(first.id)).get_data(as_text=True))
    values.update(
        {"places-0-address": "Nygade 3", "contact_phone": "20 12 34 56", "action": "save"}
    )

    assert client.post(edit_url(first.id), data=values).status_code == 302

    db.session.expire_all()
    first = db.session.get(Service, first.id)
    second = db.session.get(Service, second.id)
    assert first.service_at_locations[0].location.address_1 == "Nygade 3"
    assert second.service_at_locations[0].location.address_1 == "Skolevej 12"
    assert first.service_at_locations[0].location_id != second.service_at_locations[0].location_id


def test_a_removed_place_leaves_the_offer_and_the_database(client, organization, member) -> None:
    create(client, organization, remote=["telefon"])
    service = only_service()
    place_id = next(
        s.location_id for s in service.service_at_locations if not s.location.is_virtual
    )
    values = form_values(client.get(edit_url(service.id)).get_data(as_text=True))
    values.update(remove_place="0")
    page = client.post(edit_url(service.id), data=values).get_data(as_text=True)
    values = form_values(page)
    assert not any(key.startswith("places-") for key in values)
    values["action"] = "save"

    assert client.post(edit_url(service.id), data=values).status_code == 302

    db.session.expire_all()
    service = db.session.get(Service, service.id)
    assert [sal.location.name for sal in service.service_at_locations] == ["Telefon"]
    assert db.session.get(Location, place_id) is None
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ServiceAtLocation)
            .where(ServiceAtLocation.location_id == place_id)
        )
        == 0
    )
