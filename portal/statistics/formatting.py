"""How statistics leave the portal: small counts hidden, and CSV files Danish Excel opens safely."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response

SMALLEST_SHOWN = 5
SMALL = "<5"
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def small_count(count: int) -> str | int:
    """Return the count, or "<5" for every count under 5, so no one can be singled out."""
    return SMALL if count < SMALLEST_SHOWN else count


def danish_decimal(value: float | None, decimals: int = 1) -> str:
    """Return a number with a decimal comma ("12,5"), or "" for no value."""
    if value is None:
        return ""
    return f"{value:.{decimals}f}".replace(".", ",")


def safe_cell(value: object) -> str:
    """Return a cell's text; text a spreadsheet would run as a formula is quoted with '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, int | float):
        return str(value)
    text = str(value).replace("\x00", "")
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> Response:
    """Return a CSV download: UTF-8 with BOM and ";" between columns, as Danish Excel expects."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(title) for title in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
