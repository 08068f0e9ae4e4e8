"""Field-level differences between two snapshots of an offer, labelled in Danish.

Plain fields are compared value by value; texts also get their changed words
marked; lists (places, meeting times, contacts, phone numbers) are compared
item by item, and vocabulary terms as added and removed terms. Nothing here
produces markup: templates render the result and escape every value.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.find.documents import municipality_names
from portal.offers.models import Frequency, LocationType, Schedule
from portal.offers.schedules import WEEKDAY_CODES, describe, weekday_name
from portal.taxonomy.models import Taxonomy, TaxonomyTerm

SERVICE_LABELS = {
    "name": _l("Navn"),
    "alternate_name": _l("Andet navn"),
    "description": _l("Beskrivelse"),
    "url": _l("Hjemmeside"),
    "email": _l("E-mail"),
    "how_to_join": _l("Sådan kommer man med"),
    "is_free": _l("Gratis"),
    "price_text": _l("Pris"),
    "is_newcomer_welcome": _l("Værten tager imod nye"),
    "has_waiting_list": _l("Venteliste"),
    "waiting_list_text": _l("Om ventelisten"),
    "minimum_age": _l("Mindstealder"),
    "maximum_age": _l("Højeste alder"),
    "closed_until": _l("Lukket indtil"),
}
LOCATION_LABELS = {
    "location_type": _l("Slags sted"),
    "name": _l("Stedets navn"),
    "address_1": _l("Adresse"),
    "address_2": _l("Adresse, linje 2"),
    "postal_code": _l("Postnummer"),
    "city": _l("By"),
    "municipality_code": _l("Kommune"),
    "latitude": _l("Breddegrad"),
    "longitude": _l("Længdegrad"),
    "description": _l("Om stedet"),
    "transportation": _l("Transport"),
    "url": _l("Link"),
}
SCHEDULE_LABELS = {
    "freq": _l("Gentages"),
    "interval": _l("Hver hvilken uge eller måned"),
    "byday": _l("Dage"),
    "bymonthday": _l("Datoer i måneden"),
    "opens_at": _l("Starter"),
    "closes_at": _l("Slutter"),
    "dtstart": _l("Første gang"),
    "until": _l("Sidste gang"),
    "valid_from": _l("Gælder fra"),
    "valid_to": _l("Gælder til"),
    "description": _l("Beskrivelse"),
}
CONTACT_LABELS = {"name": _l("Navn"), "title": _l("Titel"), "email": _l("E-mail")}
PHONE_LABELS = {"number": _l("Nummer"), "description": _l("Beskrivelse")}
SECTION_LABELS = {
    "locations": _l("Steder"),
    "schedules": _l("Mødetider"),
    "contacts": _l("Kontaktpersoner"),
    "phones": _l("Telefonnumre"),
}
# Free texts whose changed words are marked, not just shown before and after.
TEXT_FIELDS = {
    "name",
    "alternate_name",
    "description",
    "how_to_join",
    "price_text",
    "waiting_list_text",
    "transportation",
    "title",
}
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass
class Segment:
    """A run of text that is unchanged ("equal"), removed ("delete") or added ("insert")."""

    op: str
    text: str


@dataclass
class FieldChange:
    """One changed field: its label, the old and new values as shown, and marked words."""

    key: str
    label: str
    old: str
    new: str
    segments: list[Segment] | None = None


@dataclass
class ItemChange:
    """One list item that was added, removed or changed."""

    kind: str
    summary: str
    old_summary: str = ""
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class SectionChange:
    """The changed items of one list (places, meeting times, a vocabulary, ...)."""

    key: str
    label: str
    items: list[ItemChange]


@dataclass
class Diff:
    """Every difference between two snapshots."""

    fields: list[FieldChange]
    sections: list[SectionChange]

    @property
    def is_empty(self) -> bool:
        """Return whether the two snapshots are the same."""
        return not (self.fields or self.sections)


@dataclass
class Names:
    """Display names the snapshots refer to by code."""

    municipalities: dict[str, str] = field(default_factory=dict)
    taxonomies: dict[str, str] = field(default_factory=dict)
    terms: dict[tuple[str, str], str] = field(default_factory=dict)


def load_names(session: so.Session) -> Names:
    """Return the municipality, vocabulary and term names used in snapshots."""
    rows = session.execute(
        sa.select(Taxonomy.code, Taxonomy.name, TaxonomyTerm.code, TaxonomyTerm.name).join(
            TaxonomyTerm, TaxonomyTerm.taxonomy_id == Taxonomy.id
        )
    )
    names = Names(municipalities=municipality_names(session))
    for taxonomy_code, taxonomy_name, term_code, term_name in rows:
        names.taxonomies[taxonomy_code] = taxonomy_name
        names.terms[(taxonomy_code, term_code)] = term_name
    return names


def word_segments(old: str, new: str) -> list[Segment]:
    """Return ``new`` against ``old`` as runs of unchanged, removed and added words."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    segments: list[Segment] = []

    def add(op: str, tokens: list[str]) -> None:
        if not tokens:
            return
        if segments and segments[-1].op == op:
            segments[-1].text += "".join(tokens)
        else:
            segments.append(Segment(op, "".join(tokens)))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return segments


def _byday(value: str) -> str:
    parts = []
    for item in value.split(","):
        code = item.strip().upper()[-2:]
        ordinal = item.strip()[:-2]
        name = weekday_name(WEEKDAY_CODES.index(code)) if code in WEEKDAY_CODES else item
        parts.append(f"{ordinal}. {name}" if ordinal else name)
    return ", ".join(parts)


def _display(key: str, value: Any, names: Names) -> str:
    """Return a field's value as a person reads it."""
    if value is None or value == "":
        return _("(ikke udfyldt)")
    if isinstance(value, bool):
        return _("Ja") if value else _("Nej")
    formatters: dict[str, Callable[[Any], str]] = {
        "municipality_code": lambda v: names.municipalities.get(v, v),
        "location_type": lambda v: (
            _("Online eller telefon") if v == LocationType.VIRTUAL else _("Fysisk sted")
        ),
        "freq": lambda v: _("Hver måned") if v == Frequency.MONTHLY else _("Hver uge"),
        "byday": _byday,
        "opens_at": lambda v: v[:5].replace(":", "."),
        "closes_at": lambda v: v[:5].replace(":", "."),
    }
    if key in formatters:
        return formatters[key](value)
    if key in {"closed_until", "dtstart", "until", "valid_from", "valid_to"}:
        return format_date(dt.date.fromisoformat(value), _("d. MMMM y"))
    return str(value)


def _field_changes(
    old: dict[str, Any], new: dict[str, Any], labels: dict[str, Any], names: Names
) -> list[FieldChange]:
    changes = []
    for key, label in labels.items():
        before, after = old.get(key), new.get(key)
        if before == after or (before in (None, "") and after in (None, "")):
            continue
        change = FieldChange(
            key, str(label), _display(key, before, names), _display(key, after, names)
        )
        if key in TEXT_FIELDS and _both_texts(before, after):
            change.segments = word_segments(before, after)
        changes.append(change)
    return changes


def _both_texts(before: Any, after: Any) -> bool:
    return isinstance(before, str) and isinstance(after, str) and bool(before and after)


def _summary(section: str, item: dict[str, Any], names: Names) -> str:
    if section == "locations":
        if item.get("location_type") == LocationType.VIRTUAL:
            return item.get("name") or item.get("url") or _("Online eller telefon")
        town = " ".join(p for p in (item.get("postal_code"), item.get("city")) if p)
        return ", ".join(p for p in (item.get("name"), item.get("address_1"), town) if p)
    if section == "schedules":
        return describe(_transient_schedule(item))
    if section == "contacts":
        return " · ".join(p for p in (item.get("name"), item.get("title"), item.get("email")) if p)
    return " · ".join(p for p in (item.get("number"), item.get("description")) if p)


def _transient_schedule(item: dict[str, Any]) -> Schedule:
    def time(value: str | None) -> dt.time | None:
        return dt.time.fromisoformat(value) if value else None

    return Schedule(
        freq=Frequency(item["freq"]) if item.get("freq") else None,
        interval=item.get("interval"),
        byday=item.get("byday"),
        opens_at=time(item.get("opens_at")),
        closes_at=time(item.get("closes_at")),
        description=item.get("description"),
    )


def _similarity(a: dict[str, Any], b: dict[str, Any]) -> int:
    return sum(1 for key, value in a.items() if value not in (None, "") and b.get(key) == value)


def _alike(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Return whether two items share at least half of ``a``'s filled-in values."""
    filled = sum(1 for value in a.values() if value not in (None, ""))
    return _similarity(a, b) * 2 >= max(filled, 1)


def _item_changes(
    section: str, old: list[dict], new: list[dict], labels: dict[str, Any], names: Names
) -> list[ItemChange]:
    """Compare two lists item by item, whatever order they are in."""
    removed = list(old)
    added = []
    for item in new:
        if item in removed:
            removed.remove(item)
        else:
            added.append(item)
    # Pair the most alike old and new items first: those are changed items.
    candidates = sorted(
        ((_similarity(a, b), i, j) for i, a in enumerate(removed) for j, b in enumerate(added)),
        reverse=True,
    )
    pairs: dict[int, int] = {}
    for _score, i, j in candidates:
        if i not in pairs and j not in pairs.values() and _alike(removed[i], added[j]):
            pairs[i] = j
    changes = [
        ItemChange(
            "changed",
            _summary(section, added[j], names),
            _summary(section, removed[i], names),
            _field_changes(removed[i], added[j], labels, names),
        )
        for i, j in sorted(pairs.items(), key=lambda pair: pair[1])
    ]
    changes += [
        ItemChange("added", _summary(section, item, names))
        for j, item in enumerate(added)
        if j not in pairs.values()
    ]
    changes += [
        ItemChange("removed", _summary(section, item, names))
        for i, item in enumerate(removed)
        if i not in pairs
    ]
    return changes


def _term_sections(old: dict[str, list], new: dict[str, list], names: Names) -> list:
    sections = []
    for code in sorted(set(old) | set(new)):
        before, after = set(old.get(code, [])), set(new.get(code, []))
        items = [
            *(ItemChange("added", names.terms.get((code, t), t)) for t in sorted(after - before)),
            *(ItemChange("removed", names.terms.get((code, t), t)) for t in sorted(before - after)),
        ]
        if items:
            sections.append(SectionChange(f"terms:{code}", names.taxonomies.get(code, code), items))
    return sections


def diff_snapshots(old: dict[str, Any] | None, new: dict[str, Any], names: Names) -> Diff:
    """Return every difference from snapshot ``old`` (None: nothing before) to ``new``."""
    old = old or {}
    sections = []
    item_labels = {
        "locations": LOCATION_LABELS,
        "schedules": SCHEDULE_LABELS,
        "contacts": CONTACT_LABELS,
        "phones": PHONE_LABELS,
    }
    for key, labels in item_labels.items():
        items = _item_changes(key, old.get(key) or [], new.get(key) or [], labels, names)
        if items:
            sections.append(SectionChange(key, str(SECTION_LABELS[key]), items))
    sections += _term_sections(old.get("terms") or {}, new.get("terms") or {}, names)
    return Diff(_field_changes(old, new, SERVICE_LABELS, names), sections)
