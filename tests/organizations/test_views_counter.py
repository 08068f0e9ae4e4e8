"""Counting views of offer pages: one row per offer and day, people only."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.extensions import db
from portal.offers.models import ServiceStatus, ServiceViewDay
from portal.organizations import views_counter
from portal.organizations.views_counter import local_today, record_view, views_per_service

BROWSER = "Mozilla/5.0 (Linux; Android 10) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"


def views_of(service) -> dict[dt.date, int]:
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(ServiceViewDay.day, ServiceViewDay.views).where(
            ServiceViewDay.service_id == service.id
        )
    )
    return dict(rows.all())


def test_record_view_adds_up_per_day(app, make_offer) -> None:
    offer = make_offer()
    today = local_today()
    yesterday = today - dt.timedelta(days=1)

    record_view(offer.id, today)
    record_view(offer.id, today)
    record_view(offer.id, yesterday)

    assert views_of(offer) == {today: 2, yesterday: 1}
    assert views_per_service(offer.organization_id, since=today) == {offer.id: 2}


def test_opening_a_published_offer_counts_once_per_request(client, make_offer) -> None:
    offer = make_offer()

    for _ in range(3):
        assert client.get(f"/tilbud/{offer.id}", headers={"User-Agent": BROWSER}).status_code == 200

    assert views_of(offer) == {local_today(): 3}


def test_head_requests_robots_and_hidden_offers_are_not_counted(client, make_offer) -> None:
    offer = make_offer()
    draft = make_offer(status=ServiceStatus.DRAFT)

    client.head(f"/tilbud/{offer.id}", headers={"User-Agent": BROWSER})
    for agent in (
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; YandexSpider/3.0)",
        "SomeCrawler/1.0",
    ):
        assert client.get(f"/tilbud/{offer.id}", headers={"User-Agent": agent}).status_code == 200
    assert client.get(f"/tilbud/{draft.id}", headers={"User-Agent": BROWSER}).status_code == 404

    assert views_of(offer) == {}
    assert views_of(draft) == {}


def test_a_failing_count_does_not_break_the_page(client, make_offer, monkeypatch, caplog):
    offer = make_offer(name="Fællesspisning i Thisted")

    def broken(*_args, **_kwargs):
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(views_counter, "_upsert", broken)
    response = client.get(f"/tilbud/{offer.id}", headers={"User-Agent": BROWSER})

    assert response.status_code == 200
    assert "Fællesspisning i Thisted" in response.get_data(as_text=True)
    assert "view not counted" in caplog.text
    assert views_of(offer) == {}


def test_the_count_costs_one_statement(client, make_offer, count_queries) -> None:
    offer = make_offer()
    path = f"/tilbud/{offer.id}"

    with count_queries() as robot:
        client.get(path, headers={"User-Agent": "Googlebot"})
    with count_queries() as person:
        client.get(path, headers={"User-Agent": BROWSER})

    extra = [s for s in person if s not in robot]
    writes = [s for s in extra if "service_view_day" in s]
    assert len(writes) == 1
    assert "ON CONFLICT" in writes[0].upper()
