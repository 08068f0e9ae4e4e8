"""The import-postcodes command: the official postcode list in its common shapes."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.geo.geocoding import geocode
from portal.geo.models import Postcode

REAL_LIST = Path(__file__).resolve().parents[3] / "shared/data/dk/postnumre.csv"
OFFLINE = {"GEOCODER": "offline"}


def _write(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "p.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _import(runner, path: Path):
    return runner.invoke(args=["import-postcodes", str(path)])


def _postcodes() -> dict[str, Postcode]:
    db.session.expire_all()
    return {p.code: p for p in db.session.scalars(sa.select(Postcode))}


def test_the_derived_list_shape_is_imported(runner, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "\ufeffpostnr,nr_from,nr_to,name,lat,lon,kommune_code,kommune_codes\r\n"
        "1000-1004,1000,1004,København K,55.68276,12.57972,101,101\r\n"
        "7100,7100,7100,Vejle,55.70927,9.53570,0630,630\r\n"
        "3700,3700,3700,Rønne,55.10091,14.70664,400,400\r\n",
    )

    result = _import(runner, path)

    assert result.exit_code == 0, result.output
    assert "Imported 7 postcodes (7 with coordinates)." in result.output
    postcodes = _postcodes()
    assert sorted(postcodes) == ["1000", "1001", "1002", "1003", "1004", "3700", "7100"]
    assert postcodes["1003"].name == "København K"
    assert postcodes["1003"].municipality_code == "101"
    assert postcodes["7100"].municipality_code == "630"
    assert (postcodes["3700"].name, postcodes["3700"].latitude) == ("Rønne", 55.10091)


def test_a_semicolon_list_without_coordinates_is_imported(runner, tmp_path: Path) -> None:
    path = _write(tmp_path, "nr;navn;stormodtager\n7100;Vejle;false\n8000;Aarhus C;false\n")

    result = _import(runner, path)

    assert result.exit_code == 0, result.output
    assert "Imported 2 postcodes (0 with coordinates)." in result.output
    assert _postcodes()["8000"].latitude is None


def test_dawa_column_names_are_understood(runner, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '"Nr","Navn","Kommunekode","Visueltcenter_x","Visueltcenter_y"\n'
        '"7700","Thisted","787","8,6945","56,9552"\n',
    )

    result = _import(runner, path)

    assert result.exit_code == 0, result.output
    thisted = _postcodes()["7700"]
    assert (thisted.latitude, thisted.longitude) == (56.9552, 8.6945)
    assert thisted.municipality_code == "787"


def test_bad_rows_are_skipped_and_reported(runner, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "code,name,latitude,longitude,kommunekode\n"
        "800,Høje Taastrup,55.65,12.27,169\n"
        "12a,Nowhere,55.0,10.0,101\n"
        "7100,Vejle,53.55,9.99,999\n"
        "7700,,56.95,8.69,787\n"
        "\n"
        "9000,Aalborg,57.05,9.92,851\n",
    )

    result = _import(runner, path)

    assert result.exit_code == 0, result.output
    assert "Imported 2 postcodes (1 with coordinates)." in result.output
    assert "Skipped 3 rows" in result.output
    assert "not 4 digits (e.g. '800', '12a')" in result.output
    assert "Ignored the coordinates of 1 row: not numbers or outside Denmark." in result.output
    assert "Ignored the unknown municipality code of 1 row." in result.output
    vejle = _postcodes()["7100"]
    assert (vejle.latitude, vejle.municipality_code) == (None, None)


def test_importing_again_updates_by_code(runner, tmp_path: Path) -> None:
    _import(runner, _write(tmp_path, "postnr,navn\n7100,Vejle\n7700,Thisted\n"))

    result = _import(
        runner, _write(tmp_path, "postnr,navn,lat,lon\n7100,Vejle C,55.71,9.53\n", name="b.csv")
    )

    assert result.exit_code == 0, result.output
    postcodes = _postcodes()
    assert sorted(postcodes) == ["7100", "7700"]
    assert (postcodes["7100"].name, postcodes["7100"].latitude) == ("Vejle C", 55.71)


def test_a_list_without_coordinates_keeps_those_imported_before(runner, tmp_path: Path) -> None:
    _import(runner, _write(tmp_path, "postnr,navn,lat,lon,kommune_code\n7100,Vejle,55.7,9.5,630\n"))

    result = _import(runner, _write(tmp_path, "nr;navn\n7100;Vejle\n7120;Vejle Øst\n", name="b"))

    assert "Imported 2 postcodes (1 with coordinates)." in result.output
    vejle = _postcodes()["7100"]
    assert (vejle.latitude, vejle.longitude, vejle.municipality_code) == (55.7, 9.5, "630")


def test_an_import_replaces_cached_offline_answers(runner, tmp_path: Path) -> None:
    before = geocode(db.session, "7100", config=OFFLINE)
    db.session.commit()

    _import(runner, _write(tmp_path, "postnr,navn,lat,lon,kommune_code\n7100,Vejle,55.6,9.4,630\n"))
    after = geocode(db.session, "7100", config=OFFLINE)

    assert before is not None and after is not None
    assert (after.lat, after.lon) == (55.6, 9.4) != (before.lat, before.lon)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("postnr,by_i_danmark\n7100,Vejle\n", "no name column: expected one of navn, name"),
        ("kode,navn\n7100,Vejle\n", "no code column: expected one of postnr"),
        ("postnr,navn,lat\n7100,Vejle,55.7\n", "a longitude column is missing"),
        ("", "is empty"),
        ("   \n\n", "is empty"),
        ("postnr,navn\nabc,Vejle\n", "no postcodes found"),
    ],
)
def test_a_bad_file_gives_a_clear_error(runner, tmp_path: Path, content: str, message: str) -> None:
    result = _import(runner, _write(tmp_path, content))

    assert result.exit_code == 1
    assert message in result.output
    assert _postcodes() == {}


def test_a_file_that_is_not_text_is_refused(runner, tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    path.write_bytes(b"PK\x03\x04\x00\x00\x08\x00binary")

    result = _import(runner, path)

    assert result.exit_code == 1
    assert "p.xlsx is not a CSV file" in result.output


def test_a_file_that_is_not_utf8_is_refused(runner, tmp_path: Path) -> None:
    result = _import(runner, _write(tmp_path, "postnr;navn\n2100;København Ø\n", encoding="cp1252"))

    assert result.exit_code == 1
    assert "is not UTF-8 text" in result.output


def test_a_missing_file_is_refused(runner, tmp_path: Path) -> None:
    result = _import(runner, tmp_path / "missing.csv")

    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.skipif(not REAL_LIST.exists(), reason=f"reference list not found at {REAL_LIST}")
def test_the_real_postcode_list_is_imported(runner) -> None:
    result = _import(runner, REAL_LIST)

    assert result.exit_code == 0, result.output
    postcodes = _postcodes()
    assert len(postcodes) >= 590
    assert f"Imported {len(postcodes)} postcodes ({len(postcodes)} with coordinates)." in (
        result.output
    )
    assert postcodes["1050"].name == "København K"
    assert postcodes["1850"].name == "Frederiksberg C"
    assert postcodes["3700"].municipality_code == "400"
    assert all(p.municipality_code for p in postcodes.values())
    place = geocode(db.session, "2400 København NV", config=OFFLINE)
    assert place is not None and place.label == "2400 København NV"
    by_name = geocode(db.session, "København NV", config=OFFLINE)
    assert by_name is not None and by_name.municipality_code == "101"
