"""A small directory with known numbers, shared by the statistics tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from portal.db import utcnow
from portal.extensions import db
from portal.models import Location, LocationType, Service, ServiceAtLocation, ServiceStatus

# Seats (main towns) as portal/geo/municipalities.py gives them.
MORSOE_SEAT = (56.7950, 8.8600)
THISTED_OFFER = (56.955, 8.694)
YOUTH_OFFER = (56.960, 8.700)


@pytest.fixture(autouse=True)
def fresh_statistics(app) -> None:
    """Compute the statistics at every request, so each test sees its own changes at once."""
    app.config["STATISTICS_CACHE_SECONDS"] = 0


@dataclass
class KnownDirectory:
    """The offers of the known dataset, by what they test."""

    dinner: Service
    youth: Service
    copenhagen: Service
    aarhus: Service
    online: Service


def add_location(service: Service, municipality_code: str, lat: float, lon: float) -> None:
    """Give an offer one more meeting place."""
    location = Location(
        organization_id=service.organization_id,
        location_type=LocationType.PHYSICAL,
        name="Forsamlingshuset",
        municipality_code=municipality_code,
        latitude=lat,
        longitude=lon,
    )
    service.service_at_locations.append(ServiceAtLocation(location=location))
    db.session.commit()


@pytest.fixture
def known_directory(make_offer: Callable[..., Service], make_organization) -> KnownDirectory:
    """Build offers whose statistics are known exactly.

    Searchable, with a place: Thisted 2 (one of them with two places there),
    København 1, Aarhus 1. Searchable and online: 1. Not counted: a draft and
    an offer nobody has confirmed for two years, both in Odense.
    """
    thisted_org = make_organization(name="Thisted Spiseklub")
    dinner = make_offer(
        name="Fællesspisning i Thisted",
        organization=thisted_org,
        municipality_code="787",
        latitude=THISTED_OFFER[0],
        longitude=THISTED_OFFER[1],
        target_groups=["aeldre"],
        activities=["faellesspisning"],
    )
    add_location(dinner, "787", 56.952, 8.690)
    youth = make_offer(
        name="Ungeklub i Thisted",
        organization=thisted_org,
        municipality_code="787",
        latitude=YOUTH_OFFER[0],
        longitude=YOUTH_OFFER[1],
        target_groups=["unge"],
        activities=["kreative"],
    )
    copenhagen = make_offer(
        name="Gåtur i København",
        municipality_code="101",
        city="København",
        postal_code="1550",
        latitude=55.676,
        longitude=12.568,
        target_groups=["aeldre"],
        activities=["motion-gaature"],
    )
    aarhus = make_offer(
        name="Fællesspisning i Aarhus",
        municipality_code="751",
        city="Aarhus",
        postal_code="8000",
        latitude=56.157,
        longitude=10.211,
        target_groups=["aeldre"],
        activities=["faellesspisning"],
    )
    online = make_offer(
        name="Snak over nettet", virtual=True, features=["online"], target_groups=["aeldre"]
    )
    make_offer(name="Kladde i Odense", municipality_code="461", status=ServiceStatus.DRAFT)
    long_ago = utcnow() - dt.timedelta(days=800)
    make_offer(
        name="Glemt tilbud i Odense",
        municipality_code="461",
        published_at=long_ago,
        last_confirmed_at=long_ago,
    )
    return KnownDirectory(dinner, youth, copenhagen, aarhus, online)


def body(response: Any) -> str:
    """Return a response's text with runs of whitespace as one space."""
    return " ".join(response.get_data(as_text=True).split())
