"""Import every model so that the metadata is complete (for Alembic and create_all)."""

from portal.accounts.models import Invitation, MemberRole, Membership, User
from portal.db import Base
from portal.find.models import SearchOutbox, SynonymGroup
from portal.geo.models import GeocodeCache, Municipality, Postcode, Region
from portal.knowledge.models import (
    KnowledgeAttachment,
    KnowledgeAudience,
    KnowledgeItem,
    KnowledgeRevision,
    KnowledgeTag,
)
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
from portal.referrals.models import (
    AuditEntry,
    ProfessionalProfile,
    Referral,
    ReferralEvent,
)
from portal.statistics.models import MunicipalityBoundary, MunicipalityPopulation, SearchDemandDay
from portal.taxonomy.models import ServiceAttribute, Taxonomy, TaxonomyTerm
from portal.twofactor.models import RecoveryCode, TwoFactor

__all__ = [
    "AuditEntry",
    "Base",
    "ClaimRequest",
    "ClaimStatus",
    "Contact",
    "Frequency",
    "GeocodeCache",
    "Invitation",
    "KnowledgeAttachment",
    "KnowledgeAudience",
    "KnowledgeItem",
    "KnowledgeRevision",
    "KnowledgeTag",
    "Location",
    "LocationType",
    "MailMessage",
    "MailStatus",
    "MemberRole",
    "Membership",
    "Municipality",
    "MunicipalityBoundary",
    "MunicipalityPopulation",
    "Organization",
    "Phone",
    "Postcode",
    "ProblemKind",
    "ProblemReport",
    "ProfessionalProfile",
    "RecoveryCode",
    "Referral",
    "ReferralEvent",
    "Region",
    "Schedule",
    "SearchDemandDay",
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
    "TwoFactor",
    "User",
    "VersionEvent",
]
