"""The offer editor refuses wrong input with a Danish message next to the field, losing nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from geopy.exc import GeocoderTimedOut

from portal.db import utcnow
from portal.extensions import db
from portal.geo import geocoding
from portal.models import Service
from tests.helpers import csrf_token
from tests.main.test_pages import visible_text
from tests.offers.test_editor import (
    edit_url,
    error_of,
    form_values,
    member_fixture,  # noqa: F401 - a fixture
    new_url,
    offer_form,
    organization_fixture,  # noqa: F401 - a fixture
    summary_links,
)


@pytest.fixture
def post(client, organization, member):
    """Post the new-offer form with changes; return (response, body)."""

    def send(**changes: Any):
        token = csrf_token(client, new_url(organization.id))
        response = client.post(new_url(organization.id), data=offer_form(token, **changes))
        return response, response.get_data(as_text=True)

    return send


def nothing_saved() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Service)) == 0


def assert_refused(response, body: str, field_id: str, message: str) -> None:
    """The save was refused with ``message`` next to the field and in the summary."""
    assert response.status_code == 422
    assert message in error_of(body, field_id), error_of(body, field_id) or body[:3000]
    assert field_id in summary_links(body) or f"{field_id}-0" in summary_links(body)
    assert f'aria-describedby="{field_id}-error"' in body or f"{field_id}-error" in body
    assert nothing_saved()


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"name": ""}, "name", "Skriv en titel"),
        ({"name": "   "}, "name", "Skriv en titel"),
        ({"name": "x" * 201}, "name", "Skriv højst 200 tegn. Du har skrevet 201."),
        ({"description": "y" * 5001}, "description", "Skriv højst 5000 tegn. Du har skrevet 5001."),
        ({"how_to_join": "z" * 2001}, "how_to_join", "Skriv højst 2000 tegn"),
        ({"price_text": "k" * 201}, "price_text", "Skriv højst 200 tegn"),
        ({"minimum_age": "60", "maximum_age": "30"}, "maximum_age", "mindst lige så høj"),
        ({"minimum_age": "130"}, "minimum_age", "mellem 0 og 120 år"),
        ({"maximum_age": "-1"}, "maximum_age", "Skriv et helt tal"),
        ({"minimum_age": "atten"}, "minimum_age", "Skriv et helt tal"),
        ({"contact_phone": "12"}, "contact_phone", "Telefonnummeret findes ikke"),
        ({"contact_phone": "ring til Karen"}, "contact_phone", "Skriv et telefonnummer"),
        ({"contact_email": "karen(at)strik"}, "contact_email", "Skriv en e-mailadresse"),
        ({"url": "javascript:alert(1)"}, "url", "begynder med https://"),
        ({"url": "JavaScript:alert(document.cookie)"}, "url", "begynder med https://"),
        ({"url": "data:text/html,<script>"}, "url", "begynder med https://"),
        ({"cost": "paid", "price_text": ""}, "price_text", "Skriv prisen"),
        ({"closed_until": "1.1.2020"}, "closed_until", "Datoen er passeret"),
        ({"closed_until": "i morgen"}, "closed_until", "Skriv datoen som dag.måned.år"),
        ({"closed_until": "31.02.2030"}, "closed_until", "Skriv datoen som dag.måned.år"),
        ({"activities": ["hacker"]}, "activities", "Vælg kun blandt mulighederne"),
        ({"cost": "gratis-ish"}, "cost", "Vælg en af mulighederne"),
        ({"places-0-postal_code": "77"}, "places-0-postal_code", "Et postnummer har 4 cifre"),
        ({"places-0-city": ""}, "places-0-city", "Skriv byen"),
        ({"places-0-address": ""}, "places-0-address", "Skriv vej og husnummer"),
    ],
)
def test_wrong_input_is_refused_next_to_its_field(post, changes, field_id, message) -> None:
    response, body = post(**changes)

    assert_refused(response, body, field_id, message)


def test_an_error_keeps_everything_typed(post) -> None:
    response, body = post(
        name="", description="Min lange beskrivelse", **{"places-0-city": "Vejle"}
    )

    values = form_values(body)
    assert response.status_code == 422
    assert values["description"] == "Min lange beskrivelse"
    assert values["places-0-city"] == "Vejle"
    assert values["schedules-0-weekdays"] == ["TU", "TH"]
    assert values["features"] == ["koerestolsadgang", "drop-in"]
    assert values["contact_phone"] == "20 12 34 56"
    assert values["cost"] == "paid"
    assert "Der er 1 ting, du skal rette" in visible_text(body)
    assert 'aria-invalid="true"' in body
    assert "<title>Fejl: Nyt tilbud" in body


def test_a_schedule_that_ends_before_it_starts_is_refused(post) -> None:
    response, body = post(
        **{"schedules-0-starts_on": "2030-06-01", "schedules-0-ends_on": "2030-05-01"}
    )

    assert_refused(response, body, "schedules-0-ends_on", "Sidste gang ligger før første gang")
    assert "Tidspunkt 1: Sidste gang ligger før første gang" in visible_text(body)


def test_a_meeting_that_ends_before_it_begins_is_refused(post) -> None:
    response, body = post(**{"schedules-0-opens_at": "16.00", "schedules-0-closes_at": "14.00"})

    assert_refused(response, body, "schedules-0-closes_at", "Sluttiden skal være efter starttiden")


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"schedules-0-weekdays": []}, "schedules-0-weekdays", "Vælg mindst én ugedag"),
        ({"schedules-0-opens_at": ""}, "schedules-0-opens_at", "Skriv, hvornår I begynder"),
        ({"schedules-0-opens_at": "25.00"}, "schedules-0-opens_at", "Skriv tidspunktet"),
        ({"schedules-0-interval": "52"}, "schedules-0-interval", "Vælg en af mulighederne"),
        (
            {"schedules-0-kind": "monthly", "schedules-0-month_weekday": ""},
            "schedules-0-month_weekday",
            "Vælg ugedagen",
        ),
        (
            {"schedules-0-kind": "once", "schedules-0-date": ""},
            "schedules-0-date",
            "Skriv datoen",
        ),
    ],
)
def test_a_schedule_missing_what_its_kind_needs_is_refused(
    post, changes, field_id, message
) -> None:
    response, body = post(**changes)

    assert_refused(response, body, field_id, message)


def test_a_fifth_weekday_of_the_month_is_explained(post) -> None:
    response, body = post(
        **{
            "schedules-0-kind": "monthly",
            "schedules-0-ordinal": "5",
            "schedules-0-month_weekday": "TU",
        }
    )

    assert_refused(
        response, body, "schedules-0-ordinal", "Der er kun en femte tirsdag i nogle måneder"
    )
    assert "Vælg Sidste" in error_of(body, "schedules-0-ordinal")
    assert '<option selected value="5">Femte</option>' in body


def test_fields_of_a_kind_not_chosen_are_ignored(post) -> None:
    response, _body = post(**{"schedules-0-date": "ikke en dato", "schedules-0-ordinal": "9"})

    assert response.status_code == 302


def test_an_address_that_cannot_be_found_keeps_the_typing(post) -> None:
    response, body = post(
        **{"places-0-postal_code": "0001", "places-0-city": "Xyzzyby", "places-0-name": "Hytten"}
    )

    assert_refused(
        response,
        body,
        "places-0-address",
        "Vi kunne ikke finde adressen. Tjek postnummeret, eller sæt nålen på kortet.",
    )
    values = form_values(body)
    assert values["places-0-name"] == "Hytten"
    assert values["places-0-city"] == "Xyzzyby"
    assert values["name"] == "Strikkeklub i Vejle"


def test_a_point_set_by_hand_saves_an_address_the_map_does_not_know(post) -> None:
    response, _body = post(
        **{
            "places-0-postal_code": "0001",
            "places-0-city": "Xyzzyby",
            "places-0-latitude": "56,1",
            "places-0-longitude": "9,5",
        }
    )

    assert response.status_code == 302
    location = db.session.scalar(sa.select(Service)).service_at_locations[0].location
    assert (location.latitude, location.longitude) == (56.1, 9.5)
    assert location.municipality_code is not None


@pytest.mark.parametrize(
    ("latitude", "longitude", "field_id"),
    [
        ("91", "9.5", "places-0-latitude"),
        ("56.1", "200", "places-0-longitude"),
        ("NaN", "9.5", "places-0-latitude"),
        ("56.1", "nan", "places-0-longitude"),
        ("1e309", "9.5", "places-0-latitude"),
        ("-inf", "9.5", "places-0-latitude"),
        ("40.7", "-74.0", "places-0-latitude"),
        ("56,1", "tolv", "places-0-longitude"),
        ("54.4", "9.5", "places-0-latitude"),
        ("56.1", "15.3", "places-0-longitude"),
    ],
)
def test_absurd_coordinates_are_refused(post, latitude, longitude, field_id) -> None:
    response, body = post(**{"places-0-latitude": latitude, "places-0-longitude": longitude})

    assert_refused(response, body, field_id, "Punktet skal ligge i Danmark")
    assert '<details class="coordinates" open>' in body


def test_half_a_point_is_refused(post) -> None:
    response, body = post(**{"places-0-latitude": "56.1", "places-0-longitude": ""})

    assert_refused(response, body, "places-0-longitude", "Skriv både breddegrad og længdegrad")


def test_sending_for_approval_asks_for_a_usable_offer(post) -> None:
    response, body = post(
        action="submit",
        description="",
        activities=[],
        target_groups=[],
        **{
            "places-0-name": "",
            "places-0-address": "",
            "places-0-postal_code": "",
            "places-0-city": "",
        },
    )

    assert response.status_code == 422
    assert "Beskriv tilbuddet" in error_of(body, "description")
    assert "Vælg mindst én ting" in error_of(body, "activities")
    assert "Vælg, hvem tilbuddet er for" in error_of(body, "target_groups")
    assert "Skriv mindst ét sted" in error_of(body, "remote")
    assert summary_links(body) == ["description", "activities-0", "target_groups-0", "remote-0"]


def test_a_draft_needs_only_a_title(post) -> None:
    response, _body = post(
        description="",
        activities=[],
        target_groups=[],
        **{
            "places-0-name": "",
            "places-0-address": "",
            "places-0-postal_code": "",
            "places-0-city": "",
            "schedules-0-weekdays": [],
            "schedules-0-opens_at": "",
            "schedules-0-closes_at": "",
        },
    )

    assert response.status_code == 302
    service = db.session.scalar(sa.select(Service))
    assert service.service_at_locations == [] and service.schedules == []


# ---------- places and times without JavaScript ----------


def test_adding_a_place_keeps_the_typing_and_saves_nothing(post) -> None:
    response, body = post(action="add_place", name="Halvfærdig titel")

    values = form_values(body)
    assert response.status_code == 200
    assert nothing_saved()
    assert values["name"] == "Halvfærdig titel"
    assert values["places-0-city"] == "Vejle"
    assert values["places-1-city"] == ""
    assert 'id="places-1"' in body and "Sted 2" in body
    assert 'class="error-summary"' not in body


def test_adding_a_time_keeps_the_typing(post) -> None:
    response, body = post(action="add_schedule")

    values = form_values(body)
    assert response.status_code == 200
    assert values["schedules-0-weekdays"] == ["TU", "TH"]
    assert values["schedules-1-kind"] == "weekly"
    assert "Tidspunkt 2" in body
    assert nothing_saved()


def test_removing_a_place_keeps_the_others(post) -> None:
    response, body = post(
        remove_place="0",
        **{
            "places-1-location_id": "",
            "places-1-name": "Skolen",
            "places-1-address": "Skolevej 1",
            "places-1-postal_code": "7700",
            "places-1-city": "Thisted",
            "places-1-latitude": "",
            "places-1-longitude": "",
            "places-1-auto_point": "",
        },
    )

    values = form_values(body)
    assert response.status_code == 200
    assert values["places-0-name"] == "Skolen"
    assert values["places-0-city"] == "Thisted"
    assert "places-1-name" not in values
    assert nothing_saved()


def test_two_places_and_two_times_are_saved(post) -> None:
    response, _body = post(
        **{
            "places-1-name": "Skolen",
            "places-1-address": "Skolevej 1",
            "places-1-postal_code": "7700",
            "places-1-city": "Thisted",
            "schedules-1-kind": "once",
            "schedules-1-date": "24.12.2030",
            "schedules-1-opens_at": "18",
        },
    )

    assert response.status_code == 302
    service = db.session.scalar(sa.select(Service))
    assert [sal.location.city for sal in service.service_at_locations] == ["Vejle", "Thisted"]
    once = service.schedules[1]
    assert (once.dtstart, once.until, once.byday, once.opens_at) == (
        dt.date(2030, 12, 24),
        dt.date(2030, 12, 24),
        "TU",
        dt.time(18),
    )


def test_removing_a_time_keeps_the_others(post) -> None:
    response, body = post(
        remove_schedule="0",
        **{"schedules-1-kind": "appointment", "schedules-1-note": "Ring til Karen"},
    )

    values = form_values(body)
    assert response.status_code == 200
    assert values["schedules-0-kind"] == "appointment"
    assert values["schedules-0-note"] == "Ring til Karen"
    assert "schedules-1-kind" not in values


def test_more_blocks_than_allowed_are_not_read(post) -> None:
    many = {f"places-{i}-city": "Vejle" for i in range(1, 40)}

    response, body = post(action="add_place", **many)

    assert response.status_code == 200
    assert 'id="places-19"' in body and 'id="places-20"' not in body
    assert "Tilføj et sted" not in visible_text(body)


# ---------- geocoding ----------


def test_a_changed_address_is_found_again(client, organization, member) -> None:
    token = csrf_token(client, new_url(organization.id))
    client.post(new_url(organization.id), data=offer_form(token))
    service = db.session.scalar(sa.select(Service))
    values = form_values(client.get(edit_url(service.id)).get_data(as_text=True))
    values.update({"places-0-postal_code": "7700", "places-0-city": "Thisted", "action": "save"})

    assert client.post(edit_url(service.id), data=values).status_code == 302

    db.session.expire_all()
    location = db.session.get(Service, service.id).service_at_locations[0].location
    assert location.latitude == pytest.approx(56.955, abs=0.05)
    assert location.municipality_code == "787"


def test_a_dragged_pin_is_kept_when_the_address_stays(client, organization, member) -> None:
    token = csrf_token(client, new_url(organization.id))
    client.post(new_url(organization.id), data=offer_form(token))
    service = db.session.scalar(sa.select(Service))
    values = form_values(client.get(edit_url(service.id)).get_data(as_text=True))
    values.update({"places-0-latitude": "55.712345", "places-0-longitude": "9.541234"})
    values["action"] = "save"

    assert client.post(edit_url(service.id), data=values).status_code == 302

    db.session.expire_all()
    location = db.session.get(Service, service.id).service_at_locations[0].location
    assert (location.latitude, location.longitude) == (55.712345, 9.541234)
    assert location.municipality_code == "630"


def test_a_slow_online_geocoder_does_not_block_saving(
    app, post, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def timed_out(query: str, **options: Any) -> None:
        calls.append(query)
        raise GeocoderTimedOut("no answer in time")

    app.config["GEOCODER"] = "nominatim"
    assert app.config["GEOCODER_TIMEOUT"] <= 10, "the online geocoder waits a bounded time"
    monkeypatch.setattr(geocoding, "online_geocoder", lambda *args: timed_out)
    started = utcnow()

    response, _body = post()

    assert response.status_code == 302
    assert calls == ["Willy Sørensens Plads 2, 7100 Vejle"]
    location = db.session.scalar(sa.select(Service)).service_at_locations[0].location
    assert location.municipality_code == "630"
    assert (utcnow() - started).total_seconds() < 5
