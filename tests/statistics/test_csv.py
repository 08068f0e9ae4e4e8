"""CSV downloads: UTF-8 with BOM, Danish headings, the page's numbers, cells that cannot run."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from geopy.distance import geodesic

from portal.extensions import db
from portal.models import Municipality
from portal.statistics.formatting import safe_cell
from portal.statistics.population import import_population
from tests.statistics.conftest import MORSOE_SEAT, YOUTH_OFFER


def read_csv(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_coverage_csv_has_danish_headings_and_the_tables_numbers(client, known_directory) -> None:
    import_population(db.session, b"787;40.000;2025\n")
    db.session.commit()

    response = client.get("/statistik/daekning.csv?target_group=unge")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="daekning.csv"' in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "Kommunekode",
        "Kommune",
        "Region",
        "Tilbud",
        "Tilbud pr. 10.000 indbyggere",
        "Indbyggere",
        "Indbyggertal fra år",
        "Indbyggertal importeret",
        "Hvid plet",
        "Km fra hovedby til nærmeste tilbud",
    ]
    by_code = {row[0]: row for row in rows[1:]}
    assert len(by_code) == 98
    assert by_code["787"][1:10] == [
        "Thisted Kommune",
        "Region Nordjylland",
        "1",
        "0,25",
        "40000",
        "2025",
        "ja",
        "nej",
        "",
    ]
    morsoe = by_code["773"]
    assert morsoe[3] == "0" and morsoe[8] == "ja"
    expected = geodesic(MORSOE_SEAT, YOUTH_OFFER).km
    assert abs(float(morsoe[9].replace(",", ".")) - expected) < 1.0
    assert morsoe[6] == "2024" and morsoe[7] == "nej"


def test_coverage_csv_follows_the_tables_order(client, known_directory) -> None:
    rows = read_csv(client.get("/statistik/daekning.csv?sort=offers&order=desc"))

    assert [row[0] for row in rows[1:4]] == ["787", "101", "751"]


def test_cells_that_would_run_as_formulas_are_quoted(client, known_directory) -> None:
    db.session.execute(
        sa.update(Municipality)
        .where(Municipality.code == "787")
        .values(name='=HYPERLINK("http://evil.example","Thisted")')
    )
    db.session.commit()

    rows = read_csv(client.get("/statistik/daekning.csv"))

    thisted = next(row for row in rows if row[0] == "787")
    assert thisted[1].startswith("'=HYPERLINK(")


def test_safe_cell_quotes_every_formula_start() -> None:
    for dangerous in ("=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(dangerous) == "'" + dangerous
    assert safe_cell("Thisted") == "Thisted"
    assert safe_cell(-3) == "-3", "numbers are numbers"
    assert safe_cell("a\x00b") == "ab"
    assert safe_cell(None) == ""
