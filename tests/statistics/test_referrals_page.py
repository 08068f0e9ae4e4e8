"""The public referral numbers: exact counts, "<5", the year filter, the CSV and hostile input."""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets

import pytest
import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import db
from portal.models import Municipality
from portal.referrals.models import ConsentMethod, NotStartedReason, Referral, ReferralKind
from portal.referrals.models import ReferralStatus as Status
from portal.referrals.services import Citizen, Consent, change_status, create_referral
from portal.statistics.demand import danish_today
from tests.statistics.conftest import KnownDirectory, body
from tests.statistics.tables import Table, tables

PAGE = "/statistik/henvisninger"
CSV = "/statistik/henvisninger.csv"
THIS_YEAR = danish_today().year
LAST_YEAR = THIS_YEAR - 1
WAITING = (Status.NOT_STARTED, NotStartedReason.WAITING_LIST)
DECLINED = (Status.DECLINED, None)
STARTED = ((Status.CONTACTED, None), (Status.STARTED, None))
OUTCOMES = [
    "Sendt",
    "Åbnet",
    "Kontaktet",
    "Startet",
    "Ikke startet – Vi kunne ikke få fat i borgeren",
    "Ikke startet – Borgeren er ikke længere interesseret",
    "Ikke startet – Borgeren står på venteliste",
    "Ikke startet – Tilbuddet passer ikke til borgeren",
    "Ikke startet – Andet",
    "Afvist",
]


def refer(offer, actor=None, steps=(), kind=ReferralKind.REFERRAL) -> Referral:
    """Send a referral with the citizen's consent and walk it through the association's steps."""
    referral = create_referral(
        service=offer,
        referrer=None,
        form_token=secrets.token_hex(16),
        citizen=Citizen(name="Anne Hansen", phone="+45 12 34 56 78"),
        consent=Consent(
            given_by="borgeren", method=ConsentMethod.VERBAL, at=utcnow(), text_version="v1"
        ),
        kind=kind,
    )
    db.session.commit()
    for status, reason in steps:
        message = "Holdet er fuldt." if status is Status.DECLINED else None
        change_status(
            referral,
            actor,
            status,
            expected_version=referral.version,
            reason=reason,
            message=message,
        )
        db.session.commit()
    return referral


@pytest.fixture
def referrals(known_directory: KnownDirectory, make_user) -> KnownDirectory:
    """Referrals with known outcomes, all this year but one.

    This year: the Thisted dinner (elderly, shared meals) 8 — 5 started, 1 waiting
    list, 1 declined, 1 sent; the Thisted youth club (young, creative) 1 declined;
    the Copenhagen walk (elderly, exercise) 2 sent; the online chat (elderly,
    shared meals, no municipality) 1 contacted; and a citizen's own contact
    request to the dinner, which is not a referral. Last year: Aarhus 1 started.
    """
    directory = known_directory
    thisted = make_user(organization=directory.dinner.organization)
    for _ in range(5):
        refer(directory.dinner, thisted, STARTED)
    refer(directory.dinner, thisted, [WAITING])
    refer(directory.dinner, thisted, [DECLINED])
    refer(directory.dinner)
    refer(directory.dinner, kind=ReferralKind.CONTACT_REQUEST)
    refer(directory.youth, thisted, [DECLINED])
    refer(directory.copenhagen)
    refer(directory.copenhagen)
    online = make_user(organization=directory.online.organization)
    refer(directory.online, online, [(Status.CONTACTED, None)])
    aarhus = make_user(organization=directory.aarhus.organization)
    last_year = refer(directory.aarhus, aarhus, STARTED)
    db.session.execute(
        sa.update(Referral)
        .where(Referral.id == last_year.id)
        .values(created_at=dt.datetime(LAST_YEAR, 6, 15, 12, tzinfo=dt.UTC))
    )
    db.session.commit()
    return directory


def page_tables(response) -> dict[str, Table]:
    """Return the page's tables by the first column's heading."""
    assert response.status_code == 200
    return {table.rows[0][0].text: table for table in tables(response.get_data(as_text=True))}


def rows(table: Table) -> list[list[str]]:
    """Return the body rows' texts."""
    return table.texts()[1:]


def read_csv(response) -> list[list[str]]:
    """Return a CSV download's rows, checking the BOM Excel needs."""
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_this_years_referrals_in_four_tables(client, referrals) -> None:
    by = page_tables(client.get(PAGE))

    assert list(by) == ["Kommune", "Målgruppe", "Aktivitet", "Udfald"]
    assert by["Kommune"].caption == (
        f"Henvisninger sendt i {THIS_YEAR}, efter kommunen hvor fællesskabet mødes"
    )
    # The contact request would make Thisted 10; last year's Aarhus referral is left out.
    assert rows(by["Kommune"]) == [["Thisted", "9"], ["København", "<5"], ["Ikke angivet", "<5"]]
    groups = rows(by["Målgruppe"])
    assert groups[:2] == [["Ældre", "11"], ["Unge 16–29 år", "<5"]]
    assert ["Over 85 år", "0"] in groups[2:]
    assert {count for _label, count in groups[2:]} == {"0"}, "groups without referrals show 0"
    activities = rows(by["Aktivitet"])
    assert activities[:3] == [
        ["Fællesspisning", "9"],
        ["Motion og gåture", "<5"],
        ["Kreative aktiviteter", "<5"],
    ]
    assert {count for _label, count in activities[3:]} == {"0"}
    assert rows(by["Udfald"]) == [
        [label, count]
        for label, count in zip(
            OUTCOMES, ["<5", "0", "<5", "5", "0", "0", "<5", "0", "0", "<5"], strict=True
        )
    ]


def test_the_tables_are_read_by_headers(client, referrals) -> None:
    for table in page_tables(client.get(PAGE)).values():
        assert table.caption
        assert [(cell.tag, cell.scope) for cell in table.rows[0]] == [("th", "col")] * 2
        assert all(row[0].tag == "th" and row[0].scope == "row" for row in table.rows[1:])


def test_the_page_explains_what_is_counted(client, referrals) -> None:
    text = body(client.get(PAGE))

    assert "Når en borger selv beder om at blive kontaktet af en forening, tæller det ikke med" in (
        text
    )
    assert "Tallene bruger ingen personoplysninger" in text
    assert "Anne Hansen" not in text


def test_the_statistics_pages_link_to_it(client, referrals) -> None:
    html = client.get("/statistik").get_data(as_text=True)
    assert f'<a href="{PAGE}">Henvisninger</a>' in html

    html = client.get(PAGE).get_data(as_text=True)
    assert f'<a href="{PAGE}" aria-current="page">Henvisninger</a>' in html


def test_the_year_selector(client, referrals) -> None:
    html = client.get(PAGE).get_data(as_text=True)

    assert '<form class="stats-filters" action="/statistik/henvisninger" method="get"' in html
    assert '<option value="alle">Alle år</option>' in html
    assert f'<option value="{THIS_YEAR}" selected>{THIS_YEAR}</option>' in html
    assert f'<option value="{LAST_YEAR}">{LAST_YEAR}</option>' in html
    assert f'href="{CSV}?year={THIS_YEAR}"' in html


def test_last_year_alone(client, referrals) -> None:
    response = client.get(f"{PAGE}?year={LAST_YEAR}")

    by = page_tables(response)
    assert rows(by["Kommune"]) == [["Aarhus", "<5"]]
    assert rows(by["Udfald"])[3] == ["Startet", "<5"]
    assert sum(count != "0" for _label, count in rows(by["Udfald"])) == 1
    assert f'<option value="{LAST_YEAR}" selected>' in response.get_data(as_text=True)


def test_every_year(client, referrals) -> None:
    response = client.get(f"{PAGE}?year=alle")

    by = page_tables(response)
    assert by["Kommune"].caption.startswith("Henvisninger sendt i alle år")
    assert rows(by["Kommune"]) == [
        ["Thisted", "9"],
        ["København", "<5"],
        ["Aarhus", "<5"],
        ["Ikke angivet", "<5"],
    ]
    assert rows(by["Udfald"])[3] == ["Startet", "6"]
    html = response.get_data(as_text=True)
    assert '<option value="alle" selected>Alle år</option>' in html
    assert f'href="{CSV}?year=alle"' in html


def test_a_year_without_referrals_says_so(client, known_directory) -> None:
    response = client.get(PAGE)

    assert tables(response.get_data(as_text=True)) == []
    assert f"Der blev ikke sendt nogen henvisninger gennem portalen i {THIS_YEAR}." in body(
        response
    )
    assert "Der er endnu ikke sendt nogen henvisninger gennem portalen." in body(
        client.get(f"{PAGE}?year=alle")
    )


def test_csv_has_the_pages_numbers(client, referrals) -> None:
    response = client.get(f"{CSV}?year={THIS_YEAR}")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f'filename="henvisninger-{THIS_YEAR}.csv"' in response.headers["Content-Disposition"]
    lines = read_csv(response)
    assert lines[0] == ["År", "Opdelt efter", "Kode", "Betegnelse", "Henvisninger"]
    year = str(THIS_YEAR)
    assert lines[1:4] == [
        [year, "Kommune", "787", "Thisted", "9"],
        [year, "Kommune", "101", "København", "<5"],
        [year, "Kommune", "", "Ikke angivet", "<5"],
    ]
    assert [year, "Målgruppe", "aeldre", "Ældre", "11"] in lines
    assert [year, "Målgruppe", "over-85", "Over 85 år", "0"] in lines
    assert [year, "Aktivitet", "kreative", "Kreative aktiviteter", "<5"] in lines
    outcomes = [line[3:] for line in lines if line[1] == "Udfald"]
    assert outcomes == rows(page_tables(client.get(PAGE))["Udfald"])
    assert lines[-1] == [year, "Udfald", "declined", "Afvist", "<5"]


def test_csv_of_every_year(client, referrals) -> None:
    response = client.get(f"{CSV}?year=alle")

    assert 'filename="henvisninger-alle.csv"' in response.headers["Content-Disposition"]
    assert ["Alle år", "Kommune", "751", "Aarhus", "<5"] in read_csv(response)


def test_csv_cells_cannot_run_as_formulas(client, referrals) -> None:
    db.session.execute(
        sa.update(Municipality)
        .where(Municipality.code == "787")
        .values(name='=HYPERLINK("http://evil.example","Thisted")')
    )
    db.session.commit()

    lines = read_csv(client.get(CSV))

    assert lines[1][3] == '\'=HYPERLINK("http://evil.example","Thisted")'


LONG = "9" * 10_000
HOSTILE = (
    "year=abc",
    "year=99999",
    "year=-1",
    "year=0",
    "year=1e3",
    f"year={LONG}",
    f"year=alle{LONG}",
    "year=%00",
    "year=%ff%fe",
    "year=%27%3B%20DROP%20TABLE%20referral%3B--",
)


@pytest.mark.parametrize("query", HOSTILE)
@pytest.mark.parametrize("path", [PAGE, CSV])
def test_hostile_years_fall_back_to_this_year(client, referrals, path: str, query: str) -> None:
    response = client.get(f"{path}?{query}")

    assert response.status_code == 200
    text = response.get_data(as_text=True)
    # Only the header's language link repeats the address.
    assert LONG not in text[text.find("<main") :]
    if path == PAGE:
        assert f'<option value="{THIS_YEAR}" selected>' in text
    else:
        assert f"henvisninger-{THIS_YEAR}.csv" in response.headers["Content-Disposition"]


def test_numbers_are_kept_apart_by_language(app, client, referrals) -> None:
    app.config["STATISTICS_CACHE_SECONDS"] = 300

    danish = page_tables(client.get(PAGE))
    english = page_tables(client.get(PAGE, headers={"Accept-Language": "en"}))

    assert rows(danish["Målgruppe"])[0] == ["Ældre", "11"]
    assert rows(english["Target group"])[0] == ["Older people", "11"]


@pytest.mark.parametrize(
    ("query", "option"),
    [
        (f"year={LAST_YEAR}%00", f'<option value="{LAST_YEAR}" selected>'),
        (f"year=%20{LAST_YEAR}%0A", f'<option value="{LAST_YEAR}" selected>'),
        ("year=alle&year=abc", '<option value="alle" selected>'),
    ],
)
def test_control_characters_and_repeats_are_tolerated(client, referrals, query, option) -> None:
    response = client.get(f"{PAGE}?{query}")

    assert response.status_code == 200
    assert option in response.get_data(as_text=True)
