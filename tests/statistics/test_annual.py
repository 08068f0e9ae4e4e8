"""The annual overview: offers first published per year, associations, municipalities, "<5"."""

from __future__ import annotations

import csv
import datetime as dt
import io

from portal.statistics.formatting import small_count
from tests.statistics.referral_rows import add_referral
from tests.statistics.tables import tables


def moment(year: int, month: int = 6) -> dt.datetime:
    return dt.datetime(year, month, 1, 12, tzinfo=dt.UTC)


def build_years(make_offer, make_organization) -> None:
    """2024: 6 offers from 2 associations in 2 municipalities. 2025: 1 offer. A draft never."""
    first, second = make_organization(name="Forening A"), make_organization(name="Forening B")
    for index in range(4):
        make_offer(name=f"A{index}", organization=first, published_at=moment(2024))
    for index in range(2):
        make_offer(
            name=f"B{index}",
            organization=second,
            municipality_code="101",
            published_at=moment(2024, 12),
            # Closed since: it still counts in the year it was published.
            status="archived" if index else "published",
        )
    make_offer(name="Nyt", organization=second, published_at=moment(2025, 1))
    make_offer(name="Kladde", status="draft", published_at=None)


def test_counts_per_year_with_small_counts_hidden(client, make_offer, make_organization) -> None:
    build_years(make_offer, make_organization)

    response = client.get("/statistik/aarsoversigt")

    assert response.status_code == 200
    table = tables(response.get_data(as_text=True))[0]
    assert table.caption == "Fællesskaber offentliggjort for første gang, pr. år, nyeste først"
    assert table.texts() == [
        ["År", "Fællesskaber", "Foreninger", "Kommuner"],
        ["2025", "<5", "<5", "<5"],
        ["2024", "6", "<5", "<5"],
        ["I alt", "7", "<5", "<5"],
    ]
    assert all(row[0].scope == "row" for row in table.rows[1:])


def test_the_csv_has_the_same_numbers_and_hides_small_counts(
    client, make_offer, make_organization
) -> None:
    build_years(make_offer, make_organization)

    response = client.get("/statistik/aarsoversigt.csv")

    assert response.get_data().startswith(b"\xef\xbb\xbf")
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    assert rows[0][:4] == ["År", "Tilbud offentliggjort første gang", "Foreninger", "Kommuner"]
    assert [row[:4] for row in rows[1:]] == [
        ["2025", "<5", "<5", "<5"],
        ["2024", "6", "<5", "<5"],
        ["I alt", "7", "<5", "<5"],
    ]


def test_municipalities_and_associations_reach_five(client, make_offer, make_organization) -> None:
    for code in ("101", "147", "151", "153", "155"):
        make_offer(
            organization=make_organization(name=f"Forening {code}"),
            municipality_code=code,
            published_at=moment(2025),
        )

    table = tables(client.get("/statistik/aarsoversigt").get_data(as_text=True))[0]

    assert table.texts()[1] == ["2025", "5", "5", "5"]


def test_an_empty_directory_says_so(client) -> None:
    response = client.get("/statistik/aarsoversigt")

    assert "Der er endnu ikke offentliggjort nogen fællesskaber." in response.get_data(as_text=True)


def test_referral_outcomes_per_year(client, known_directory) -> None:
    for _ in range(6):
        add_referral(known_directory.dinner, "started", moment(2025))
    add_referral(known_directory.dinner, "declined", moment(2025))
    add_referral(known_directory.dinner, "sent", moment(2026))
    add_referral(known_directory.dinner, "started", moment(2026), kind="contact_request")

    html = client.get("/statistik/aarsoversigt").get_data(as_text=True)

    table = next(t for t in tables(html) if t.caption.startswith("Henvisninger pr. år"))
    assert table.texts() == [
        ["År", "Sendt", "Startet", "Afvist"],
        ["2026", "<5", "<5", "<5"],
        ["2025", "<5", "6", "<5"],
    ]
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/statistik/aarsoversigt.csv").get_data(as_text=True).lstrip("\ufeff")
            ),
            delimiter=";",
        )
    )
    assert rows[0][4:] == ["Henvisninger: Sendt", "Henvisninger: Startet", "Henvisninger: Afvist"]
    assert rows[-1][0] == "I alt" and rows[-1][4:] == ["<5", "6", "<5"]


def test_small_count_hides_every_count_under_five() -> None:
    assert [small_count(n) for n in (0, 1, 4, 5, 1234)] == ["<5", "<5", "<5", 5, 1234]
