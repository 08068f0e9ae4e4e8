"""Importing population figures: Danmarks Statistik's CSV, its number format, and clear errors."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.statistics.models import MunicipalityPopulation
from portal.statistics.population import (
    PopulationImportError,
    import_population,
    latest_population,
)


def stored() -> dict[tuple[str, int], int]:
    rows = db.session.execute(
        sa.select(
            MunicipalityPopulation.municipality_code,
            MunicipalityPopulation.year,
            MunicipalityPopulation.population,
        )
    )
    return {(code, year): population for code, year, population in rows}


def test_imports_a_semicolon_file_with_danish_numbers_and_labels(app) -> None:
    data = (
        '"OMRÅDE";"TID";"INDHOLD"\n'
        '"000 Hele landet";"2025";"5.992.734"\n'
        '"Region Nordjylland";"2025";"594.000"\n'
        '"101 København";"2025";"667.099"\n'
        '"787 Thisted";"2025";"43.051"\n'
        '"0825 Læsø";"2025K1";"1.737"\n'
    ).encode()

    result = import_population(db.session, data)

    assert stored() == {("101", 2025): 667_099, ("787", 2025): 43_051, ("825", 2025): 1_737}
    assert result.skipped_totals == 2
    assert (result.added, result.updated) == (3, 0)


def test_imports_a_comma_file_in_the_order_code_population_year(app) -> None:
    import_population(db.session, b'kode,folketal,aar\n101,667099,2024\n787,"43.051",2024\n')

    assert stored() == {("101", 2024): 667_099, ("787", 2024): 43_051}


def test_reads_windows_1252_files(app) -> None:
    data = "kommune;indbyggere;år\n101 København;667.099;2025\n".encode("cp1252")

    import_population(db.session, data)

    assert stored() == {("101", 2025): 667_099}


def test_keeps_one_row_per_municipality_and_year_and_uses_the_latest_year(app) -> None:
    import_population(db.session, b"101;600.000;2023\n101;650.000;2024\n")
    result = import_population(db.session, b"101;667.099;2024\n787;43.000;2024\n")

    assert stored() == {("101", 2023): 600_000, ("101", 2024): 667_099, ("787", 2024): 43_000}
    assert (result.added, result.updated) == (1, 1)
    figures = latest_population(db.session)
    assert (figures["101"].population, figures["101"].year, figures["101"].imported) == (
        667_099,
        2024,
        True,
    )
    assert figures["751"].imported is False and figures["751"].year == 2024


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"kode;folketal;aar\n101;667.099;2025\n787;mange;2025\n", "line 3: population 'mange'"),
        (b"kode;folketal;aar\n101;1,5;2025\n", "line 2: population '1,5' is not a whole number"),
        (b"kode;folketal;aar\n101;667.099;sidste\n", "line 2: year 'sidste' is not a year"),
        (b"kode;folketal;aar\n101;667.099;1066\n", "line 2: year '1066'"),
        (b"kode;folketal;aar\n999;1.000;2025\n", "line 2: unknown municipality code 999"),
        (b"kode;folketal;aar\nabc;1.000;2025\n", "line 2: 'abc' is not a municipality code"),
        (b"kode;folketal;aar\n101;1.000\n", "line 2: expected three columns"),
        (
            b"kode;folketal;aar\n101;1.000;2025\n101;1.001;2025\n",
            "line 3: municipality 101 and year 2025 are already on line 2",
        ),
        (b"kode;folketal;aar\n", "no population figures"),
    ],
)
def test_bad_files_are_refused_naming_the_line(app, data: bytes, message: str) -> None:
    with pytest.raises(PopulationImportError) as error:
        import_population(db.session, data)

    assert message in str(error.value)
    assert stored() == {}, "nothing is imported from a bad file"


def test_every_bad_line_is_named_at_once(app) -> None:
    with pytest.raises(PopulationImportError) as error:
        import_population(db.session, b"101;x;2025\n147;100;2025\n151;y;2025\n")

    assert str(error.value).splitlines() == [
        "line 1: population 'x' is not a whole number like 1234 or 1.234",
        "line 3: population 'y' is not a whole number like 1234 or 1.234",
    ]


def test_the_command_imports_and_reports(runner, tmp_path) -> None:
    file = tmp_path / "folketal.csv"
    file.write_text("kommunekode;folketal;år\n101;667.099;2025\n000 Hele landet;5.992.734;2025\n")

    result = runner.invoke(args=["import-population", str(file)])

    assert result.exit_code == 0, result.output
    assert "Imported 1 population figures for 2025: 1 new, 0 changed." in result.output
    assert "Skipped 1 rows of totals" in result.output
    assert stored() == {("101", 2025): 667_099}


def test_the_command_explains_a_bad_file(runner, tmp_path) -> None:
    file = tmp_path / "folketal.csv"
    file.write_text("kommunekode;folketal;år\n404;1.000;2025\n")

    result = runner.invoke(args=["import-population", str(file)])

    assert result.exit_code == 1
    assert "folketal.csv was not imported:" in result.output
    assert "line 2: unknown municipality code 404" in result.output


def test_the_command_refuses_a_binary_file(runner, tmp_path) -> None:
    file = tmp_path / "folketal.xlsx"
    file.write_bytes(b"PK\x03\x04\x00\x00binary")

    result = runner.invoke(args=["import-population", str(file)])

    assert result.exit_code == 1
    assert "is not a text file" in result.output
