"""When an offer meets, as the editor writes it: weekly, every n weeks, nth weekday, one date."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import Schedule, Service
from portal.offers.editor_schedules import schedule_initial
from portal.offers.models import Frequency
from portal.offers.schedules import COPENHAGEN, describe, is_one_off, next_meetings
from tests.helpers import csrf_token
from tests.main.test_pages import visible_text
from tests.offers.test_editor import (
    edit_url,
    form_values,
    member_fixture,  # noqa: F401 - a fixture
    new_url,
    offer_form,
    organization_fixture,  # noqa: F401 - a fixture
    preview_url,
)

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday


def saved_schedules(client, organization, **fields) -> list[Schedule]:
    token = csrf_token(client, new_url(organization.id))
    changes = {f"schedules-0-{name}": value for name, value in fields.items()}
    response = client.post(new_url(organization.id), data=offer_form(token, **changes))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.scalar(sa.select(Service)).schedules


def test_every_other_week(client, organization, member) -> None:
    (schedule,) = saved_schedules(client, organization, interval="2", weekdays=["WE"])

    starts = [start for start, _end in next_meetings([schedule], NOW, count=3)]

    assert (schedule.freq, schedule.interval, schedule.byday) == (Frequency.WEEKLY, 2, "WE")
    assert [b - a for a, b in zip(starts, starts[1:], strict=False)] == [dt.timedelta(days=14)] * 2


def test_the_second_tuesday_of_the_month(client, organization, member) -> None:
    (schedule,) = saved_schedules(
        client, organization, kind="monthly", ordinal="2", month_weekday="TU"
    )

    starts = [start for start, _end in next_meetings([schedule], NOW, count=4)]

    assert schedule.byday == "2TU"
    assert all(s.weekday() == 1 and 8 <= s.day <= 14 for s in starts)
    assert len({(s.year, s.month) for s in starts}) == 4
    with client.application.test_request_context():
        assert describe(schedule) == "Den anden tirsdag i måneden kl. 14.00–16.00"


def test_the_last_friday_of_the_month(client, organization, member) -> None:
    (schedule,) = saved_schedules(
        client, organization, kind="monthly", ordinal="-1", month_weekday="FR"
    )

    starts = [start for start, _end in next_meetings([schedule], NOW, count=5)]

    assert schedule.byday == "-1FR"
    for start in starts:
        days_in_month = calendar.monthrange(start.year, start.month)[1]
        assert start.weekday() == 4 and start.day + 7 > days_in_month


def test_a_single_date_is_one_meeting(client, organization, member) -> None:
    (schedule,) = saved_schedules(
        client, organization, kind="once", date="2030-05-17", opens_at="10.00", closes_at="12"
    )

    meetings = next_meetings([schedule], NOW, count=5)

    assert is_one_off(schedule)
    assert meetings == [
        (
            dt.datetime(2030, 5, 17, 10, tzinfo=COPENHAGEN),
            dt.datetime(2030, 5, 17, 12, tzinfo=COPENHAGEN),
        )
    ]
    with client.application.test_request_context():
        assert describe(schedule) == "Fredag 17. maj 2030 kl. 10.00–12.00"


def test_a_single_date_in_the_past_has_no_next_meeting(app) -> None:
    schedule = Schedule(
        freq=Frequency.WEEKLY,
        interval=1,
        byday="MO",
        dtstart=dt.date(2026, 2, 23),
        until=dt.date(2026, 2, 23),
        opens_at=dt.time(10),
    )

    assert next_meetings([schedule], NOW, count=5) == []


def test_start_and_end_dates_bound_the_meetings(client, organization, member) -> None:
    (schedule,) = saved_schedules(
        client, organization, weekdays=["MO"], starts_on="2030-01-07", ends_on="2030-01-28"
    )

    starts = [s.date() for s, _e in next_meetings([schedule], NOW, count=5)]

    assert starts == [
        dt.date(2030, 1, 7),
        dt.date(2030, 1, 14),
        dt.date(2030, 1, 21),
        dt.date(2030, 1, 28),
    ]


def test_by_arrangement_has_no_meetings_but_says_how(client, organization, member) -> None:
    (schedule,) = saved_schedules(client, organization, kind="appointment", note="Ring til Karen")

    assert schedule.freq is None and schedule.description == "Ring til Karen"
    assert next_meetings([schedule], NOW) == []
    body = client.get(preview_url(schedule.service_id)).get_data(as_text=True)
    assert "Ring til Karen" in visible_text(body)


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "weekly", "weekdays": ["MO", "FR"], "interval": "3"},
        {"kind": "monthly", "ordinal": "4", "month_weekday": "SA"},
        {"kind": "once", "date": "2031-01-02"},
        {"kind": "appointment", "note": "Efter aftale"},
    ],
)
def test_each_kind_comes_back_in_the_form(client, organization, member, fields) -> None:
    (schedule,) = saved_schedules(client, organization, **fields)

    values = form_values(client.get(edit_url(schedule.service_id)).get_data(as_text=True))

    for name, value in fields.items():
        assert values[f"schedules-0-{name}"] == value, name


def test_a_stored_fifth_weekday_shows_as_such(app) -> None:
    schedule = Schedule(freq=Frequency.MONTHLY, byday="5TU", opens_at=dt.time(10))

    assert schedule_initial(schedule)["ordinal"] == "5"
