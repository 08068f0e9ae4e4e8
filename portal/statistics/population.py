"""Import municipality population figures (Danmarks Statistik CSV) and read the latest ones.

The file has a municipality code, a population and a year per row, with a
header row. Danmarks Statistik writes ";" between columns, "1.234" for
thousands and often a label after the code ("101 København"); all of that is
accepted, as is "," between columns. Rows for the whole country or a region
("000 Hele landet", "Region Hovedstaden") are totals, not municipalities, and
are skipped. Anything else that is wrong stops the import with the line
number, so a half-read file never replaces good figures.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.db import utcnow
from portal.geo.models import Municipality
from portal.statistics.models import MunicipalityPopulation

logger = logging.getLogger(__name__)

MAX_ERRORS = 20
MAX_POPULATION = 10_000_000
MIN_YEAR, MAX_YEAR = 1900, 2200
# The built-in figures in portal/geo/municipalities.py are approximate ones for this year.
BUILT_IN_YEAR = 2024

_CODE = re.compile(r"\s*(\d{1,4})\b\s*(.*)")
_YEAR = re.compile(r"\s*(\d{4})(?:\s*[KkMmHh]\d{1,2})?\s*")
_NUMBER = re.compile(r"\d{1,3}(?:[. \u00a0]\d{3})+|\d+")
_HEADER_WORDS = {
    "code": ("kode", "code", "kommune", "område", "omraade", "area"),
    "population": ("folketal", "indbygger", "befolkning", "population", "antal", "indhold"),
    "year": ("år", "aar", "year", "tid", "time"),
}
_TOTAL_LABELS = ("hele landet", "region", "landsdel")


class PopulationImportError(Exception):
    """The file cannot be imported; the message names each bad line and why."""


@dataclass
class PopulationRow:
    """One municipality's figure for one year, with the line it came from."""

    line: int
    municipality_code: str
    year: int
    population: int


@dataclass
class PopulationImport:
    """What an import read and did."""

    rows: list[PopulationRow] = field(default_factory=list)
    skipped_totals: int = 0
    added: int = 0
    updated: int = 0

    @property
    def years(self) -> list[int]:
        """Return the years the file covers, oldest first."""
        return sorted({row.year for row in self.rows})


@dataclass(frozen=True)
class PopulationFigure:
    """The population used for one municipality, where it came from and its year."""

    population: int
    year: int
    imported: bool


def _decode(data: bytes) -> str:
    """Return the file's text from UTF-8 (with or without BOM) or Windows-1252."""
    # Danmarks Statistik offers UTF-8 and Windows-1252 downloads.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    """Return the column delimiter the first line uses most."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (";", "\t", ",")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"


def _columns(header: list[str]) -> tuple[int, int, int]:
    """Return the positions of code, population and year; by name when the header says."""
    found: dict[str, int] = {}
    for position, title in enumerate(header):
        words = title.strip().lower()
        for name, hints in _HEADER_WORDS.items():
            if name not in found and any(hint in words for hint in hints):
                found[name] = position
                break
    if len(found) == 3 and len(set(found.values())) == 3:
        return found["code"], found["population"], found["year"]
    return 0, 1, 2


def _is_header(cells: list[str], columns: tuple[int, int, int]) -> bool:
    """Return whether the first row names the columns rather than holding figures."""
    code_at, population_at, _year_at = columns
    code = cells[code_at] if len(cells) > code_at else ""
    population = cells[population_at] if len(cells) > population_at else ""
    return _CODE.fullmatch(code) is None and _whole_number(population) is None


def _whole_number(text: str) -> int | None:
    """Return a whole number written as 1234, 1.234 or 1 234, or None."""
    value = text.strip()
    if not _NUMBER.fullmatch(value):
        return None
    return int(re.sub(r"[. \u00a0]", "", value))


def parse_population_csv(data: bytes, known_codes: set[str]) -> PopulationImport:
    """Read a population file; raise PopulationImportError naming every bad line."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    result = PopulationImport()
    errors: list[str] = []
    seen: dict[tuple[str, int], int] = {}
    columns: tuple[int, int, int] | None = None
    for line, cells in enumerate(reader, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if columns is None:
            columns = _columns(cells)
            if _is_header(cells, columns):
                continue
        error = _read_row(line, cells, columns, known_codes, seen, result)
        if error:
            errors.append(error)
            if len(errors) >= MAX_ERRORS:
                errors.append("(more errors left out)")
                break
    if errors:
        raise PopulationImportError("\n".join(errors))
    if not result.rows:
        raise PopulationImportError("the file holds no population figures of municipalities")
    return result


def _read_row(
    line: int,
    cells: list[str],
    columns: tuple[int, int, int],
    known_codes: set[str],
    seen: dict[tuple[str, int], int],
    result: PopulationImport,
) -> str | None:
    """Add one data row to ``result``; return an error message naming the line, or None."""
    code_at, population_at, year_at = columns
    if len(cells) <= max(columns):
        return f"line {line}: expected three columns (municipality code, population, year)"
    code_match = _CODE.fullmatch(cells[code_at])
    label = re.sub(r"^[\d\s]+", "", cells[code_at]).strip().lower()
    if label.startswith(_TOTAL_LABELS) or (code_match and int(code_match.group(1)) == 0):
        result.skipped_totals += 1
        return None
    if code_match is None:
        return f"line {line}: {cells[code_at].strip()[:40]!r} is not a municipality code"
    code = str(int(code_match.group(1)))
    if code not in known_codes:
        return f"line {line}: unknown municipality code {code_match.group(1)}"
    population = _whole_number(cells[population_at])
    if population is None or population > MAX_POPULATION:
        return (
            f"line {line}: population {cells[population_at].strip()[:40]!r} "
            "is not a whole number like 1234 or 1.234"
        )
    year_match = _YEAR.fullmatch(cells[year_at])
    year = int(year_match.group(1)) if year_match else None
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        return f"line {line}: year {cells[year_at].strip()[:40]!r} is not a year like 2025"
    earlier = seen.get((code, year))
    if earlier is not None:
        return f"line {line}: municipality {code} and year {year} are already on line {earlier}"
    seen[(code, year)] = line
    result.rows.append(PopulationRow(line, code, year, population))
    return None


def import_population(session: so.Session, data: bytes) -> PopulationImport:
    """Read the file and store its figures, one row per municipality and year; flush."""
    known = set(session.scalars(sa.select(Municipality.code)))
    result = parse_population_csv(data, known)
    existing = {
        (row.municipality_code, row.year): row
        for row in session.scalars(
            sa.select(MunicipalityPopulation).where(MunicipalityPopulation.year.in_(result.years))
        )
    }
    now = utcnow()
    for row in result.rows:
        stored = existing.get((row.municipality_code, row.year))
        if stored is None:
            session.add(
                MunicipalityPopulation(
                    municipality_code=row.municipality_code,
                    year=row.year,
                    population=row.population,
                    imported_at=now,
                )
            )
            result.added += 1
        elif stored.population != row.population:
            stored.population, stored.imported_at = row.population, now
            result.updated += 1
    session.flush()
    logger.info("Imported population figures: %d added, %d updated", result.added, result.updated)
    return result


def latest_population(session: so.Session) -> dict[str, PopulationFigure]:
    """Return each municipality's population: its latest imported year, else the built-in one."""
    figures = {
        code: PopulationFigure(population, BUILT_IN_YEAR, imported=False)
        for code, population in session.execute(
            sa.select(Municipality.code, Municipality.population)
        )
        if population
    }
    newer = sa.orm.aliased(MunicipalityPopulation)
    latest = sa.select(
        MunicipalityPopulation.municipality_code,
        MunicipalityPopulation.year,
        MunicipalityPopulation.population,
    ).where(
        ~sa.exists().where(
            newer.municipality_code == MunicipalityPopulation.municipality_code,
            newer.year > MunicipalityPopulation.year,
        )
    )
    for code, year, population in session.execute(latest):
        figures[code] = PopulationFigure(population, year, imported=True)
    return figures
