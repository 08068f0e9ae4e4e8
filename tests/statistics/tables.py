"""Read the tables of a page as a person (or a screen reader) would: caption, headers, cells."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Cell:
    """A table cell: th or td, its scope, and its text."""

    tag: str
    scope: str | None
    text: str = ""
    sort: str | None = None


@dataclass
class Table:
    """A table's caption and rows of cells."""

    caption: str = ""
    rows: list[list[Cell]] = field(default_factory=list)

    def texts(self) -> list[list[str]]:
        """Return the text of every cell, row by row."""
        return [[cell.text for cell in row] for row in self.rows]

    def body(self) -> dict[str, list[str]]:
        """Return the rows below the header, keyed by their row header."""
        return {
            row[0].text: [cell.text for cell in row[1:]]
            for row in self.rows[1:]
            if row and row[0].tag == "th"
        }


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self._cell: Cell | None = None
        self._in_caption = False
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "table":
            self.tables.append(Table())
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self.tables:
            self.tables[-1].rows.append([])
        elif tag in ("th", "td") and self.tables and self.tables[-1].rows:
            self._cell = Cell(tag, values.get("scope"), sort=values.get("aria-sort"))
            self.tables[-1].rows[-1].append(self._cell)
        elif tag == "span" and values.get("aria-hidden") == "true":
            self._hidden_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
        elif tag in ("th", "td") and self._cell is not None:
            self._cell.text = " ".join(self._cell.text.split())
            self._cell = None
        elif tag == "span" and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_caption and self.tables:
            self.tables[-1].caption = " ".join((self.tables[-1].caption + data).split())
        elif self._cell is not None and not self._hidden_depth:
            self._cell.text += data


def tables(html: str) -> list[Table]:
    """Return every table of the page."""
    parser = _TableParser()
    parser.feed(html)
    return parser.tables
