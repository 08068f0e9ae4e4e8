"""Import every model so that the metadata is complete (for Alembic and create_all)."""

from portal.accounts.models import Invitation, MemberRole, Membership, User
from portal.db import Base
from portal.find.models import SearchOutbox, SynonymGroup
from portal.geo.models import GeocodeCache, Municipality, Postcode, Region
from portal.mail.models import MailMessage, MailStatus
from portal.moderation.models import ProblemKind, ProblemReport, ServiceVersion, VersionEvent
from portal.offers.models import (
    Frequency,
    Location,
    LocationType,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    ServiceViewDay,
)
from portal.organizations.models import ClaimRequest, ClaimStatus, Contact, Organization, Phone
from portal.taxonomy.models import ServiceAttribute, Taxonomy, TaxonomyTerm

__all__ = [
    "Base",
    "ClaimRequest",
    "ClaimStatus",
    "Contact",
    "Frequency",
    "GeocodeCache",
    "Invitation",
    "Location",
    "LocationType",
    "MailMessage",
    "MailStatus",
    "MemberRole",
    "Membership",
    "Municipality",
    "Organization",
    "Phone",
    "Postcode",
    "ProblemKind",
    "ProblemReport",
    "Region",
    "Schedule",
    "SearchOutbox",
    "Service",
    "ServiceAtLocation",
    "ServiceAttribute",
    "ServiceStatus",
    "ServiceVersion",
    "ServiceViewDay",
    "SynonymGroup",
    "Taxonomy",
    "TaxonomyTerm",
    "User",
    "VersionEvent",
]
