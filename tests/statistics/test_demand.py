"""Unmet demand: searches with few results become anonymous daily counters, summed on a page."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import db
from portal.statistics import demand as demand_module
from portal.statistics import referrals as referrals_module
from portal.statistics.demand import DemandFilters, danish_today, demand, prune_demand
from portal.statistics.models import SearchDemandDay
from tests.main.test_pages import index_everything
from tests.statistics.conftest import body
from tests.statistics.referral_rows import add_referral
from tests.statistics.tables import tables


def counters() -> list[dict]:
    rows = db.session.execute(
        sa.select(SearchDemandDay).order_by(SearchDemandDay.municipality_code)
    )
    return [
        {c.name: getattr(row, c.name) for c in SearchDemandDay.__table__.columns} for (row,) in rows
    ]


def add(day: dt.date, municipality: str, searches: int, empty: int = 0, **codes: str) -> None:
    db.session.add(
        SearchDemandDay(
            day=day,
            municipality_code=municipality,
            target_group=codes.get("target_group", ""),
            activity=codes.get("activity", ""),
            life_situation=codes.get("life_situation", ""),
            searches=searches,
            without_results=empty,
        )
    )
    db.session.commit()


def test_a_search_without_results_is_counted_and_nothing_personal_is_kept(
    client, known_directory
) -> None:
    index_everything()

    response = client.get(
        "/search?q=xylofonorkester&where=Thisted&target_group=hjemloese",
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
        headers={"User-Agent": "Mozilla/5.0 (hemmelig browser)"},
    )

    assert response.status_code == 200
    assert counters() == [
        {
            "day": danish_today(),
            "municipality_code": "787",
            "target_group": "hjemloese",
            "activity": "",
            "life_situation": "",
            "searches": 1,
            "without_results": 1,
        }
    ]
    columns = {column.name for column in SearchDemandDay.__table__.columns}
    assert columns == {
        "day",
        "municipality_code",
        "target_group",
        "activity",
        "life_situation",
        "searches",
        "without_results",
    }
    stored = " ".join(str(value) for row in counters() for value in row.values())
    for secret in ("xylofon", "Thisted", "203.0.113", "Mozilla", "hemmelig"):
        assert secret not in stored


def test_the_same_search_again_adds_to_the_counter(client, known_directory) -> None:
    index_everything()
    client.get("/search?where=Thisted&target_group=hjemloese")
    client.get("/search?where=Thisted&target_group=hjemloese")
    # One or two results count too, but not as "without results".
    client.get("/search?where=Thisted&target_group=unge")

    rows = {row["target_group"]: (row["searches"], row["without_results"]) for row in counters()}
    assert rows == {"hjemloese": (2, 2), "unge": (1, 0)}


def test_searches_with_more_than_two_results_are_not_counted(client, make_offer) -> None:
    for name in ("Et", "To", "Tre"):
        make_offer(name=f"Fællesspisning {name}")
    index_everything()

    client.get("/search?where=Thisted")

    assert counters() == []


def test_later_pages_and_places_not_understood_are_not_counted(client, known_directory) -> None:
    index_everything()

    client.get("/search?where=Thisted&target_group=hjemloese&page=2")
    client.get("/search?where=Xyzzyby&target_group=hjemloese")

    assert counters() == []


def test_filters_with_several_values_are_kept_together(client, known_directory) -> None:
    index_everything()

    client.get("/search?where=8000&target_group=hjemloese&target_group=efterladte&activity=kultur")
    everything = "&".join(
        f"activity={code}"
        for code in ("kultur", "kreative", "sorggrupper", "besoegsven", "ledsager", "raadgivning")
    )
    client.get(f"/search?q=xylofon&{everything}")

    rows = counters()
    assert [(r["municipality_code"], r["target_group"], r["activity"]) for r in rows] == [
        ("", "", "*"),
        ("751", "efterladte+hjemloese", "kultur"),
    ]


def test_a_position_counts_in_the_municipality_with_the_nearest_main_town(
    client, known_directory
) -> None:
    index_everything()

    client.get("/search?lat=56.80&lon=8.87&target_group=hjemloese")  # in Nykøbing Mors

    assert [row["municipality_code"] for row in counters()] == ["773"]


def test_a_failing_counter_never_breaks_the_search(
    client, known_directory, monkeypatch, caplog
) -> None:
    index_everything()
    monkeypatch.setattr(
        demand_module,
        "_increment",
        lambda *args, **kwargs: sa.text("INSERT INTO no_such_table VALUES (1)"),
    )

    with caplog.at_level(logging.WARNING, logger="portal.statistics.demand"):
        response = client.get("/search?where=Thisted&target_group=hjemloese")

    assert response.status_code == 200
    assert "Vi fandt ingen fællesskaber" in body(response)
    assert "Could not count a search with few results" in caplog.text
    # The request's own transaction survived: the next search still works and counts.
    monkeypatch.undo()
    client.get("/search?where=Thisted&target_group=hjemloese")
    assert [row["searches"] for row in counters()] == [1]


def test_demand_sums_by_municipality_filters_and_day(app) -> None:
    today = dt.date(2026, 11, 28)
    add(today, "787", 4, 3, target_group="aeldre")
    add(today - dt.timedelta(days=1), "787", 2, 0, target_group="aeldre")
    add(today, "787", 1, 1, activity="kultur")
    add(today, "101", 7, 2, target_group="aeldre")
    add(today - dt.timedelta(days=100), "101", 50, 50, target_group="aeldre")  # before the period

    result = demand(db.session, DemandFilters(days=90), today=today)

    assert (result.total.searches, result.total.without_results) == (14, 6)
    assert [(code, c.searches, c.without_results) for code, c in result.by_municipality] == [
        ("101", 7, 2),
        ("787", 7, 4),
    ], "most searches first, ties by code"
    assert [(key, c.searches) for key, c in result.by_filters] == [
        (("aeldre", "", ""), 13),
        (("", "kultur", ""), 1),
    ]
    assert [(day, c.searches) for day, c in result.by_day] == [
        (today, 12),
        (today - dt.timedelta(days=1), 2),
    ]
    only_thisted = demand(db.session, DemandFilters(days=90, municipality="787"), today=today)
    assert only_thisted.total.searches == 7
    year = demand(db.session, DemandFilters(days=365), today=today)
    assert year.total.searches == 64


def test_the_page_shows_the_sums_with_small_counts_hidden(client) -> None:
    today = danish_today()
    add(today, "787", 6, 5, target_group="aeldre", activity="faellesspisning")
    add(today, "101", 3, 1, target_group="unge+aeldre")
    add(today, "", 5, 0, life_situation="mistet-partner")

    response = client.get("/statistik/efterspoergsel")

    assert response.status_code == 200
    by_municipality, by_filters, by_day = tables(response.get_data(as_text=True))[:3]
    assert by_municipality.body() == {
        "Thisted Kommune": ["6", "5"],
        "Hele landet (intet sted valgt)": ["5", "<5"],
        "Københavns Kommune": ["<5", "<5"],
    }
    assert by_filters.texts()[1:] == [
        ["Ældre", "Fællesspisning", "ikke valgt", "6", "5"],
        ["ikke valgt", "ikke valgt", "Mistet partner", "5", "<5"],
        ["Unge 16–29 år, Ældre", "ikke valgt", "ikke valgt", "<5", "<5"],
    ]
    assert len(by_day.rows) == 2 and by_day.rows[1][1:][0].text == "14"


def test_the_page_narrows_to_one_municipality(client) -> None:
    add(danish_today(), "787", 6, 5, target_group="aeldre")
    add(danish_today(), "101", 9, 1, target_group="unge")

    response = client.get("/statistik/efterspoergsel?municipality=787&days=30")

    page = [t for t in tables(response.get_data(as_text=True)) if "Søgninger" in t.caption]
    assert len(page) == 2, "no table by municipality for one municipality"
    assert page[0].texts()[1:] == [["Ældre", "ikke valgt", "ikke valgt", "6", "5"]]
    assert "Kommune: Thisted Kommune." in body(response)
    assert '<option value="30" selected>' in response.get_data(as_text=True)


def test_the_page_says_so_when_there_is_nothing(client) -> None:
    response = client.get("/statistik/efterspoergsel")

    assert "Ingen søgninger i perioden fandt 2 eller færre fællesskaber." in body(response)


def test_prune_deletes_old_counters_only(app, runner) -> None:
    today = danish_today()
    add(today, "787", 1)
    add(today - dt.timedelta(days=2000), "787", 1)

    result = runner.invoke(args=["statistics", "prune-demand", "--keep-days", "365"])

    assert result.exit_code == 0, result.output
    assert "Deleted 1 daily counters older than 365 days." in result.output
    assert [row["day"] for row in counters()] == [today]
    assert prune_demand(db.session, 365) == 0


@pytest.mark.parametrize("value", ["0", "-5", "many"])
def test_prune_refuses_nonsense(runner, value: str) -> None:
    result = runner.invoke(args=["statistics", "prune-demand", "--keep-days", value])

    assert result.exit_code == 2


def test_declined_and_waiting_list_referrals_by_area_and_target_group(
    client, known_directory
) -> None:
    now = utcnow()
    for _ in range(5):
        add_referral(known_directory.dinner, "declined", now)
    add_referral(known_directory.dinner, "not_started", now, reason="waiting_list")
    add_referral(known_directory.dinner, "not_started", now, reason="not_interested")
    add_referral(known_directory.youth, "declined", now)
    add_referral(known_directory.youth, "started", now)
    add_referral(known_directory.aarhus, "declined", now - dt.timedelta(days=200))
    add_referral(known_directory.aarhus, "declined", now, kind="contact_request")

    response = client.get("/statistik/efterspoergsel")

    table = next(t for t in tables(response.get_data(as_text=True)) if "henvisninger" in t.caption)
    assert table.texts()[1:] == [
        ["Thisted Kommune", "Ældre", "Afvist", "5"],
        ["Thisted Kommune", "Ældre", "Venteliste", "<5"],
        ["Thisted Kommune", "Unge 16–29 år", "Afvist", "<5"],
    ]
    assert "citizen" not in response.get_data(as_text=True)


def test_the_referral_section_says_so_when_none_were_unmet(client, known_directory) -> None:
    add_referral(known_directory.dinner, "started", utcnow())

    response = client.get("/statistik/efterspoergsel")

    assert "Ingen henvisninger i perioden blev afvist eller sat på venteliste." in body(response)


def test_no_referral_sections_on_a_database_without_referrals(client, monkeypatch) -> None:
    monkeypatch.setattr(referrals_module, "TABLE", "referral_of_another_system")

    demand_page = body(client.get("/statistik/efterspoergsel"))
    annual_page = body(client.get("/statistik/aarsoversigt"))

    assert "Søgninger med højst 2 resultater" in demand_page
    assert 'id="referrals-heading"' not in demand_page
    assert 'id="referral-outcomes-heading"' not in annual_page
