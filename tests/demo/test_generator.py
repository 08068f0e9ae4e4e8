"""Demo data: realistic, nationwide, deterministic."""

from __future__ import annotations

import collections
import datetime as dt
import random

import pytest
import sqlalchemy as sa

from portal.demo.generator import DemoDataError, allocate, delete_demo_data, generate_offers
from portal.demo.places import towns_by_municipality
from portal.extensions import db
from portal.geo.municipalities import MUNICIPALITIES
from portal.models import Location, Organization, Schedule, Service, ServiceStatus
from portal.offers.schedules import parse_byday
from portal.taxonomy.models import ServiceAttribute, TaxonomyTerm

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def _generate(count: int, seed: int) -> None:
    generate_offers(db.session.connection(), count=count, seed=seed, now=NOW)
    db.session.commit()


def _snapshot() -> list[tuple]:
    return sorted(
        db.session.execute(
            sa.select(Service.id, Service.name, Service.description, Service.status)
        ).all()
    )


def test_same_seed_gives_the_same_offers(app) -> None:
    _generate(60, seed=11)
    first = _snapshot()
    delete_demo_data(db.session.connection())
    db.session.commit()
    assert _snapshot() == []

    _generate(60, seed=11)
    assert _snapshot() == first


def test_other_seed_gives_other_offers(app) -> None:
    _generate(40, seed=1)
    first = {row.name for row in _snapshot()}
    _generate(40, seed=2)

    assert len(_snapshot()) == 80
    assert first != {row.name for row in _snapshot()} - first


def test_repeating_a_seed_is_refused_and_writes_nothing(app) -> None:
    _generate(20, seed=3)
    with pytest.raises(DemoDataError, match="seed 3"):
        generate_offers(db.session.connection(), count=20, seed=3, now=NOW)
    db.session.rollback()

    assert len(_snapshot()) == 20


def test_allocation_covers_every_municipality_and_follows_population() -> None:
    counts = collections.Counter(allocate(1800, random.Random(5)))

    assert len(counts) == 98
    assert sum(counts.values()) == 1800
    assert counts["101"] > 10 * counts["825"], "København must have far more than Læsø"


def test_every_municipality_has_real_towns() -> None:
    towns = towns_by_municipality()

    assert set(towns) == {m.code for m in MUNICIPALITIES}
    assert all(towns[code] for code in towns)
    assert any(t.name == "Thisted" for t in towns["787"])


@pytest.mark.slow
def test_demo_set_is_realistic(app) -> None:
    _generate(1500, seed=2026)
    session = db.session
    services = session.scalars(sa.select(Service)).all()

    published = [s for s in services if s.status is ServiceStatus.PUBLISHED]
    assert len(published) > 0.85 * len(services)
    covered = session.scalar(sa.select(sa.func.count(sa.distinct(Location.municipality_code))))
    assert covered == 98
    names = [s.name for s in services]
    assert not any("lorem" in n.lower() or n.startswith("Tilbud ") for n in names)
    assert len(set(names)) > 300, "titles must vary"
    assert all(s.description and s.how_to_join for s in services)

    remote = session.scalar(
        sa.select(sa.func.count(sa.distinct(ServiceAttribute.service_id)))
        .join(TaxonomyTerm)
        .where(TaxonomyTerm.code.in_(["online", "telefon", "landsdaekkende"]))
    )
    assert 0.03 * len(services) < remote < 0.08 * len(services)
    wheelchair = session.scalar(
        sa.select(sa.func.count(ServiceAttribute.id))
        .join(TaxonomyTerm)
        .where(TaxonomyTerm.code == "koerestolsadgang")
    )
    assert wheelchair > 0.2 * len(services)

    for schedule in session.scalars(sa.select(Schedule)):
        parse_byday(schedule.byday)  # every rule is valid
        if schedule.opens_at:
            assert schedule.opens_at < schedule.closes_at

    emails = session.scalars(sa.select(Organization.email)).all()
    assert all(e.endswith(".example") for e in emails), "contact details must be fictitious"
    lat_lon = session.execute(sa.select(Location.latitude, Location.longitude)).all()
    assert all(54.5 < lat < 57.8 and 8.0 < lon < 15.3 for lat, lon in lat_lon if lat)
