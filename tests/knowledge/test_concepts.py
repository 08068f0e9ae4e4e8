"""Concepts and offers: which offers implement a concept, where, and how to find one nearby."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.db import utcnow
from portal.extensions import db
from portal.knowledge.models import KnowledgeKind, KnowledgeStatus
from portal.knowledge.queries import concept_choices, concept_coverage
from portal.offers.models import Location, ServiceAtLocation, ServiceStatus


@pytest.fixture
def besoegsven(make_item):
    return make_item(
        kind=KnowledgeKind.CONCEPT,
        title="Besøgsven",
        terms=["aktivitet:besoegsven", "maalgruppe:aeldre"],
    )


@pytest.fixture
def known_offers(make_offer, make_item, besoegsven):
    """Offers of a known shape: 3 in Nordjylland, 2 in Hovedstaden, 1 online, others not counted."""
    other = make_item(kind=KnowledgeKind.CONCEPT, title="Telefonven")
    make_offer(name="Thisted", concept_id=besoegsven.id, municipality_code="787")
    make_offer(name="Aalborg", concept_id=besoegsven.id, municipality_code="851", city="Aalborg")
    make_offer(
        name="København", concept_id=besoegsven.id, municipality_code="101", city="København"
    )
    make_offer(name="Online", concept_id=besoegsven.id, virtual=True, features=["online"])
    both = make_offer(name="To steder", concept_id=besoegsven.id, municipality_code="787")
    both.service_at_locations.append(
        ServiceAtLocation(
            location=Location(
                organization_id=both.organization_id,
                name="Kulturhuset",
                city="København",
                postal_code="1000",
                municipality_code="101",
                latitude=55.68,
                longitude=12.57,
            )
        )
    )
    db.session.commit()
    make_offer(
        name="Kladde", concept_id=besoegsven.id, municipality_code="751", status=ServiceStatus.DRAFT
    )
    make_offer(name="Andet koncept", concept_id=other.id, municipality_code="630")
    make_offer(name="Uden koncept", municipality_code="787", activities=["besoegsven"])
    old = utcnow() - dt.timedelta(days=800)
    make_offer(
        name="Forældet",
        concept_id=besoegsven.id,
        municipality_code="787",
        published_at=old,
        last_confirmed_at=old,
    )


def test_a_concept_counts_its_published_offers_nationwide_and_per_region(
    besoegsven, known_offers, count_queries
) -> None:
    with count_queries() as statements:
        coverage = concept_coverage(db.session, besoegsven.id)

    assert len([s for s in statements if "SAVEPOINT" not in s]) == 1
    assert coverage.total == 5
    assert {region.name: region.count for region in coverage.regions} == {
        "Region Nordjylland": 3,
        "Region Midtjylland": 0,
        "Region Syddanmark": 0,
        "Region Hovedstaden": 2,
        "Region Sjælland": 0,
    }


def test_the_concept_page_shows_the_counts_and_a_way_to_find_one_nearby(
    client, besoegsven, known_offers
) -> None:
    page = client.get(f"/viden/{besoegsven.slug}").get_data(as_text=True)

    assert "5 offentliggjorte fællesskaber i hele landet" in page
    assert '<th scope="row">Region Nordjylland</th><td class="align-right">3</td>' in page
    assert '<th scope="row">Region Hovedstaden</th><td class="align-right">2</td>' in page
    link = page.split("Find et nær dig")[0].rsplit('href="', 1)[1].split('"', 1)[0]
    assert urlsplit(link).path == "/search"
    assert parse_qs(urlsplit(link).query) == {"activity": ["besoegsven"]}


def test_a_concept_without_an_activity_is_found_by_its_target_group(client, make_item) -> None:
    concept = make_item(
        kind=KnowledgeKind.CONCEPT, title="Netværk for pårørende", terms=["maalgruppe:paaroerende"]
    )

    page = client.get(f"/viden/{concept.slug}").get_data(as_text=True)

    assert "/search?target_group=paaroerende" in page
    assert "0 offentliggjorte fællesskaber i hele landet" in page


def test_the_offer_editor_chooses_among_the_public_concepts(make_item) -> None:
    gaa = make_item(kind=KnowledgeKind.CONCEPT, title="Gå-fællesskab")
    besoeg = make_item(kind=KnowledgeKind.CONCEPT, title="Besøgsven")
    make_item(kind=KnowledgeKind.CONCEPT, title="Udkast til koncept", status=KnowledgeStatus.DRAFT)
    make_item(kind=KnowledgeKind.ARTICLE, title="En artikel")

    assert concept_choices() == [(str(besoeg.id), "Besøgsven"), (str(gaa.id), "Gå-fællesskab")]


def test_deleting_a_concept_leaves_its_offers_without_one(make_offer, besoegsven) -> None:
    offer = make_offer(concept_id=besoegsven.id)

    db.session.delete(besoegsven)
    db.session.commit()
    db.session.refresh(offer)

    assert offer.concept_id is None
