"""Meeting times as volunteers write them in a spreadsheet cell."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.imports.schedule_text import parse_times
from portal.imports.values import ValueProblem
from portal.offers.models import Frequency, Schedule
from portal.offers.schedules import describe


@pytest.mark.parametrize(
    ("text", "freq", "byday", "opens", "closes"),
    [
        ("tirsdag 14:00-16:00", Frequency.WEEKLY, "TU", "14:00", "16:00"),
        ("Tirsdage 14.00–16.00", Frequency.WEEKLY, "TU", "14:00", "16:00"),
        ("mandag og onsdag kl. 9.30-11", Frequency.WEEKLY, "MO,WE", "09:30", "11:00"),
        ("hver torsdag fra 10 til 12", Frequency.WEEKLY, "TH", "10:00", "12:00"),
        ("2. tirsdag 19-21", Frequency.MONTHLY, "2TU", "19:00", "21:00"),
        ("anden tirsdag i måneden kl 19:00-21:00", Frequency.MONTHLY, "2TU", "19:00", "21:00"),
        ("1. og 3. onsdag kl. 10", Frequency.MONTHLY, "1WE,3WE", "10:00", None),
        ("sidste fredag 17:30-20", Frequency.MONTHLY, "-1FR", "17:30", "20:00"),
        ("lør 10:00", Frequency.WEEKLY, "SA", "10:00", None),
    ],
)
def test_weekly_and_monthly_times(text, freq, byday, opens, closes) -> None:  # type: ignore[no-untyped-def]
    [fields] = parse_times(text)

    assert (fields["freq"], fields["byday"]) == (freq, byday)
    assert fields["opens_at"] == dt.time.fromisoformat(opens)
    assert fields["closes_at"] == (dt.time.fromisoformat(closes) if closes else None)


def test_every_other_week_needs_its_first_day(app) -> None:
    [fields] = parse_times("hver anden onsdag 14-16 fra 7.1.2026")

    assert (fields["interval"], fields["byday"]) == (2, "WE")
    assert fields["dtstart"] == fields["valid_from"] == dt.date(2026, 1, 7)
    with pytest.raises(ValueProblem, match="første gang"):
        parse_times("hver anden onsdag 14-16")


def test_periods_single_days_and_by_agreement(app) -> None:
    period, single, agreed = parse_times(
        "tirsdag 14-16 fra 1.9.2026 til 2027-05-31; 12.9.2026 10-14; efter aftale"
    )

    assert (period["valid_from"], period["valid_to"]) == (dt.date(2026, 9, 1), dt.date(2027, 5, 31))
    assert (single["byday"], single["dtstart"], single["until"]) == (
        "SA",
        dt.date(2026, 9, 12),
        dt.date(2026, 9, 12),
    )
    assert agreed["freq"] is None and agreed["description"] == "Efter aftale"
    with app.test_request_context():
        assert describe(Schedule(**agreed)) == "Efter aftale"
        assert describe(Schedule(**period)) == "Hver tirsdag kl. 14.00–16.00"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tirsdag 16-14", "Sluttidspunktet skal være efter starttidspunktet"),
        ("søndag 25:00-26:00", "25:00 er ikke et klokkeslæt"),
        ("tirsdag i lige uger", "Vi forstår ikke »i«"),
        ("kl. 14-16", "Skriv en ugedag"),
        ("2. tirsdag og onsdag", "ikke begge dele"),
        ("torsdag 12.9.2026 10-14", "passer ikke med ugedagen"),
        ("tirsdag 14-16 fra 1.9.2027 til 1.9.2026", "Slutdatoen kommer før startdatoen"),
        ("tirsdag 14-16 fra 31.2.2026", "er ikke en dato"),
        ("; ".join(["mandag"] * 6), "højst 5 tidspunkter"),
    ],
)
def test_unclear_times_are_errors_that_say_what_to_write(app, text, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueProblem, match=message):
        parse_times(text)
