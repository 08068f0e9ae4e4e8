"""Bulk import of an association's offers: read the whole file, check it all, then write it all.

``import_offers`` adds and flushes; it never commits. All or nothing is the
caller's single decision afterwards: commit when the report is ok and it is
not a dry run, otherwise roll back. A dry run goes through exactly the same
steps (writing, then rolling back), so what it reports is what a real run does.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from portal.accounts.models import User
from portal.geo.geocoding import Place, geocode
from portal.imports.csv_format import FileProblem, decode, read_csv
from portal.imports.hsds_format import looks_like_json, read_hsds
from portal.imports.report import ImportReport, OfferData, ParsedFile, Problem
from portal.imports.values import Vocabulary, load_vocabulary
from portal.imports.writer import Writer, existing_offers
from portal.mail.services import queue_mail
from portal.offers.editor_places import nearest_municipality
from portal.organizations.models import Organization
from portal.taxonomy.services import terms_by_code

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024
# Hundreds of rows must not wait a second each for an online geocoder: the
# import uses the cache and the built-in Danish places only.
OFFLINE_GEOCODING = {"GEOCODER": "offline"}


def read_file(data: bytes, vocabulary: Vocabulary) -> ParsedFile:
    """Read an uploaded file as HSDS JSON or as the CSV template, whichever it is."""
    try:
        text = decode(data)
    except FileProblem as problem:
        return ParsedFile("csv", errors=[Problem(None, "", str(problem))])
    if looks_like_json(text):
        return read_hsds(text, vocabulary)
    return read_csv(text, vocabulary)


def import_offers(
    session: so.Session,
    organization: Organization,
    data: bytes,
    *,
    actor: User | None,
    dry_run: bool,
    as_drafts: bool,
    source: str,
) -> ImportReport:
    """Check a file and write its offers into ``organization``; the caller commits or rolls back.

    Offers are matched to the organisation's own by external id; anything in
    the file about another organisation or about status is ignored.
    """
    vocabulary = load_vocabulary(session)
    parsed = read_file(data, vocabulary)
    report = ImportReport(parsed.format, dry_run, as_drafts, [], parsed.errors, parsed.warnings)
    existing = existing_offers(session, organization.id, [o.external_id for o in parsed.offers])
    for offer in parsed.offers:
        placeless = offer.places is None or (offer.keep_physical_places and not offer.places)
        if placeless and offer.external_id not in existing:
            report.errors.append(
                Problem(
                    offer.row,
                    "postnummer",
                    _(
                        "Et nyt tilbud skal have et sted: tilføj kolonnerne postnummer og by – "
                        "eller online, telefon eller landsdækkende."
                    ),
                )
            )
    locate(session, parsed.offers, report)
    if report.errors:
        return report
    note = _("Importeret fra %(file)s", file=source[:200])
    writer = Writer(session, organization, actor, report, terms_by_code(session), note)
    try:
        for offer in parsed.offers:
            writer.apply(offer, existing.get(offer.external_id))
        writer.finish()
    except (sa.exc.IntegrityError, StaleDataError) as error:
        logger.warning("Import into organisation %s collided: %s", organization.id, type(error))
        report.rows.clear()
        report.errors.append(
            Problem(
                None,
                "",
                _(
                    "Nogle af tilbuddene blev ændret et andet sted, mens filen blev importeret. "
                    "Intet er gemt. Prøv igen."
                ),
            )
        )
        return report
    if writer.needs_review and not dry_run:
        notify_reviewers(session)
    logger.info(
        "Import into organisation %s (%s, dry run %s): %s rows",
        organization.id,
        parsed.format,
        dry_run,
        len(report.rows),
    )
    return report


def locate(session: so.Session, offers: list[OfferData], report: ImportReport) -> None:
    """Find every physical place on the map; a place that cannot be found is a row error."""
    found: dict[str, Place | None] = {}
    for offer in offers:
        for place in offer.places or []:
            query = " ".join(part for part in (place.postal_code, place.city) if part)
            if place.is_virtual or not query:
                continue
            if query not in found:
                found[query] = geocode(session, query, config=OFFLINE_GEOCODING)
            point = found[query]
            if point is None:
                if place.latitude is None:
                    report.errors.append(
                        Problem(
                            offer.row,
                            offer.place_column,
                            _(
                                "Portalen kan ikke finde »%(place)s« på kortet. Tjek "
                                "postnummer og by.",
                                place=query,
                            ),
                        )
                    )
                continue
            if place.latitude is None:
                place.latitude, place.longitude = point.lat, point.lon
            place.municipality_code = point.municipality_code or nearest_municipality(
                point.lat, point.lon
            )


def notify_reviewers(session: so.Session) -> None:
    """Tell each admin once that offers from this import wait for review."""
    for admin_email in session.scalars(
        sa.select(User.email).where(User.is_admin, sa.not_(User.is_disabled))
    ):
        queue_mail(admin_email, _("Nyt tilbud venter på godkendelse"), "review_requested")
