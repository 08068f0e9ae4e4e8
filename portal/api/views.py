"""The public, read-only Open Referral HSDS 3.0 API at /api/v1."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, current_app, jsonify, request, url_for
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.wrappers import Response

from portal.api import hsds
from portal.api.params import (
    ListRequest,
    ParamError,
    parse_bool,
    parse_optional_uuid,
    parse_paging,
    parse_search,
    parse_service_at_location_list,
    parse_service_list,
    parse_uuid,
)
from portal.extensions import db, limiter
from portal.find.engine import search_engine
from portal.taxonomy.models import Taxonomy, TaxonomyTerm

bp = Blueprint("api", __name__, url_prefix="/api/v1")

CACHE_CONTROL = "public, max-age=300"


def _api_limit() -> str:
    return current_app.config["RATELIMIT_SEARCH"]


def _error(code: int, message: str, parameter: str | None = None) -> Response:
    body: dict[str, Any] = {"error": code, "message": message}
    if parameter is not None:
        body["parameter"] = parameter
    response = jsonify(body)
    response.status_code = code
    return response


@bp.errorhandler(ParamError)
def bad_parameter(error: ParamError) -> Response:
    """Answer 400 naming the parameter that could not be used."""
    return _error(400, error.message, error.parameter)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    """Answer an HTTP error as JSON, keeping its headers (e.g. Retry-After on 429)."""
    response = _error(
        error.code or 500, error.description or error.name, getattr(error, "parameter", None)
    )
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


@bp.after_request
def cache_and_share(response: Response) -> Response:
    """Add CORS, Cache-Control and an ETag (answering 304 when the client has it)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.add_etag()
        response.make_conditional(request)
    return response


def _search_ids(text: str) -> list[uuid.UUID] | None:
    if not text:
        return None
    engine = search_engine()
    return hsds.search_service_ids(db.session, engine, text, current_app.config["SEARCH_TIMEOUT"])


def _postcode_centre(code: str) -> tuple[float, float]:
    centre = hsds.postcode_centroid(db.session, code)
    if centre is None:
        raise ParamError("postcode", "postcode is not a known Danish postcode")
    return centre


def _point(parsed: ListRequest) -> tuple[float, float, float | None] | None:
    if parsed.point is not None:
        return parsed.point.lat, parsed.point.lon, parsed.point.proximity_m
    return None


@bp.get("/")
@limiter.limit(_api_limit)
def index() -> Response:
    """Describe the API: HSDS version, profile and where its OpenAPI document is."""
    return jsonify(
        version=hsds.HSDS_VERSION,
        profile=hsds.HSDS_PROFILE,
        openapi_url=url_for("api.index", _external=True) + "openapi.json",
    )


@bp.get("/services")
@limiter.limit(_api_limit)
def services() -> Response:
    """List public offers, filtered, searched or nearest first, in the HSDS envelope."""
    parsed = parse_service_list(request.args)
    options = hsds.load_options_for_services() if parsed.full else []
    page = hsds.list_services(
        db.session,
        parsed.filters,
        parsed.paging.page,
        parsed.paging.per_page,
        search_ids=_search_ids(parsed.search),
        point=_point(parsed),
        options=options,
    )
    if parsed.minimal:
        serialise = hsds.service_minimal
    else:
        serialise = hsds.service_full if parsed.full else hsds.service_basic
    return jsonify(hsds.envelope(page, [serialise(s) for s in page.items]))


@bp.get("/services/<service_id>")
@limiter.limit(_api_limit)
def service(service_id: str) -> Response:
    """Show one public offer fully nested."""
    found = hsds.get_public_service(db.session, parse_uuid(service_id, "id"))
    if found is None:
        raise NotFound("No public service has this id.")
    return jsonify(hsds.service_full(found))


@bp.get("/service_at_locations")
@limiter.limit(_api_limit)
def service_at_locations() -> Response:
    """List public offers at their places, by postcode, point or search, in the HSDS envelope."""
    parsed = parse_service_at_location_list(request.args)
    point = _point(parsed)
    if parsed.near_postcode is not None and point is not None:
        point = (*_postcode_centre(parsed.near_postcode), point[2])
    page = hsds.list_service_at_locations(
        db.session,
        parsed.filters,
        parsed.paging.page,
        parsed.paging.per_page,
        search_ids=_search_ids(parsed.search),
        point=point,
    )
    serialise = hsds.service_at_location_full if parsed.full else hsds.service_at_location_listed
    return jsonify(hsds.envelope(page, [serialise(s) for s in page.items]))


@bp.get("/service_at_locations/<sal_id>")
@limiter.limit(_api_limit)
def service_at_location(sal_id: str) -> Response:
    """Show one public offer at a place, with the whole offer."""
    found = hsds.get_public_service_at_location(db.session, parse_uuid(sal_id, "id"))
    if found is None:
        raise NotFound("No public service_at_location has this id.")
    return jsonify(hsds.service_at_location_full(found))


@bp.get("/organizations")
@limiter.limit(_api_limit)
def organizations() -> Response:
    """List organisations that have public offers, in the HSDS envelope."""
    paging = parse_paging(request.args)
    full = parse_bool(request.args, "full") or parse_bool(request.args, "full_service")
    page = hsds.list_organizations(
        db.session, paging.page, paging.per_page, parse_search(request.args), full=full
    )
    serialise = hsds.organization_full if full else hsds.organization_basic
    return jsonify(hsds.envelope(page, [serialise(o) for o in page.items]))


@bp.get("/organizations/<org_id>")
@limiter.limit(_api_limit)
def organization(org_id: str) -> Response:
    """Show one organisation with its contacts, places and public offers."""
    found = hsds.get_public_organization(db.session, parse_uuid(org_id, "id"))
    if found is None:
        raise NotFound("No organization with public services has this id.")
    return jsonify(hsds.organization_full(found))


@bp.get("/taxonomies")
@limiter.limit(_api_limit)
def taxonomies() -> Response:
    """List the vocabularies offers are described with."""
    paging = parse_paging(request.args)
    page = hsds.list_taxonomies(db.session, paging.page, paging.per_page)
    return jsonify(hsds.envelope(page, [hsds.taxonomy(t) for t in page.items]))


@bp.get("/taxonomies/<taxonomy_id>")
@limiter.limit(_api_limit)
def taxonomy(taxonomy_id: str) -> Response:
    """Show one vocabulary."""
    found = db.session.get(Taxonomy, parse_uuid(taxonomy_id, "id"))
    if found is None:
        raise NotFound("No taxonomy has this id.")
    return jsonify(hsds.taxonomy(found))


@bp.get("/taxonomy_terms")
@limiter.limit(_api_limit)
def taxonomy_terms() -> Response:
    """List the terms of the vocabularies, optionally of one."""
    paging = parse_paging(request.args)
    taxonomy_id = parse_optional_uuid(request.args, "taxonomy_id")
    page = hsds.list_taxonomy_terms(db.session, paging.page, paging.per_page, taxonomy_id)
    return jsonify(hsds.envelope(page, [hsds.taxonomy_term(t) for t in page.items]))


@bp.get("/taxonomy_terms/<term_id>")
@limiter.limit(_api_limit)
def taxonomy_term(term_id: str) -> Response:
    """Show one term with its vocabulary."""
    found = db.session.get(TaxonomyTerm, parse_uuid(term_id, "id"))
    if found is None:
        raise NotFound("No taxonomy_term has this id.")
    return jsonify(hsds.taxonomy_term(found))
