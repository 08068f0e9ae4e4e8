"""Make the directory match the file, offer by offer, and say what changed.

Each part of an offer (its own fields, terms, places, times, contact, phone)
is compared with what the file asks for and replaced only when it differs,
so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.accounts.models import User
from portal.imports.report import ImportReport, OfferData, Outcome, PlaceData, RowResult
from portal.moderation.models import VersionEvent
from portal.moderation.publication import apply_edit, may_publish_directly, publish
from portal.moderation.versions import record_version
from portal.offers.editor_places import VIRTUAL_NAMES
from portal.offers.models import Location, LocationType, Schedule, Service, ServiceAtLocation
from portal.offers.models import ServiceStatus as Status
from portal.organizations.models import Contact, Organization, Phone
from portal.taxonomy.models import ServiceAttribute, TaxonomyTerm

SCHEDULE_KEYS = (
    "freq", "interval", "byday", "bymonthday", "opens_at", "closes_at",
    "dtstart", "until", "valid_from", "valid_to", "description",
)  # fmt: skip
# Rows are written in batches: the search outbox looks at every new object
# on each flush, so one flush of 2,000 offers would cost far more than 40 of 50.
FLUSH_EVERY = 50


def _schedule_key(values: dict[str, Any]) -> tuple[Any, ...]:
    """Return what makes two schedules the same, for comparing file and database."""
    # The ORM fills in an interval of 1 where none was given; compare it so.
    return tuple((values.get(k) or 1) if k == "interval" else values.get(k) for k in SCHEDULE_KEYS)


def location_key(location: Location) -> tuple[Any, ...]:
    """Return what makes a stored place the same as a place in a file (see PlaceData.key)."""
    return PlaceData(
        location.location_type is LocationType.VIRTUAL,
        location.name,
        location.address_1,
        location.postal_code,
        location.city,
    ).key()


class Writer:
    """Apply offers read from a file to one organisation's offers in the session."""

    def __init__(
        self,
        session: so.Session,
        organization: Organization,
        actor: User | None,
        report: ImportReport,
        terms: dict[tuple[str, str], TaxonomyTerm],
        note: str,
    ) -> None:
        """Prepare to write into ``organization``, knowing its places by address."""
        self.session, self.organization, self.actor = session, organization, actor
        self.report, self.terms, self.note = report, terms, note
        self.needs_review = False
        self.dropped: list[Location] = []
        self.applied: list[tuple[OfferData, Service, Outcome]] = []
        self.places_by_key: dict[tuple[Any, ...], Location] = {}
        for location in session.scalars(
            sa.select(Location)
            .where(Location.organization_id == organization.id)
            .order_by(Location.created_at, Location.id)
        ):
            if not location.is_virtual:
                self.places_by_key.setdefault(location_key(location), location)

    def apply(self, offer: OfferData, service: Service | None) -> None:
        """Create or update the offer of one row and note the outcome in the report."""
        created = service is None
        if service is None:
            service = Service(
                organization=self.organization,
                external_id=offer.external_id,
                status=Status.DRAFT,
                name=offer.title,
            )
            self.session.add(service)
        changed = self.fields(service, offer.fields)
        changed |= self.vocabularies(service, offer)
        changed |= self.places(service, offer)
        changed |= self.schedules(service, offer.schedules)
        changed |= self.contacts(service, offer.contacts)
        changed |= self.phones(service, offer.phones)
        outcome = Outcome.CREATED if created else Outcome.UPDATED if changed else Outcome.UNCHANGED
        self.applied.append((offer, service, outcome))
        if len(self.applied) % FLUSH_EVERY == 0:
            self.session.flush()

    def finish(self) -> None:
        """Record a version of every new or changed offer, settle its status, tidy the places."""
        # With the rows written, each version's own flush adds little more than itself.
        self.session.flush()
        for offer, service, outcome in self.applied:
            if outcome is Outcome.CREATED and self.report.as_drafts:
                record_version(service, self.actor, VersionEvent.IMPORTED, note=self.note)
            elif outcome is Outcome.CREATED:
                self.submit(service)
            elif outcome is Outcome.UPDATED:
                apply_edit(service, self.actor, VersionEvent.IMPORTED, note=self.note)
                if not self.report.as_drafts and service.status is Status.DRAFT:
                    self.submit(service)
            self.report.rows.append(
                RowResult(
                    offer.row, offer.external_id, offer.title, outcome, service.status, service.id
                )
            )
        self.remove_unused_places()

    def may_publish(self, service: Service) -> bool:
        """Return whether the offer goes live without review; on the command line, if verified."""
        if self.actor is None:
            return self.organization.is_verified
        return may_publish_directly(service, self.actor)

    def submit(self, service: Service) -> None:
        """Publish the offer, or put it in the review queue, as ``publication.submit`` does.

        The admins hear about the queue once per import (see ``services``), not
        once per offer: an import of 300 offers must not send 300 e-mails.
        """
        if self.may_publish(service):
            publish(service, self.actor, VersionEvent.PUBLISHED).note = self.note
            return
        service.status = Status.PENDING_REVIEW
        record_version(
            service, self.actor, VersionEvent.SUBMITTED, note=self.note, is_published=False
        )
        self.needs_review = True

    # ----- the parts of an offer -----

    def fields(self, service: Service, values: dict[str, Any]) -> bool:
        """Set the offer's own fields the file gives; return whether any changed."""
        changed = False
        for name, value in values.items():
            if getattr(service, name) != value:
                setattr(service, name, value)
                changed = True
        return changed

    def vocabularies(self, service: Service, offer: OfferData) -> bool:
        """Make the offer's terms match the file's; return whether any changed."""
        current: dict[str, set[str]] = {}
        for attribute in service.attributes:
            term = attribute.taxonomy_term
            current.setdefault(term.taxonomy.code, set()).add(term.code)
        wanted = {taxonomy: set(codes) for taxonomy, codes in offer.terms.items()}
        if offer.feature_toggles:
            features = set(wanted.get("praktisk", current.get("praktisk", set())))
            for code, present in offer.feature_toggles.items():
                (features.add if present else features.discard)(code)
            wanted["praktisk"] = features
        changed = False
        for taxonomy, codes in wanted.items():
            if codes == current.get(taxonomy, set()):
                continue
            changed = True
            for attribute in list(service.attributes):
                term = attribute.taxonomy_term
                if term.taxonomy.code == taxonomy and term.code not in codes:
                    service.attributes.remove(attribute)
            for code in sorted(codes - current.get(taxonomy, set())):
                term = self.terms.get((taxonomy, code))
                if term is not None:  # an admin may have removed a derived feature's term
                    service.attributes.append(ServiceAttribute(taxonomy_term=term))
        return changed

    def places(self, service: Service, offer: OfferData) -> bool:
        """Make the offer's places match the file's; return whether they changed."""
        if offer.places is None:
            return False
        current = {location_key(link.location): link for link in service.service_at_locations}
        wanted: dict[tuple[Any, ...], PlaceData | None] = {p.key(): p for p in offer.places}
        if offer.keep_physical_places:
            kept = [key for key in current if key[0] == "physical"]
            if kept:
                # "Nationwide" needs a place of its own only when there is no other.
                wanted.pop(("virtual", VIRTUAL_NAMES["landsdaekkende"]), None)
            wanted |= dict.fromkeys(kept)
        if set(current) == set(wanted):
            for key, place in wanted.items():
                if place is not None:
                    _fill_coordinates(current[key].location, place)
            return False
        for key, link in current.items():
            if key not in wanted:
                self.dropped.append(link.location)
                service.service_at_locations.remove(link)
        for key, place in wanted.items():
            if key not in current and place is not None:
                location = self.location(place)
                service.service_at_locations.append(ServiceAtLocation(location=location))
        return True

    def location(self, place: PlaceData) -> Location:
        """Return the organisation's place with this address, adding it if it is new."""
        if not place.is_virtual and place.key() in self.places_by_key:
            location = self.places_by_key[place.key()]
            _fill_coordinates(location, place)
            return location
        location = Location(
            organization=self.organization,
            location_type=LocationType.VIRTUAL if place.is_virtual else LocationType.PHYSICAL,
            name=place.name,
            address_1=place.address_1,
            postal_code=place.postal_code,
            city=place.city,
            municipality_code=place.municipality_code,
        )
        _fill_coordinates(location, place)
        self.session.add(location)
        if not place.is_virtual:
            self.places_by_key[place.key()] = location
        return location

    def remove_unused_places(self) -> None:
        """Delete the places the import unlinked that no offer uses any more, as the editor does."""
        self.session.flush()
        for location in dict.fromkeys(self.dropped):
            still_used = self.session.scalar(
                sa.select(sa.func.count())
                .select_from(ServiceAtLocation)
                .where(ServiceAtLocation.location_id == location.id)
            )
            if not still_used:
                self.session.delete(location)
        self.session.flush()

    def schedules(self, service: Service, schedules: list[dict[str, Any]] | None) -> bool:
        """Replace the offer's meeting times if the file's differ; return whether they did."""
        if schedules is None:
            return False
        current = sorted(
            (_schedule_key({k: getattr(s, k) for k in SCHEDULE_KEYS}) for s in service.schedules),
            key=repr,
        )
        if current == sorted((_schedule_key(s) for s in schedules), key=repr):
            return False
        service.schedules.clear()
        service.schedules.extend(Schedule(**values) for values in schedules)
        return True

    def contacts(self, service: Service, contacts: list[dict[str, str | None]] | None) -> bool:
        """Replace the offer's contact persons if the file's differ; return whether they did."""
        if contacts is None:
            return False
        current = sorted((c.name or "", c.email or "") for c in service.contacts)
        if current == sorted((c["name"] or "", c["email"] or "") for c in contacts):
            return False
        service.contacts.clear()
        service.contacts.extend(Contact(name=c["name"], email=c["email"]) for c in contacts)
        return True

    def phones(self, service: Service, numbers: list[str] | None) -> bool:
        """Replace the offer's own phone numbers if the file's differ; return whether they did."""
        if numbers is None:
            return False
        own = [phone for phone in service.phones if phone.contact_id is None]
        if sorted(phone.number for phone in own) == sorted(numbers):
            return False
        for phone in own:
            service.phones.remove(phone)
        service.phones.extend(Phone(number=number, type="voice") for number in numbers)
        return True


def _fill_coordinates(location: Location, place: PlaceData) -> None:
    """Give a stored place the coordinates it lacks; never move one someone placed by hand."""
    if location.latitude is None and place.latitude is not None and place.longitude is not None:
        location.latitude = round(place.latitude, 6)
        location.longitude = round(place.longitude, 6)
    if location.municipality_code is None and place.municipality_code is not None:
        location.municipality_code = place.municipality_code


def existing_offers(
    session: so.Session, organization_id: uuid.UUID, external_ids: list[str]
) -> dict[str, Service]:
    """Return the organisation's offers with these external ids, with everything compared."""
    found: dict[str, Service] = {}
    for start in range(0, len(external_ids), 500):
        chunk = external_ids[start : start + 500]
        services = session.scalars(
            sa.select(Service)
            .where(Service.organization_id == organization_id, Service.external_id.in_(chunk))
            .options(
                so.selectinload(Service.attributes)
                .joinedload(ServiceAttribute.taxonomy_term)
                .joinedload(TaxonomyTerm.taxonomy),
                so.selectinload(Service.service_at_locations).joinedload(
                    ServiceAtLocation.location
                ),
                so.selectinload(Service.schedules),
                so.selectinload(Service.contacts),
                so.selectinload(Service.phones),
            )
        )
        found |= {service.external_id: service for service in services if service.external_id}
    return found
