"""Command line for place data: import the official list of Danish postcodes.

The list comes in several shapes (DAWA's ``postnr;navn``, the derived
``postnr,nr_from,nr_to,name,lat,lon,kommune_code``, spreadsheets saved as CSV),
so columns are found by their usual names and the delimiter by the header.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import click
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask.cli import with_appcontext

from portal.geo.geocoding import OFFLINE_SOURCES, in_denmark
from portal.geo.models import GeocodeCache, Municipality, Postcode

CODE_COLUMNS = ("postnr", "nr", "code", "postnummer", "postcode", "postal_code")
NAME_COLUMNS = (
    "navn",
    "name",
    "postnrnavn",
    "postnr_navn",
    "postnummernavn",
    "postbynavn",
    "bynavn",
)
LAT_COLUMNS = ("lat", "latitude", "visueltcenter_y", "breddegrad")
LON_COLUMNS = ("lon", "lng", "longitude", "visueltcenter_x", "laengdegrad")
MUNICIPALITY_COLUMNS = (
    "kommune_code",
    "kommunekode",
    "kommune_kode",
    "komkode",
    "municipality_code",
)
DELIMITERS = (";", ",", "\t")
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_RANGE_SIZE = 1000  # "1000-1499" (København K) is the largest real range
NAME_LENGTH = 100
EXAMPLES_SHOWN = 3

_CODE = re.compile(r"[0-9]{4}")
_RANGE = re.compile(r"([0-9]{4})\s*[-–]\s*([0-9]{4})")
_MUNICIPALITY_CODE = re.compile(r"[0-9]{1,4}")


class PostcodeFileError(Exception):
    """The file cannot be read as a postcode list; the message says why."""


@dataclass(frozen=True, slots=True)
class PostcodeRow:
    """One postcode as read from the file."""

    code: str
    name: str
    latitude: float | None
    longitude: float | None
    municipality_code: str | None


@dataclass
class PostcodeFile:
    """The postcodes read from a file, by code, and what was left out."""

    rows: dict[str, PostcodeRow] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    notes: Counter[str] = field(default_factory=Counter)

    def skip(self, reason: str, value: str) -> None:
        """Count a row left out for ``reason``, keeping a few offending values."""
        self.skipped[reason] += 1
        shown = self.examples.setdefault(reason, [])
        if len(shown) < EXAMPLES_SHOWN:
            shown.append(value)


_HEADER_FOLDS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


def _header_key(name: str) -> str:
    folded = name.strip().lower().translate(_HEADER_FOLDS)
    return re.sub(r"[^a-z0-9]+", "_", folded).strip("_")


def _find_column(positions: dict[str, int], names: tuple[str, ...]) -> int | None:
    return next((positions[name] for name in names if name in positions), None)


def _read_text(path: Path) -> str:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise PostcodeFileError(f"{path.name} is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    data = path.read_bytes()
    if b"\x00" in data:
        raise PostcodeFileError(f"{path.name} is not a CSV file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PostcodeFileError(f"{path.name} is not UTF-8 text; save it as CSV (UTF-8)") from None
    if not text.strip():
        raise PostcodeFileError(f"{path.name} is empty")
    return text


def parse_codes(value: str) -> list[str] | None:
    """Return the codes a cell names ("2800", or "1000-1499" for all in between), or None."""
    value = value.strip()
    if _CODE.fullmatch(value):
        return [value]
    match = _RANGE.fullmatch(value)
    if match:
        first, last = int(match.group(1)), int(match.group(2))
        if first <= last and last - first < MAX_RANGE_SIZE:
            return [f"{code:04d}" for code in range(first, last + 1)]
    return None


def _coordinate(value: str | None) -> float | None:
    text = (value or "").strip().replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _municipality(value: str | None, known: set[str]) -> str | None:
    text = (value or "").strip()
    if not _MUNICIPALITY_CODE.fullmatch(text):
        return None
    code = str(int(text))  # "0101" and "101" are both København
    return code if code in known else None


def read_postcode_file(path: Path, municipality_codes: set[str]) -> PostcodeFile:
    """Read a CSV postcode list; raise PostcodeFileError if it cannot be one."""
    text = _read_text(path)
    header_line = text.lstrip().splitlines()[0]
    delimiter = max(DELIMITERS, key=header_line.count)
    reader = csv.reader(io.StringIO(text.lstrip(), newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        positions: dict[str, int] = {}
        for position, name in enumerate(header):
            positions.setdefault(_header_key(name), position)
        columns = {
            "code": _find_column(positions, CODE_COLUMNS),
            "name": _find_column(positions, NAME_COLUMNS),
            "lat": _find_column(positions, LAT_COLUMNS),
            "lon": _find_column(positions, LON_COLUMNS),
            "municipality": _find_column(positions, MUNICIPALITY_COLUMNS),
        }
        _check_columns(columns, header)
        result = PostcodeFile()
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            values = {
                key: cells[column] if column is not None and column < len(cells) else None
                for key, column in columns.items()
            }
            _read_row(values, municipality_codes, result)
    except csv.Error as error:
        raise PostcodeFileError(f"{path.name} is not a valid CSV file: {error}") from None
    return result


def _check_columns(columns: dict[str, int | None], header: list[str]) -> None:
    found = ", ".join(name.strip() for name in header) or "nothing"
    for key, names in (("code", CODE_COLUMNS), ("name", NAME_COLUMNS)):
        if columns[key] is None:
            raise PostcodeFileError(
                f"no {key} column: expected one of {', '.join(names)}; found {found}"
            )
    if (columns["lat"] is None) != (columns["lon"] is None):
        missing = "longitude" if columns["lon"] is None else "latitude"
        raise PostcodeFileError(f"a {missing} column is missing; found {found}")


def _read_row(values: dict[str, str | None], known: set[str], result: PostcodeFile) -> None:
    raw_code = (values["code"] or "").strip()
    codes = parse_codes(raw_code)
    if codes is None:
        result.skip("a postcode that is not 4 digits", raw_code)
        return
    name = " ".join((values["name"] or "").split())[:NAME_LENGTH]
    if not name:
        result.skip("no name", raw_code)
        return
    lat, lon = _coordinate(values["lat"]), _coordinate(values["lon"])
    if lat is None or lon is None or not in_denmark(lat, lon):
        if (values["lat"] or "").strip() or (values["lon"] or "").strip():
            result.notes["coordinates"] += 1
        lat = lon = None
    municipality = _municipality(values["municipality"], known)
    if municipality is None and (values["municipality"] or "").strip():
        result.notes["municipality"] += 1
    for code in codes:
        result.rows[code] = PostcodeRow(code, name, lat, lon, municipality)


def save_postcodes(session: so.Session, rows: dict[str, PostcodeRow]) -> int:
    """Insert or update postcodes by code; return how many of them have coordinates.

    A point or municipality the file does not give keeps its earlier value, so
    importing a list without coordinates does not erase those of another.
    Cached offline geocoding answers are forgotten, as a postcode may now give
    a better point.
    """
    existing = {p.code: p for p in session.scalars(sa.select(Postcode))}
    located = 0
    for row in rows.values():
        postcode = existing.get(row.code)
        if postcode is None:
            postcode = Postcode(code=row.code, latitude=None, longitude=None)
            session.add(postcode)
        postcode.name = row.name
        if row.latitude is not None and row.longitude is not None:
            postcode.latitude, postcode.longitude = row.latitude, row.longitude
        if row.municipality_code is not None:
            postcode.municipality_code = row.municipality_code
        located += postcode.latitude is not None
    session.execute(sa.delete(GeocodeCache).where(GeocodeCache.source.in_(OFFLINE_SOURCES)))
    session.flush()
    return located


def _rows(count: int) -> str:
    return f"{count} row{'' if count == 1 else 's'}"


def _skipped_message(result: PostcodeFile) -> str:
    parts = []
    for reason, count in result.skipped.items():
        examples = ", ".join(repr(value) for value in result.examples[reason])
        parts.append(f"{count} with {reason} (e.g. {examples})")
    return f"Skipped {_rows(sum(result.skipped.values()))}: {'; '.join(parts)}."


@click.command("import-postcodes")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_postcodes(file: Path) -> None:
    """Import or update Danish postcodes from a CSV file (ranges like 1000-1499 allowed)."""
    from portal.extensions import db

    municipality_codes = set(db.session.scalars(sa.select(Municipality.code)))
    try:
        result = read_postcode_file(file, municipality_codes)
    except PostcodeFileError as error:
        raise click.ClickException(str(error)) from None
    if not result.rows:
        detail = f" {_skipped_message(result)}" if result.skipped else ""
        raise click.ClickException(f"no postcodes found in {file.name}.{detail}")
    with db.transaction() as session:
        located = save_postcodes(session, result.rows)
    click.echo(f"Imported {len(result.rows)} postcodes ({located} with coordinates).")
    if result.skipped:
        click.echo(_skipped_message(result), err=True)
    if result.notes["coordinates"]:
        click.echo(
            f"Ignored the coordinates of {_rows(result.notes['coordinates'])}: "
            "not numbers or outside Denmark.",
            err=True,
        )
    if result.notes["municipality"]:
        click.echo(
            f"Ignored the unknown municipality code of {_rows(result.notes['municipality'])}.",
            err=True,
        )
