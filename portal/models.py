"""Import every model so that the metadata is complete (for Alembic and create_all)."""

from portal.db import Base
from portal.find.models import SearchOutbox, SynonymGroup
from portal.geo.models import GeocodeCache, Municipality, Postcode, Region
from portal.offers.models import (
    Frequency,
    Location,
    LocationType,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
)
from portal.organizations.models import Contact, Organization, Phone
from portal.taxonomy.models import ServiceAttribute, Taxonomy, TaxonomyTerm

__all__ = [
    "Base",
    "Contact",
    "Frequency",
    "GeocodeCache",
    "Location",
    "LocationType",
    "Municipality",
    "Organization",
    "Phone",
    "Postcode",
    "Region",
    "Schedule",
    "SearchOutbox",
    "SynonymGroup",
    "Service",
    "ServiceAtLocation",
    "ServiceAttribute",
    "ServiceStatus",
    "Taxonomy",
    "TaxonomyTerm",
]
