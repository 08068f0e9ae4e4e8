"""Schedules are read and described in plain words."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.models import Schedule
from portal.offers.models import Frequency
from portal.offers.schedules import ByDay, ScheduleError, describe, parse_byday


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("TU", [ByDay(1, None)]),
        ("MO,WE", [ByDay(0, None), ByDay(2, None)]),
        ("2TU", [ByDay(1, 2)]),
        ("-1FR", [ByDay(4, -1)]),
        ("", []),
        (None, []),
    ],
)
def test_byday_is_parsed(value, expected) -> None:
    assert parse_byday(value) == expected


@pytest.mark.parametrize("value", ["XX", "6TU", "TU;DROP TABLE", "1", "TUE", "0MO"])
def test_malformed_byday_is_refused(value) -> None:
    with pytest.raises(ScheduleError):
        parse_byday(value)


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"freq": Frequency.WEEKLY, "byday": "TU"}, "Hver tirsdag kl. 14.00–16.00"),
        (
            {"freq": Frequency.WEEKLY, "byday": "MO,TH", "interval": 2},
            "Hver 2. uge mandag og torsdag kl. 14.00–16.00",
        ),
        (
            {"freq": Frequency.MONTHLY, "byday": "2TU"},
            "Den anden tirsdag i måneden kl. 14.00–16.00",
        ),
        (
            {"freq": Frequency.MONTHLY, "byday": "-1FR"},
            "Den sidste fredag i måneden kl. 14.00–16.00",
        ),
    ],
)
def test_schedules_are_described_in_danish(app, fields, text) -> None:
    schedule = Schedule(opens_at=dt.time(14), closes_at=dt.time(16), **fields)
    with app.test_request_context():
        assert describe(schedule) == text


def test_schedule_without_rule_shows_its_description(app) -> None:
    with app.test_request_context():
        assert describe(Schedule(description="Efter aftale")) == "Efter aftale"
