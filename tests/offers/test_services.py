"""Headline counts and the offer lookup."""

from __future__ import annotations

import uuid

from portal.extensions import db
from portal.models import ServiceStatus
from portal.offers.services import directory_counts, get_published_service


def test_counts_only_published_offers(make_offer) -> None:
    make_offer(municipality_code="787")
    make_offer(municipality_code="101", city="København")
    make_offer(municipality_code="101", city="København", status=ServiceStatus.DRAFT)
    make_offer(virtual=True, features=["online"])

    counts = directory_counts(db.session)

    assert counts.published_offers == 3
    assert counts.municipalities_covered == 2


def test_only_published_offers_can_be_read(make_offer) -> None:
    draft = make_offer(status=ServiceStatus.DRAFT)
    published = make_offer()

    assert get_published_service(db.session, draft.id) is None
    assert get_published_service(db.session, published.id).id == published.id
    assert get_published_service(db.session, uuid.uuid4()) is None
