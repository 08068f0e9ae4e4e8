"""Importing Open Referral HSDS 3.0 JSON, including the portal's own export."""

from __future__ import annotations

import json

import sqlalchemy as sa

from portal.api.dataset import dump_json, export_json
from portal.extensions import db
from portal.offers.models import Frequency, LocationType, Service, ServiceStatus
from tests.imports.conftest import problems


def _offers(organization) -> list[Service]:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Service)
            .where(Service.organization_id == organization.id)
            .order_by(Service.name)
        )
    )


def test_the_portals_own_export_imports_into_an_association(
    make_offer, make_organization, member, organization, upload
) -> None:
    source = make_organization(name="Kilden")
    thisted = make_offer(
        organization=source,
        target_groups=["aeldre", "efterladte"],
        features=["koerestolsadgang"],
    )
    make_offer(organization=source, name="Snak over nettet", virtual=True, features=["online"])
    exported = dump_json(export_json(db.session)).encode("utf-8")

    result = upload(organization, exported, "export.json")

    page = result.get_data(as_text=True)
    assert result.status_code == 200, page
    assert "Felterne organization og status i filen bruges ikke" in page
    local, online = _offers(organization)
    assert local.external_id == str(thisted.id)
    assert local.name == thisted.name and local.description == thisted.description
    assert local.status is ServiceStatus.PUBLISHED
    assert {t.code for t in local.terms_of("maalgruppe")} == {"aeldre", "efterladte"}
    # "Gratis" follows the price, as in the offer editor.
    assert {t.code for t in local.terms_of("praktisk")} == {"koerestolsadgang", "gratis"}
    [schedule] = local.schedules
    assert (schedule.freq, schedule.byday) == (Frequency.WEEKLY, "TU")
    assert schedule.opens_at.isoformat() == "17:30:00"
    [link] = local.service_at_locations
    assert link.location.city == "Thisted" and link.location.municipality_code == "787"
    assert link.location.latitude == 56.955, "coordinates in the file are kept"
    assert [p.number for p in local.phones] == ["+45 12 34 56 78"]
    assert online.service_at_locations[0].location.location_type is LocationType.VIRTUAL
    assert {o.organization_id for o in _offers(source)} == {source.id}, "the source is untouched"

    again = upload(organization, exported, "export.json")

    assert "2 uændrede" in again.get_data(as_text=True)


def test_a_list_of_services_from_another_system(member, organization, upload) -> None:
    services = [
        {
            "id": "ext-42",
            "name": "Sorggruppe i Vejle",
            "description": "Vi mødes og taler om det, der er svært.",
            "organization_id": "someone-else",
            "status": "active",
            "email": "ikke en adresse",
            "attributes": [
                {
                    "id": "a1",
                    "taxonomy_term": {
                        "id": "t1",
                        "code": "sorggrupper",
                        "taxonomy": "Aktivitetstyper",
                    },
                },
                {"id": "a2", "taxonomy_term": {"id": "t2", "name": "Efterladte"}},
                {"id": "a3", "taxonomy_term": {"id": "t3", "name": "Yoga"}},
            ],
            "cost_options": [
                {
                    "id": "c1",
                    "amount": 25,
                    "currency": "DKK",
                    "amount_description": "25 kr. for kaffe",
                }
            ],
            "service_at_locations": [
                {
                    "id": "sal1",
                    "location": {
                        "id": "l1",
                        "name": "Kirkens hus",
                        "addresses": [
                            {
                                "id": "ad1",
                                "address_1": "Kirkegade 1",
                                "postal_code": "7100",
                                "city": "Vejle",
                            }
                        ],
                    },
                    "schedules": [
                        {
                            "id": "s1",
                            "freq": "MONTHLY",
                            "byday": "1WE",
                            "opens_at": "19:00",
                            "closes_at": "21:00",
                        }
                    ],
                },
            ],
        }
    ]

    result = upload(organization, json.dumps({"services": services}).encode(), "tilbud.json")

    page = result.get_data(as_text=True)
    assert result.status_code == 200, page
    assert "Emneordet »Yoga« findes ikke i portalens lister" in page
    assert "er ikke en e-mailadresse" in page
    [offer] = _offers(organization)
    assert offer.external_id == "ext-42"
    assert offer.email is None
    assert offer.is_free is False and offer.price_text == "25 kr. for kaffe"
    assert {t.code for t in offer.terms_of("aktivitet")} == {"sorggrupper"}
    assert {t.code for t in offer.terms_of("maalgruppe")} == {"efterladte"}
    assert [s.byday for s in offer.schedules] == ["1WE"]
    location = offer.service_at_locations[0].location
    assert (location.name, location.municipality_code) == ("Kirkens hus", "630")


def test_the_shape_of_the_json_is_checked_with_clear_errors(member, organization, upload) -> None:
    cases = {
        b'{"foo": 1}': "skal være en liste af tilbud",
        b'[{"name": "Uden id"}, {"id": "x"}, 7]': "Tilbuddet mangler et id.",
        b'[{"id": "a", "name": "A"},': "Filen er ikke gyldig JSON: fejl i linje 1",
        b"[]": "Listen af tilbud er tom.",
    }
    for data, message in cases.items():
        result = upload(organization, data, "tilbud.json")

        page = result.get_data(as_text=True)
        assert result.status_code == 422, data
        assert message in page, data
    page = upload(organization, b'[{"name": "Uden id"}, {"id": "x"}, 7]', "t.json").get_data(
        as_text=True
    )
    assert ("2", "name", "Tilbuddet mangler et navn.") in problems(page)
    assert ("3", "", "Tilbuddet skal være et JSON-objekt med id og name.") in problems(page)
    assert "Tilbud nr. 2" in page
    assert _offers(organization) == []


def test_an_hsds_place_without_coordinates_must_be_found_on_the_map(
    member, organization, upload
) -> None:
    services = [
        {
            "id": "x",
            "name": "X",
            "service_at_locations": [
                {
                    "id": "s",
                    "location": {
                        "id": "l",
                        "addresses": [
                            {
                                "id": "a",
                                "address_1": "Vej 1",
                                "postal_code": "9998",
                                "city": "Intetsted",
                            }
                        ],
                    },
                }
            ],
        }
    ]

    result = upload(organization, json.dumps(services).encode(), "t.json")

    assert result.status_code == 422
    page = result.get_data(as_text=True)
    [(row, column, message)] = problems(page)
    assert (row, column) == ("1", "service_at_locations")
    assert message.startswith("Portalen kan ikke finde »9998 Intetsted« på kortet")
