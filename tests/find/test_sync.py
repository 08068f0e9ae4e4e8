"""The index follows the database: outbox in the same transaction, drained after commit."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import db
from portal.find import sync
from portal.find.models import SearchOutbox
from portal.models import Schedule, ServiceStatus
from tests.find.fakes import DictEngine


@pytest.fixture
def engine() -> DictEngine:
    return DictEngine()


def _outbox() -> list[SearchOutbox]:
    return list(db.session.scalars(sa.select(SearchOutbox).order_by(SearchOutbox.id)))


def _later(hours: float = 1) -> dt.datetime:
    return utcnow() + dt.timedelta(hours=hours)


def test_a_new_offer_writes_an_outbox_row_in_its_transaction(make_offer) -> None:
    offer = make_offer()

    assert {row.service_id for row in _outbox()} == {offer.id}


def test_a_rolled_back_change_leaves_no_outbox_row(make_offer) -> None:
    offer = make_offer()
    db.session.execute(sa.delete(SearchOutbox))
    db.session.commit()

    offer.name = "Ændret, men fortrudt"
    db.session.flush()
    db.session.rollback()

    assert _outbox() == []


def test_changing_a_schedule_or_place_queues_its_offer(make_offer) -> None:
    offer = make_offer()
    db.session.execute(sa.delete(SearchOutbox))
    db.session.commit()

    offer.schedules[0].byday = "WE"
    offer.service_at_locations[0].location.city = "Hurup"
    db.session.commit()

    assert {row.service_id for row in _outbox()} == {offer.id}


def test_drain_indexes_published_offers_and_empties_the_outbox(make_offer, engine) -> None:
    offer = make_offer(name="Strikkeklubben Vejle")

    report = sync.drain(db.session, engine)

    assert report.indexed == 1
    assert engine.documents[str(offer.id)]["title"] == "Strikkeklubben Vejle"
    assert _outbox() == []


@pytest.mark.parametrize("status", [ServiceStatus.ARCHIVED, ServiceStatus.DRAFT])
def test_unpublishing_removes_the_offer(make_offer, engine, status) -> None:
    offer = make_offer()
    sync.drain(db.session, engine)

    offer.status = status
    db.session.commit()
    sync.drain(db.session, engine)

    assert str(offer.id) not in engine.documents


def test_deleting_removes_the_offer(make_offer, engine) -> None:
    offer = make_offer()
    sync.drain(db.session, engine)

    db.session.delete(offer)
    db.session.commit()
    sync.drain(db.session, engine)

    assert engine.documents == {}


def test_edits_made_while_the_engine_is_down_arrive_after_recovery(make_offer, engine) -> None:
    offer = make_offer(name="Før")
    sync.drain(db.session, engine)
    engine.down = True

    offer.name = "Efter"
    db.session.commit()
    failed = sync.drain(db.session, engine)

    assert failed.failed == 1
    [row] = _outbox()
    assert row.attempts == 1
    assert row.available_at > utcnow()
    assert "switched off" in row.last_error
    assert engine.documents[str(offer.id)]["title"] == "Før"

    engine.down = False
    assert sync.drain(db.session, engine).indexed == 0, "back-off: not due yet"
    recovered = sync.drain(db.session, engine, now=_later())

    assert recovered.indexed == 1
    assert engine.documents[str(offer.id)]["title"] == "Efter"
    assert _outbox() == []


def test_backoff_grows_and_is_capped() -> None:
    waits = [sync.backoff(n) for n in range(1, 30)]

    assert waits == sorted(waits)
    assert waits[0] == dt.timedelta(seconds=10)
    assert waits[-1] == sync.MAX_BACKOFF


def test_stale_offers_are_not_indexed_and_leave_on_reconcile(make_offer, engine) -> None:
    fresh = make_offer(name="Bekræftet i år")
    old = make_offer(name="Ikke bekræftet i to år")
    sync.rebuild(db.session, engine)
    assert set(engine.documents) == {str(fresh.id), str(old.id)}

    old.last_confirmed_at = utcnow() - dt.timedelta(days=800)
    old.published_at = utcnow() - dt.timedelta(days=900)
    db.session.commit()
    db.session.execute(sa.delete(SearchOutbox))  # staleness comes with time, not an edit
    db.session.commit()

    assert sync.check(db.session, engine).extra == [str(old.id)]
    sync.reconcile(db.session, engine)

    assert set(engine.documents) == {str(fresh.id)}
    assert sync.check(db.session, engine).ok


def test_rebuild_replaces_the_index_and_keeps_later_outbox_rows(make_offer, engine) -> None:
    offer = make_offer()
    engine.documents["ghost"] = {"id": "ghost", "title": "Slettet for længst", "updated_at": 0}

    assert sync.rebuild(db.session, engine) == 1
    assert set(engine.documents) == {str(offer.id)}
    assert _outbox() == []


def test_check_reports_missing_outdated_and_extra(make_offer, engine) -> None:
    indexed = make_offer(name="Indekseret")
    sync.rebuild(db.session, engine)
    missing = make_offer(name="Mangler")
    engine.documents[str(indexed.id)]["updated_at"] = 0
    engine.documents["extra"] = {"id": "extra", "title": "Ekstra", "updated_at": 0}

    report = sync.check(db.session, engine)

    assert report.missing == [str(missing.id)]
    assert report.outdated == [str(indexed.id)]
    assert report.extra == ["extra"]
    assert not report.ok


def test_documents_carry_what_the_search_page_needs(make_offer, engine) -> None:
    offer = make_offer(
        features=["koerestolsadgang", "drop-in"],
        activities=["kreative"],
        target_groups=["aeldre", "alle"],
    )
    offer.schedules.append(Schedule(freq=None, description="Efter aftale"))
    db.session.commit()
    sync.drain(db.session, engine)

    document = engine.documents[str(offer.id)]
    assert document["activity"] == ["kreative"]
    assert document["target_group"] == ["aeldre", "alle"]
    assert set(document["feature"]) == {"koerestolsadgang", "drop-in"}
    assert document["weekday"] == ["TU"]
    assert document["time_of_day"] == ["evening"]
    assert document["municipality"] == "787"
    assert document["municipality_name"] == "Thisted"
    assert document["is_remote"] is False
    assert document["next_meeting"] > utcnow().timestamp()


def test_remote_offers_are_marked(make_offer, engine) -> None:
    offer = make_offer(virtual=True, features=["telefon"])
    sync.drain(db.session, engine)

    document = engine.documents[str(offer.id)]
    assert document["is_remote"] is True
    assert document["lat"] is None
