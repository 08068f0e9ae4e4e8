"""The coverage page: offers per municipality, per 10,000 inhabitants, white spots and distances."""

from __future__ import annotations

import json
import re

import pytest
from geopy.distance import geodesic

from portal.extensions import db
from portal.statistics.coverage import CoverageFilters, coverage
from portal.statistics.population import import_population
from tests.statistics.conftest import MORSOE_SEAT, THISTED_OFFER, YOUTH_OFFER, body
from tests.statistics.tables import tables


def coverage_table(client, query: str = ""):
    response = client.get(f"/statistik{query}")
    assert response.status_code == 200
    table = tables(response.get_data(as_text=True))[0]
    return response, table


def test_counts_each_searchable_offer_once_per_municipality(client, known_directory) -> None:
    response, table = coverage_table(client)

    rows = table.body()
    assert len(rows) == 98
    assert rows["Thisted Kommune"][1] == "2", "two offers, one of them with two places there"
    assert rows["Københavns Kommune"][1] == "1"
    assert rows["Aarhus Kommune"][1] == "1"
    assert rows["Odense Kommune hvid plet"][1] == "0", (
        "drafts and unconfirmed offers are not counted"
    )
    text = body(response)
    assert "<strong>4</strong> fællesskaber med et mødested i en kommune" in text
    assert "<strong>3</strong> af 98 kommuner har mindst ét" in text
    assert "<strong>95</strong> hvide pletter" in text
    assert "<strong>1</strong> kan bruges fra hele landet" in text


def test_the_table_is_accessible_and_has_the_maps_information(client, known_directory) -> None:
    response, table = coverage_table(client)
    html = response.get_data(as_text=True)

    assert table.caption.startswith("Fællesskaber i hver kommune for alle målgrupper")
    header = table.rows[0]
    assert all(cell.tag == "th" and cell.scope == "col" for cell in header)
    assert [cell.text.split(" (")[0] for cell in header] == [
        "Kommune",
        "Region",
        "Fællesskaber",
        "Pr. 10.000 indbyggere",
        "Indbyggere",
        "Afstand til nærmeste, km",
    ]
    assert all(row[0].tag == "th" and row[0].scope == "row" for row in table.rows[1:])
    markers = json.loads(
        re.search(r"data-municipalities='([^']*)'", html).group(1).replace("&#39;", "'")
    )
    by_code = {marker["code"]: marker for marker in markers}
    assert len(markers) == 98
    assert by_code["787"]["n"] == 2 and by_code["787"]["name"] == "Thisted Kommune"
    assert by_code["773"]["n"] == 0
    # The map is hidden until JavaScript draws it; the table is always there.
    assert re.search(r'<section[^>]*aria-labelledby="map-heading"[^>]*hidden', html)


def test_white_spots_show_the_distance_from_the_main_town_to_the_nearest_offer(
    client, known_directory
) -> None:
    response, table = coverage_table(client, "?target_group=unge")

    rows = table.body()
    assert rows["Thisted Kommune"][1] == "1"
    morsoe = rows["Morsø Kommune hvid plet"]
    expected = geodesic(MORSOE_SEAT, YOUTH_OFFER).km
    shown = float(morsoe[4].replace(",", "."))
    assert abs(shown - expected) < 1.0
    assert rows["Thisted Kommune"][4] == "–", "no distance where there is an offer"
    text = body(response)
    assert "<strong>97</strong> hvide pletter" in text
    assert "Fællesskaber for »Alle« tæller kun med" in text


def test_distances_are_correct_to_within_a_kilometre_across_the_country(
    app, known_directory
) -> None:
    result = coverage(db.session, CoverageFilters(target_group="aeldre"))

    offers = [THISTED_OFFER, (56.952, 8.690), (55.676, 12.568), (56.157, 10.211)]
    spots = {row.code: row for row in result.white_spots}
    assert set(spots) == {row.code for row in result.rows} - {"787", "101", "751"}
    for row in spots.values():
        expected = min(geodesic((row.latitude, row.longitude), offer).km for offer in offers)
        assert abs(row.nearest_km - expected) < 1.0, row.name
    farthest = max(spots.values(), key=lambda row: row.nearest_km)
    assert result.white_spots[0] is farthest, "the farthest white spot comes first"


def test_filters_by_target_group_and_activity(client, known_directory) -> None:
    _response, table = coverage_table(client, "?target_group=aeldre&activity=faellesspisning")

    rows = table.body()
    counted = {name: values[1] for name, values in rows.items() if values[1] != "0"}
    assert counted == {"Thisted Kommune": "1", "Aarhus Kommune": "1"}
    assert "for målgruppen »Ældre« og aktiviteten »Fællesspisning«" in table.caption


def test_the_filter_form_works_without_javascript_and_keeps_the_choice(
    client, known_directory
) -> None:
    response = client.get("/statistik?activity=kreative&sort=offers&order=desc")
    html = response.get_data(as_text=True)

    assert re.search(r'<form[^>]*action="/statistik"[^>]*method="get"', html)
    assert '<label for="target_group">Målgruppe</label>' in html
    assert '<option value="kreative" selected>' in html
    assert '<input type="hidden" name="sort" value="offers">' in html
    assert '<input type="hidden" name="order" value="desc">' in html


def test_the_table_sorts_by_a_get_parameter(client, known_directory) -> None:
    _response, table = coverage_table(client, "?sort=offers&order=desc")

    names = [row[0].text for row in table.rows[1:]]
    assert names[:4] == [
        "Thisted Kommune",
        "Københavns Kommune",
        "Aarhus Kommune",
        "Albertslund Kommune hvid plet",
    ]
    marked = [(cell.text, cell.sort) for cell in table.rows[0] if cell.sort]
    assert marked == [("Fællesskaber (sortér stigende)", "descending")]
    assert "sorteret efter antal fællesskaber (faldende)" in table.caption


def test_sort_by_name_follows_danish_alphabetical_order(client, known_directory) -> None:
    _response, table = coverage_table(client, "?sort=name&order=desc")

    names = [row[0].text.removesuffix(" hvid plet") for row in table.rows[1:]]
    assert names[:3] == ["Aarhus Kommune", "Aalborg Kommune", "Aabenraa Kommune"]
    assert names[3] == "Ærø Kommune", "Danish order: æ, ø, å after z, and aa is å"


def test_rates_use_the_latest_imported_population(client, known_directory) -> None:
    import_population(
        db.session,
        "kommunekode;folketal;år\n101;5.000;2023\n101;10.000;2025\n787;40.000;2025\n".encode(),
    )
    db.session.commit()

    response, table = coverage_table(client)

    rows = table.body()
    assert rows["Københavns Kommune"][2] == "1,0"
    assert rows["Københavns Kommune"][3] == "10.000 (2025)"
    assert rows["Thisted Kommune"][2] == "0,5"
    assert rows["Aarhus Kommune"][3] == "ca. 367.000 (2024)", "built-in figure, marked"
    assert rows["Aarhus Kommune"][2] == "0,0"
    text = body(response)
    assert "Danmarks Statistik, det seneste år for hver kommune (2025)" in text
    assert "omtrentlige indbyggertal for 2024" in text


def test_per_10000_is_exact(app, known_directory) -> None:
    import_population(db.session, b"101;8000;2025\n")

    result = coverage(db.session, CoverageFilters())

    copenhagen = next(row for row in result.rows if row.code == "101")
    assert copenhagen.per_10000 == pytest.approx(1.25)
    assert copenhagen.population.imported and copenhagen.population.year == 2025


def test_no_white_spot_message_when_every_municipality_is_covered(app, client, make_offer) -> None:
    from portal.geo.municipalities import MUNICIPALITIES

    for municipality in MUNICIPALITIES:
        make_offer(
            municipality_code=municipality.code,
            latitude=municipality.seat_lat,
            longitude=municipality.seat_lon,
        )

    response = client.get("/statistik")

    assert "Der er ingen hvide pletter" in body(response)


def test_the_page_uses_a_fixed_number_of_queries(client, make_offer, count_queries) -> None:
    def add_offers(count: int) -> None:
        for index in range(count):
            make_offer(name=f"Tilbud {index}", municipality_code=("787", "101", "751")[index % 3])
        client.get("/")  # lets the search index catch up, which is not the page's work

    add_offers(3)
    with count_queries() as few:
        client.get("/statistik")
    add_offers(30)
    with count_queries() as many:
        client.get("/statistik")

    assert len(many) == len(few)


def test_the_numbers_are_kept_for_a_few_minutes(app, client, make_offer, count_queries) -> None:
    app.config["STATISTICS_CACHE_SECONDS"] = 300
    make_offer(municipality_code="787")
    first = body(client.get("/statistik"))
    make_offer(municipality_code="101")
    with count_queries() as statements:
        cached = body(client.get("/statistik"))

    assert "<strong>1</strong> fællesskaber med et mødested" in first
    assert "<strong>1</strong> fællesskaber med et mødested" in cached, "at most 5 minutes old"
    assert "Tallene er højst 5 minutter gamle." in cached
    counting = [s for s in statements if "count(" in s and "service_at_location" in s]
    assert counting == [], "no new count of the offers"
    app.config["STATISTICS_CACHE_SECONDS"] = 0
    assert "<strong>2</strong> fællesskaber med et mødested" in body(client.get("/statistik"))
