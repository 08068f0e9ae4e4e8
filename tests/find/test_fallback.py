"""Degraded mode: when the engine fails or is slow, the database answers."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.find.fallback import database_search
from portal.find.services import run_search
from search import GeoPoint, SearchQuery, Sort
from tests.find.fakes import DictEngine

VEJLE = GeoPoint(55.709, 9.536)


@pytest.fixture
def offers(make_offer):
    return {
        "vejle": make_offer(
            name="Strikkeklubben Vejle", municipality_code="630", city="Vejle",
            latitude=55.711, longitude=9.530, activities=["kreative"],
        ),
        "fredericia": make_offer(
            name="Strikkecafé Fredericia", municipality_code="607", city="Fredericia",
            latitude=55.566, longitude=9.752, activities=["kreative"], is_free=False,
        ),
        "thisted": make_offer(
            name="Strikkeklub i Thisted", municipality_code="787", activities=["kreative"],
        ),
        "online": make_offer(
            name="Online strikkecafé", virtual=True, features=["online"], activities=["kreative"],
        ),
        "walk": make_offer(
            name="Gåtur i Vejle", municipality_code="630", city="Vejle",
            latitude=55.70, longitude=9.54, activities=["motion-gaature"],
        ),
    }  # fmt: skip


def _titles(result) -> list[str]:
    return [hit.document["title"] for hit in result.hits]


def test_radius_search_is_nearest_first_and_keeps_remote_offers(offers) -> None:
    result = database_search(
        db.session,
        SearchQuery(text="strik", point=VEJLE, radius_km=25, sort=Sort.DISTANCE),
    )

    assert _titles(result) == [
        "Strikkeklubben Vejle",
        "Strikkecafé Fredericia",
        "Online strikkecafé",
    ]
    assert result.hits[0].distance_km == pytest.approx(0.43, abs=0.05)
    assert result.hits[-1].distance_km is None
    assert result.facets == {}


def test_filters_apply(offers) -> None:
    query = SearchQuery(activity=("kreative",), free_only=True, municipality=("630",))

    assert sorted(_titles(database_search(db.session, query))) == [
        "Online strikkecafé",
        "Strikkeklubben Vejle",
    ]


def test_like_wildcards_in_words_match_literally(offers) -> None:
    assert database_search(db.session, SearchQuery(text="%")).total == 0
    assert database_search(db.session, SearchQuery(text="_")).total == 0


def test_engine_failure_answers_from_the_database(offers) -> None:
    engine = DictEngine()
    engine.down = True

    outcome = run_search(db.session, engine, SearchQuery(text="strik"), timeout_s=2)

    assert outcome.degraded
    assert outcome.result.total == 4


def test_slow_engine_is_abandoned_after_the_time_limit(offers) -> None:
    engine = DictEngine()
    engine.delay_s = 0.5

    outcome = run_search(db.session, engine, SearchQuery(text="strik"), timeout_s=0.05)

    assert outcome.degraded
    assert outcome.result.total == 4


def test_healthy_engine_answers_itself(offers) -> None:
    engine = DictEngine()

    outcome = run_search(db.session, engine, SearchQuery(text="strik"), timeout_s=2)

    assert not outcome.degraded
    assert engine.searches == 1
