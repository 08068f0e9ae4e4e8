"""Write what the offer editor sends: create, change, submit and end offers.

The functions take explicit arguments, add and flush, and never commit or read
the request; the view commits once. Only the fields of ``OfferData`` reach an
offer, so nothing posted can set its status, organisation or counters.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from dataclasses import dataclass, field
from types import SimpleNamespace

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.accounts.models import User
from portal.db import utcnow
from portal.moderation.models import ServiceVersion, VersionEvent
from portal.moderation.publication import apply_edit, may_publish_directly, submit
from portal.moderation.versions import record_version
from portal.offers.editor_places import PlaceInput, apply_places
from portal.offers.models import Frequency, Schedule, Service, ServiceStatus
from portal.organizations.models import Contact, Organization, Phone
from portal.taxonomy.models import ServiceAttribute, Taxonomy, TaxonomyTerm
from portal.taxonomy.vocabulary import REMOTE_FEATURES

logger = logging.getLogger(__name__)

# The vocabularies the editor shows as checkbox groups, in the editor's words.
EDITED_VOCABULARIES = ("aktivitet", "maalgruppe", "livssituation", "praktisk")
# Practical features the editor sets from its own fields (price, host, where).
DERIVED_FEATURES = frozenset({"gratis", "vaert"}) | REMOTE_FEATURES


@dataclass
class ScheduleData:
    """One rule of when the offer meets, ready for the schedule table."""

    freq: Frequency | None
    interval: int | None
    byday: str | None
    opens_at: dt.time | None
    closes_at: dt.time | None
    dtstart: dt.date | None
    until: dt.date | None
    description: str | None = None


@dataclass
class OfferData:
    """Everything the editor may change on an offer, validated."""

    name: str
    description: str = ""
    how_to_join: str = ""
    is_free: bool = True
    price_text: str | None = None
    is_newcomer_welcome: bool = False
    has_waiting_list: bool = False
    waiting_list_text: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    url: str | None = None
    email: str | None = None
    closed_until: dt.date | None = None
    terms: dict[str, list[str]] = field(default_factory=dict)
    remote: list[str] = field(default_factory=list)
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    places: list[PlaceInput] = field(default_factory=list)
    schedules: list[ScheduleData] = field(default_factory=list)


class SaveOutcome(enum.StrEnum):
    """What a save did, so the view can say it."""

    DRAFT_SAVED = "draft_saved"
    SAVED = "saved"
    LIVE_SAVED = "live_saved"
    SUBMITTED = "submitted"
    PUBLISHED = "published"


def term_choices(session: so.Session, language: str) -> dict[str, list[tuple[str, str]]]:
    """Return (code, label) pairs of the active terms of each edited vocabulary."""
    rows = session.execute(
        sa.select(Taxonomy.code, TaxonomyTerm)
        .join(TaxonomyTerm.taxonomy)
        .where(Taxonomy.code.in_(EDITED_VOCABULARIES), TaxonomyTerm.is_active)
        .order_by(TaxonomyTerm.position)
    )
    choices: dict[str, list[tuple[str, str]]] = {code: [] for code in EDITED_VOCABULARIES}
    for code, term in rows:
        if code == "praktisk" and term.code in DERIVED_FEATURES:
            continue
        choices[code].append((term.code, term.label(language)))
    return choices


def publishes_directly(organization: Organization, actor: User) -> bool:
    """Return whether the actor's offers for this organisation go live without review."""
    # The publication rule reads only the offer's organisation, so a stand-in
    # answers for an offer that does not exist yet.
    return may_publish_directly(SimpleNamespace(organization=organization), actor)  # type: ignore[arg-type]


def _wanted_term_keys(data: OfferData) -> set[tuple[str, str]]:
    keys = {(vocabulary, code) for vocabulary, codes in data.terms.items() for code in codes}
    if data.is_free:
        keys.add(("praktisk", "gratis"))
    if data.is_newcomer_welcome:
        keys.add(("praktisk", "vaert"))
    keys |= {("praktisk", code) for code in data.remote}
    return keys


def _apply_terms(session: so.Session, service: Service, data: OfferData) -> None:
    wanted = _wanted_term_keys(data)
    have: set[tuple[str, str]] = set()
    for attribute in list(service.attributes):
        term = attribute.taxonomy_term
        key = (term.taxonomy.code, term.code)
        if term.taxonomy.code not in EDITED_VOCABULARIES:
            continue  # a vocabulary the editor does not show stays as it is
        if key in wanted:
            have.add(key)
        else:
            service.attributes.remove(attribute)
    missing = wanted - have
    if not missing:
        return
    terms = session.execute(
        sa.select(Taxonomy.code, TaxonomyTerm)
        .join(TaxonomyTerm.taxonomy)
        .where(Taxonomy.code.in_(EDITED_VOCABULARIES))
    )
    for code, term in terms:
        if (code, term.code) in missing:
            service.attributes.append(ServiceAttribute(taxonomy_term=term))


def _apply_schedules(service: Service, schedules: list[ScheduleData]) -> None:
    existing = list(service.schedules)
    for position, data in enumerate(schedules):
        if position < len(existing):
            schedule = existing[position]
        else:
            schedule = Schedule()
            service.schedules.append(schedule)
        schedule.freq = data.freq
        schedule.interval = data.interval
        schedule.byday = data.byday
        schedule.bymonthday = None
        schedule.opens_at = data.opens_at
        schedule.closes_at = data.closes_at
        schedule.dtstart = data.dtstart
        schedule.until = data.until
        schedule.valid_from = schedule.valid_to = None
        schedule.description = data.description
    for schedule in existing[len(schedules) :]:
        service.schedules.remove(schedule)


def _apply_contact(service: Service, data: OfferData) -> None:
    """Keep the first contact person and phone number in step with the editor.

    Further contacts and numbers (from an import) are left as they are.
    """
    contact = service.contacts[0] if service.contacts else None
    if data.contact_name or data.contact_email:
        if contact is None:
            contact = Contact()
            service.contacts.insert(0, contact)
        contact.name = data.contact_name
        contact.email = data.contact_email
    elif contact is not None:
        service.contacts.remove(contact)
        contact = None
    phone = service.phones[0] if service.phones else None
    if data.contact_phone:
        if phone is None:
            phone = Phone(number=data.contact_phone)
            service.phones.insert(0, phone)
        phone.number = data.contact_phone
        phone.contact = contact
    elif phone is not None:
        service.phones.remove(phone)


def apply_offer(session: so.Session, service: Service, data: OfferData) -> None:
    """Copy the editor's data onto the offer, its places, times, terms and contact."""
    service.name = data.name
    service.description = data.description
    service.how_to_join = data.how_to_join
    service.is_free = data.is_free
    service.price_text = None if data.is_free else data.price_text
    service.is_newcomer_welcome = data.is_newcomer_welcome
    service.has_waiting_list = data.has_waiting_list
    service.waiting_list_text = data.waiting_list_text if data.has_waiting_list else None
    service.minimum_age = data.minimum_age
    service.maximum_age = data.maximum_age
    service.url = data.url
    service.email = data.email
    service.closed_until = data.closed_until
    # Changing only places or times leaves the offer's own row alone; touching
    # it makes every save raise the version, so concurrent edits are noticed.
    service.updated_at = utcnow()
    _apply_terms(session, service, data)
    _apply_schedules(service, data.schedules)
    _apply_contact(service, data)
    apply_places(session, service, data.places, data.remote)


def create_offer(session: so.Session, organization: Organization, data: OfferData) -> Service:
    """Add a new draft offer to the organisation."""
    service = Service(organization_id=organization.id, status=ServiceStatus.DRAFT)
    service.organization = organization
    session.add(service)
    apply_offer(session, service, data)
    session.flush()
    logger.info("Offer %s created", service.id)
    return service


def save_offer(service: Service, actor: User, *, send: bool) -> SaveOutcome:
    """Record a saved version, or send the offer for publication when asked to.

    A published offer's changes are live at once (and count as a confirmation
    that it is still running); the publication rules decide the rest.
    """
    if send and not service.is_published:
        version: ServiceVersion = submit(service, actor)
        return SaveOutcome.PUBLISHED if version.is_published else SaveOutcome.SUBMITTED
    apply_edit(service, actor)
    if service.is_published:
        return SaveOutcome.LIVE_SAVED
    return SaveOutcome.DRAFT_SAVED if service.status is ServiceStatus.DRAFT else SaveOutcome.SAVED


def archive_offer(service: Service, actor: User) -> bool:
    """End the offer: it leaves search and its page; return False if it already had ended."""
    if service.status is ServiceStatus.ARCHIVED:
        return False
    service.status = ServiceStatus.ARCHIVED
    service.updated_at = utcnow()
    record_version(service, actor, VersionEvent.UNPUBLISHED, is_published=False)
    logger.info("Offer %s archived", service.id)
    return True
