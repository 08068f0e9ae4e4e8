"""The data model: HSDS identifiers, aware timestamps, constraints, seeded vocabularies."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.extensions import db
from portal.geo.models import Municipality, Region
from portal.models import Schedule, Service
from portal.taxonomy.models import Taxonomy
from portal.taxonomy.services import seed_vocabularies
from portal.taxonomy.vocabulary import VOCABULARIES


def test_reference_data_is_seeded(app) -> None:
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Municipality)) == 98
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Region)) == 5
    thisted = db.session.get(Municipality, "787")
    assert thisted.name == "Thisted"
    assert thisted.region.name == "Region Nordjylland"
    assert db.session.get(Municipality, "101").display_name == "Københavns Kommune"
    assert db.session.get(Municipality, "400").display_name == "Bornholms Regionskommune"


def test_vocabularies_have_danish_and_english_labels(app) -> None:
    taxonomies = {t.code: t for t in db.session.scalars(sa.select(Taxonomy))}

    assert set(taxonomies) == {v.code for v in VOCABULARIES}
    terms = taxonomies["maalgruppe"].terms
    assert [t.code for t in terms][:3] == ["unge", "aeldre", "over-85"]
    assert all(t.name and t.name_en for t in terms)
    assert {t.name for t in taxonomies["praktisk"].terms} >= {"Gratis", "Kørestolsadgang"}


def test_seeding_twice_adds_nothing_and_keeps_edits(app) -> None:
    term = db.session.scalars(sa.select(Taxonomy)).first().terms[0]
    term.name = "Redigeret af en administrator"
    db.session.commit()

    assert seed_vocabularies(db.session) == 0
    db.session.commit()
    db.session.refresh(term)
    assert term.name == "Redigeret af en administrator"


def test_offer_has_uuid_and_aware_timestamps(make_offer) -> None:
    offer = make_offer()
    db.session.expire_all()
    loaded = db.session.get(Service, offer.id)

    assert isinstance(loaded.id, uuid.UUID)
    assert loaded.created_at.tzinfo is not None
    assert loaded.created_at.utcoffset() == dt.timedelta(0)
    assert [t.code for t in loaded.terms_of("aktivitet")] == ["faellesspisning"]


def test_naive_datetimes_are_refused(make_offer) -> None:
    offer = make_offer()
    offer.last_confirmed_at = dt.datetime(2026, 1, 1)  # noqa: DTZ001 - the point of the test
    with pytest.raises(sa.exc.StatementError, match="naive"):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(
    "change",
    [{"minimum_age": 40, "maximum_age": 20}, {"minimum_age": -1}, {"maximum_age": 300}],
)
def test_impossible_ages_are_refused(make_offer, change: dict) -> None:
    offer = make_offer()
    for key, value in change.items():
        setattr(offer, key, value)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_absurd_coordinates_are_refused(make_offer) -> None:
    with pytest.raises(IntegrityError):
        make_offer(latitude=91.0)
    db.session.rollback()


def test_schedule_must_close_after_it_opens(make_offer) -> None:
    offer = make_offer()
    schedule: Schedule = offer.schedules[0]
    schedule.opens_at, schedule.closes_at = dt.time(16), dt.time(14)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_concurrent_edits_are_detected(app, make_offer) -> None:
    offer = make_offer()
    # Someone else saves the offer first: the version moves on under our feet.
    db.session.execute(
        sa.update(Service).where(Service.id == offer.id).values(version=Service.version + 1),
        execution_options={"synchronize_session": False},
    )
    offer.name = "Nyt navn"
    with pytest.raises(StaleDataError):
        db.session.commit()
    db.session.rollback()
