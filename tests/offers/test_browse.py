"""Browsing the directory: filters, remote offers, paging, and hostile input."""

from __future__ import annotations

from portal.extensions import db
from portal.models import ServiceStatus
from portal.offers.services import BrowseFilters, browse, directory_counts


def test_counts_only_published_offers(make_offer) -> None:
    make_offer(municipality_code="787")
    make_offer(municipality_code="101", city="København")
    make_offer(municipality_code="101", city="København", status=ServiceStatus.DRAFT)
    make_offer(virtual=True, features=["online"])

    counts = directory_counts(db.session)

    assert counts.published_offers == 3
    assert counts.municipalities_covered == 2


def test_municipality_filter_keeps_remote_offers_after_local_ones(make_offer) -> None:
    local = make_offer(name="Strikkeklubben Thisted", municipality_code="787")
    make_offer(name="Gåtur i Aarhus", municipality_code="751", city="Aarhus")
    online = make_offer(name="Aaa online strikkecafé", virtual=True, features=["online"])

    page = browse(db.session, BrowseFilters(municipality="787"))

    assert [o.id for o in page.offers] == [local.id, online.id]
    assert page.remote_ids == {online.id}


def test_filters_combine(make_offer) -> None:
    make_offer(name="Sorggruppe", activities=["sorggrupper"], target_groups=["efterladte"])
    make_offer(name="Madklub", activities=["faellesspisning"], target_groups=["efterladte"])
    make_offer(name="Alle må spise", activities=["faellesspisning"], target_groups=["alle"])
    make_offer(name="Betalt madklub", is_free=False, price_text="25 kr.")

    page = browse(
        db.session,
        BrowseFilters(activity="faellesspisning", target_group="efterladte", free_only=True),
    )

    assert sorted(o.name for o in page.offers) == ["Alle må spise", "Madklub"]


def test_text_with_like_wildcards_matches_literally(make_offer) -> None:
    make_offer(name="Strikkeklub")
    make_offer(name="100% hygge")

    assert [o.name for o in browse(db.session, BrowseFilters(text="%")).offers] == ["100% hygge"]
    assert browse(db.session, BrowseFilters(text="'; DROP TABLE service; --")).total == 0
    assert browse(db.session, BrowseFilters(text="strik")).total == 1


def test_pages_are_clamped(make_offer) -> None:
    for number in range(3):
        make_offer(name=f"Fællesskab {number}")

    assert browse(db.session, BrowseFilters(), page=99).page == 1
    assert browse(db.session, BrowseFilters(), page=-3).page == 1


def test_list_page_runs_a_fixed_number_of_queries(client, make_offer, count_queries) -> None:
    for number in range(3):
        make_offer(name=f"Fællesskab {number}")
    with count_queries() as few:
        client.get("/tilbud")
    for number in range(3, 15):
        make_offer(name=f"Fællesskab {number}")
    with count_queries() as many:
        client.get("/tilbud")

    assert len(many) == len(few), "the list page must not query once per offer"
