"""The CSV template: read a spreadsheet saved as CSV into offers, and write the template.

Danish Excel saves CSV in Windows-1252 with ";" between columns, or, as
"CSV UTF-8", in UTF-8 with a byte order mark; both are read, and the delimiter
is taken from the heading row. Row numbers are the spreadsheet's own (the
headings are row 1), so a message points at the row the volunteer sees.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import unicodedata

from flask_babel import format_number
from flask_babel import gettext as _

from portal.imports.columns import (
    COLUMNS,
    DECIDED_BY_THE_PORTAL,
    REQUIRED,
    column_for,
    heading_key,
)
from portal.imports.csv_rows import RowReader
from portal.imports.report import ParsedFile, Problem
from portal.imports.values import Vocabulary

logger = logging.getLogger(__name__)

MAX_ROWS = 2000
DELIMITERS = (";", ",", "\t")
TEMPLATE_DELIMITER = ";"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


class FileProblem(ValueError):
    """The file as a whole cannot be read; the message says what to do."""


def not_a_csv_file() -> str:
    """Return the message for bytes that are no text the import can read."""
    return _(
        "Filen er ikke en CSV-fil i UTF-8 eller Windows-1252, som portalen kan læse. Gem "
        "regnearket som »CSV UTF-8 (kommasepareret)« og prøv igen."
    )


def decode(data: bytes) -> str:
    """Return the text of an uploaded file; raise FileProblem for anything but text."""
    if not data.strip():
        raise FileProblem(_("Filen er tom."))
    if data.startswith(_SPREADSHEET_MAGIC):
        raise FileProblem(
            _(
                "Filen er et Excel-regneark, ikke en CSV-fil. Vælg Filer → Gem som → "
                "»CSV UTF-8 (kommasepareret)« i Excel, og upload den fil."
            )
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decoded(data, "utf-16")
    elif b"\x00" in data:
        raise FileProblem(_nul_message(data))
    else:
        text = _decoded(data, "utf-8-sig") or _decoded(data, "cp1252")
    if text is None:
        raise FileProblem(not_a_csv_file())
    if "\x00" in text:
        raise FileProblem(_nul_message(text.encode("utf-8", "replace")))
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 200):
        raise FileProblem(not_a_csv_file())
    # A stray control character or two is invisible in the spreadsheet; drop it.
    return unicodedata.normalize("NFC", _CONTROL.sub("", text))


def _decoded(data: bytes, encoding: str) -> str | None:
    """Return the bytes decoded strictly, or None when they are not in that encoding."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _nul_message(data: bytes) -> str:
    """Return the message for a file with NUL bytes: binary, or one stray NUL."""
    # Many NULs, or other control bytes besides: a binary file or UTF-16
    # without a byte order mark rather than a CSV file with one stray NUL.
    controls = len(re.findall(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", data))
    if controls > max(2, len(data) // 200):
        return not_a_csv_file()
    line = data[: data.index(b"\x00")].count(b"\n") + 1
    return _(
        "Filen indeholder et NUL-tegn (et usynligt nul-tegn) i linje %(line)d. Det hører "
        "ikke hjemme i en CSV-fil. Gem regnearket som CSV igen, og prøv igen.",
        line=line,
    )


def sniff_delimiter(text: str) -> str:
    """Return the delimiter the heading row uses most: ";", "," or tab."""
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else TEMPLATE_DELIMITER


def read_csv(text: str, vocabulary: Vocabulary) -> ParsedFile:
    """Read the text of an uploaded CSV file into offers, with every problem found on the way."""
    parsed = ParsedFile("csv")
    try:
        table = _rows(text)
    except FileProblem as problem:
        parsed.errors.append(Problem(None, "", str(problem)))
        return parsed
    if not table:
        parsed.errors.append(Problem(None, "", _("Filen er tom.")))
        return parsed
    positions = _headings(table[0], parsed)
    if parsed.errors:
        return parsed
    # Spreadsheets often end with empty rows (";;;;"); they are no offers.
    rows = enumerate(table[1:], start=2)
    body = [(number, cells) for number, cells in rows if any(cell.strip() for cell in cells)]
    if not body:
        parsed.errors.append(
            Problem(None, "", _("Filen har ingen rækker med tilbud under overskrifterne."))
        )
    elif len(body) > MAX_ROWS:
        parsed.errors.append(
            Problem(
                None,
                "",
                _(
                    "Filen har %(count)s rækker med tilbud; der kan højst være %(limit)s ad "
                    "gangen. Del filen op i flere.",
                    count=format_number(len(body)),
                    limit=format_number(MAX_ROWS),
                ),
            )
        )
        return parsed
    seen: dict[str, int] = {}
    for number, cells in body:
        values = {heading: _cell(cells, index) for heading, index in positions.items()}
        offer = RowReader(number, values, vocabulary, parsed).offer()
        if offer is None:
            continue
        if offer.external_id in seen:
            parsed.errors.append(
                Problem(
                    number,
                    "ekstern_id",
                    _(
                        "»%(value)s« står også i række %(row)d. Hvert tilbud skal have sit "
                        "eget ekstern_id.",
                        value=offer.external_id,
                        row=seen[offer.external_id],
                    ),
                )
            )
            continue
        seen[offer.external_id] = number
        parsed.offers.append(offer)
    return parsed


def _rows(text: str) -> list[list[str]]:
    """Split the text into rows of cells; raise FileProblem where the CSV breaks."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as error:
        logger.info("CSV import: unreadable row %s (%s)", len(rows) + 1, type(error).__name__)
        raise FileProblem(
            _(
                "Række %(row)d kan ikke læses: en celle er for lang, eller et anførselstegn "
                "mangler sin makker.",
                row=len(rows) + 1,
            )
        ) from None
    return rows


def _cell(cells: list[str], index: int) -> str:
    """Return a row's cell at ``index`` (empty past the row's end), trimmed."""
    value = cells[index] if index < len(cells) else ""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _headings(headings: list[str], parsed: ParsedFile) -> dict[str, int]:
    """Return the column index of each known heading; report missing and unknown ones."""
    positions: dict[str, int] = {}
    for index, raw in enumerate(headings):
        heading = raw.strip().lstrip("\ufeff").strip()
        if not heading:
            continue
        column = column_for(heading)
        if column is None:
            parsed.warnings.append(Problem(1, heading[:100], _unknown_heading(heading)))
        elif column.heading in positions:
            parsed.errors.append(
                Problem(
                    1,
                    column.heading,
                    _("Kolonnen »%(column)s« står to gange. Slet den ene.", column=heading),
                )
            )
        else:
            positions[column.heading] = index
    missing = [heading for heading in REQUIRED if heading not in positions]
    if missing:
        parsed.errors.append(
            Problem(
                1,
                ", ".join(missing),
                _(
                    "Filen mangler %(count)d påkrævede kolonner: %(columns)s. Brug "
                    "skabelonen, eller tilføj overskrifterne i første række.",
                    count=len(missing),
                    columns=", ".join(missing),
                )
                if len(missing) > 1
                else _(
                    "Filen mangler den påkrævede kolonne %(columns)s. Brug skabelonen, eller "
                    "tilføj overskriften i første række.",
                    columns=missing[0],
                ),
            )
        )
    return positions


def _unknown_heading(heading: str) -> str:
    """Return the warning for a heading the template does not have."""
    if heading_key(heading) in DECIDED_BY_THE_PORTAL:
        return _(
            "Kolonnen »%(column)s« bruges ikke: tilbuddene hører altid til foreningen, du "
            "importerer for, og deres status følger portalens regler.",
            column=heading,
        )
    return _("Portalen kender ikke kolonnen »%(column)s«; den springes over.", column=heading)


def template_csv() -> bytes:
    """Return the CSV template: headings and one example row, UTF-8 with BOM, ";"-separated.

    The byte order mark makes Excel read æ, ø and å correctly; Danish Excel
    expects ";" between columns, because "," is the decimal separator.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=TEMPLATE_DELIMITER, lineterminator="\r\n")
    writer.writerow([column.heading for column in COLUMNS])
    writer.writerow([column.example for column in COLUMNS])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
