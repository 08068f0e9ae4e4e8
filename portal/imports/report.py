"""What a bulk import reads from a file and what it reports back, row by row."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from portal.offers.models import ServiceStatus

# More errors than this are counted, not listed: nobody reads 2,000 lines.
MAX_LISTED_PROBLEMS = 200


class Outcome(enum.StrEnum):
    """What happened (or would happen) to the offer of one row."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"

    @property
    def label(self) -> str:
        """Return the outcome in the visitor's language."""
        labels = {
            Outcome.CREATED: _("Ny"),
            Outcome.UPDATED: _("Ændret"),
            Outcome.UNCHANGED: _("Uændret"),
        }
        return labels[self]


def status_label(status: ServiceStatus) -> str:
    """Return an offer status as the import report words it."""
    labels = {
        ServiceStatus.DRAFT: _("Kladde"),
        ServiceStatus.PENDING_REVIEW: _("Venter på godkendelse"),
        ServiceStatus.PUBLISHED: _("Offentliggjort"),
        ServiceStatus.ARCHIVED: _("Arkiveret"),
    }
    return labels[status]


@dataclass(frozen=True)
class Problem:
    """An error or warning: where in the file (row and column) and what to do about it.

    ``row`` is the spreadsheet row (the headings are row 1) or, in JSON, the
    offer's position in the list; None means the file as a whole.
    """

    row: int | None
    column: str
    message: str


@dataclass
class PlaceData:
    """Where an offer happens, as the file gives it (coordinates filled in by geocoding)."""

    is_virtual: bool = False
    name: str | None = None
    address_1: str | None = None
    postal_code: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    municipality_code: str | None = None

    def key(self) -> tuple[Any, ...]:
        """Return what makes two places the same place of one organisation."""
        if self.is_virtual:
            return ("virtual", self.name)
        return ("physical", self.name, self.address_1, self.postal_code, self.city)


@dataclass
class OfferData:
    """One offer as a file describes it; parts left as None keep what the portal has.

    ``fields`` holds Service columns; ``terms`` the term codes of each vocabulary
    the file gives; ``feature_toggles`` practical features a yes/no column
    switches on or off (e.g. "gratis" from the price).
    """

    row: int
    external_id: str
    title: str
    fields: dict[str, Any] = field(default_factory=dict)
    terms: dict[str, list[str]] = field(default_factory=dict)
    feature_toggles: dict[str, bool] = field(default_factory=dict)
    places: list[PlaceData] | None = None
    # Only online/telefon/landsdækkende were given: the street addresses stay.
    keep_physical_places: bool = False
    place_column: str = ""
    schedules: list[dict[str, Any]] | None = None
    contacts: list[dict[str, str | None]] | None = None
    phones: list[str] | None = None


@dataclass
class ParsedFile:
    """The offers read from an uploaded file, or why it could not be read."""

    format: str
    offers: list[OfferData] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class RowResult:
    """The outcome of one row: which offer, what happened, and its status afterwards."""

    row: int
    external_id: str
    title: str
    outcome: Outcome
    status: ServiceStatus
    service_id: uuid.UUID | None = None


def describe_row(row: RowResult) -> str:
    """Return one line of the report, e.g. "Række 4: Ny – Fællesspisning (spis-1), Offentlig"."""
    return _(
        "Række %(row)d: %(outcome)s – %(title)s (%(id)s), %(status)s",
        row=row.row,
        outcome=row.outcome.label,
        title=row.title,
        id=row.external_id,
        status=status_label(row.status),
    )


@dataclass
class ImportReport:
    """Everything an import did or, on a dry run, would do; empty ``errors`` means it worked."""

    format: str
    dry_run: bool
    as_drafts: bool
    rows: list[RowResult] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return whether the file was (or on a dry run would be) imported."""
        return not self.errors

    def count(self, outcome: Outcome) -> int:
        """Return how many rows had ``outcome``."""
        return sum(1 for row in self.rows if row.outcome is outcome)

    @property
    def sorted_errors(self) -> list[Problem]:
        """Return the errors in file order, the file's own first."""
        return _in_file_order(self.errors)

    @property
    def sorted_warnings(self) -> list[Problem]:
        """Return the warnings in file order, the file's own first."""
        return _in_file_order(self.warnings)

    @property
    def listed_errors(self) -> list[Problem]:
        """Return the errors worth listing on one page."""
        return self.sorted_errors[:MAX_LISTED_PROBLEMS]

    @property
    def unlisted_errors(self) -> int:
        """Return how many errors the page leaves out."""
        return max(0, len(self.errors) - MAX_LISTED_PROBLEMS)


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """Return problems sorted by row, the file's own first, keeping column order."""
    return sorted(problems, key=lambda p: (p.row is not None, p.row or 0))
