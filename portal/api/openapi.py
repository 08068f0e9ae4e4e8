"""The OpenAPI 3.1 description of the open-data API at /api/v1.

Response bodies point at the official Open Referral HSDS 3.0 JSON schemas by
their canonical URLs, as the official HSDS OpenAPI document does; the schemas
themselves are never copied into this repository.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

HSDS_VERSION = "3.0"
HSDS_SCHEMA_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
API_VERSION = "1.0.0"
API_PREFIX = "/api/v1"
MAX_PER_PAGE = 100
MAX_PROXIMITY_METRES = 500_000

JSON = "application/json"


def hsds_schema(name: str) -> dict[str, str]:
    """Return a reference to the official HSDS 3.0 schema file ``name``."""
    return {"$ref": HSDS_SCHEMA_BASE + name}


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _query(name: str, description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        **extra,
    }


UUID = {"type": "string", "format": "uuid"}

PARAMETERS: dict[str, dict[str, Any]] = {
    "id": {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "The id (a UUID) of the object to retrieve.",
        "schema": UUID,
    },
    "search": _query(
        "search",
        "Full-text search with the same engine as the portal's search page "
        "(Danish analysis, typo tolerance).",
        {"type": "string", "maxLength": 200},
    ),
    "page": _query(
        "page", "Page number of the paginated result, from 1.", {"type": "integer", "minimum": 1}
    ),
    "per_page": _query(
        "per_page",
        f"Number of results in one page, at most {MAX_PER_PAGE}.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
    ),
    "taxonomy_term_id": _query(
        "taxonomy_term_id",
        "Only results with this taxonomy term. Repeat the parameter, or give a comma-separated "
        "list, to require several terms (filters combine with AND); the portal's own filters "
        "(target group, weekday, free, accessibility) are taxonomy terms too.",
        {"type": "array", "items": UUID},
        style="form",
        explode=True,
    ),
    "taxonomy_id": _query("taxonomy_id", "Only results with any term of this taxonomy.", UUID),
    "organization_id": _query(
        "organization_id", "Only results provided by this organization.", UUID
    ),
    "modified_after": _query(
        "modified_after",
        "Only results modified on or after this date and time (RFC 3339).",
        {"type": "string", "format": "date-time"},
    ),
    "minimal": _query(
        "minimal",
        "Return each service with just its id and modification date.",
        {"type": "boolean"},
    ),
    "full": _query(
        "full", "Return each service fully nested, as /services/{id} does.", {"type": "boolean"}
    ),
    "postcode": _query(
        "postcode",
        "A Danish postcode. With proximity: only results within proximity metres of the "
        "postcode's centroid.",
        {"type": "string", "pattern": "^[0-9]{4}$"},
    ),
    "proximity": _query(
        "proximity",
        "Distance in metres from the postcode's centroid, or, as an extension of HSDS, "
        "from the point given by lat and long.",
        {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_PROXIMITY_METRES},
    ),
    "lat": _query(
        "lat",
        "Extension of HSDS: latitude (WGS 84) of a point to search around. Give it with "
        "long; results are sorted by distance from the point.",
        {"type": "number", "minimum": -90, "maximum": 90},
        **{"x-extension": True},
    ),
    "long": _query(
        "long",
        "Extension of HSDS: longitude (WGS 84) of a point to search around. Give it with "
        "lat; results are sorted by distance from the point.",
        {"type": "number", "minimum": -180, "maximum": 180},
        **{"x-extension": True},
    ),
}

POINT_PROXIMITY = {
    **PARAMETERS["proximity"],
    "description": "Extension of HSDS: only results within this many metres of the point "
    "given by lat and long.",
    "x-extension": True,
}

HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "Version of the response; send it back in If-None-Match.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "How long the response may be cached.",
        "schema": {"type": "string"},
    },
    "Access-Control-Allow-Origin": {
        "description": "The API may be called from any web page.",
        "schema": {"type": "string", "const": "*"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    },
}

OK_HEADERS = {
    name: _ref("headers", name) for name in ("ETag", "Cache-Control", "Access-Control-Allow-Origin")
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Page": {
        "type": "object",
        "description": "The HSDS paginated envelope.",
        "required": [
            "total_items",
            "total_pages",
            "page_number",
            "size",
            "first_page",
            "last_page",
            "empty",
            "contents",
        ],
        "properties": {
            "total_items": {"type": "integer", "minimum": 0, "description": "Number of results."},
            "total_pages": {"type": "integer", "minimum": 0, "description": "Number of pages."},
            "page_number": {"type": "integer", "minimum": 1, "description": "This page's number."},
            "size": {"type": "integer", "minimum": 0, "description": "Results in this page."},
            "first_page": {"type": "boolean", "description": "Whether this is the first page."},
            "last_page": {"type": "boolean", "description": "Whether this is the last page."},
            "empty": {"type": "boolean", "description": "Whether there are no results."},
            "contents": {"type": "array", "description": "The results in this page."},
        },
    },
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "integer", "description": "The HTTP status code."},
            "message": {"type": "string", "description": "What went wrong, in English."},
            "parameter": {
                "type": "string",
                "description": "The parameter that was not valid (400 only).",
            },
        },
    },
    "ApiInfo": {
        "type": "object",
        "required": ["version", "openapi_url"],
        "properties": {
            "version": {"type": "string", "description": "HSDS version of this API."},
            "profile": {
                "type": "string",
                "format": "uri",
                "description": "URL of the HSDS profile of this API.",
            },
            "openapi_url": {
                "type": "string",
                "format": "uri",
                "description": "URL of this OpenAPI document.",
            },
        },
    },
    "MinimalService": {
        "type": "object",
        "description": "A service with just its id and modification date (minimal=true).",
        "required": ["id"],
        "properties": {"id": UUID, "modified_date": {"type": "string", "format": "date-time"}},
    },
}


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {JSON: {"schema": _ref("schemas", "Error")}},
    }
    if headers:
        response["headers"] = headers
    return response


RESPONSES: dict[str, dict[str, Any]] = {
    "NotModified": {
        "description": "Not modified: the ETag in If-None-Match still matches.",
        "headers": {
            "ETag": _ref("headers", "ETag"),
            "Cache-Control": _ref("headers", "Cache-Control"),
        },
    },
    "BadRequest": _error("A parameter is not valid; `parameter` names it."),
    "NotFound": _error("There is no published object with this id."),
    "TooManyRequests": _error(
        "Too many requests from this client; wait as Retry-After says.",
        {"Retry-After": _ref("headers", "Retry-After")},
    ),
}


def _operation(
    operation_id: str,
    summary: str,
    schema: dict[str, Any],
    parameters: Sequence[str | dict[str, Any]] = (),
    *,
    item: bool = False,
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": summary,
            "headers": OK_HEADERS,
            "content": {JSON: {"schema": schema}},
        },
        "304": _ref("responses", "NotModified"),
        "400": _ref("responses", "BadRequest"),
        "429": _ref("responses", "TooManyRequests"),
    }
    if item:
        responses["404"] = _ref("responses", "NotFound")
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [
                _ref("parameters", p) if isinstance(p, str) else p
                for p in ([*parameters, "id"] if item else parameters)
            ],
            "responses": responses,
        }
    }


def _page_of(*item_schemas: dict[str, Any]) -> dict[str, Any]:
    items = item_schemas[0] if len(item_schemas) == 1 else {"anyOf": list(item_schemas)}
    return {
        "allOf": [_ref("schemas", "Page")],
        "properties": {"contents": {"type": "array", "items": items}},
    }


def _paths() -> dict[str, Any]:
    service_filters = ["taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after"]
    return {
        "/": _operation("getApiInfo", "Information about this API.", _ref("schemas", "ApiInfo")),
        "/services": _operation(
            "getServices",
            "Published services (offers), one page at a time.",
            _page_of(
                hsds_schema("compiled/service_list.json"),
                hsds_schema("compiled/service.json"),
                _ref("schemas", "MinimalService"),
            ),
            [
                "search",
                "page",
                "per_page",
                *service_filters,
                "minimal",
                "full",
                "lat",
                "long",
                POINT_PROXIMITY,
            ],
        ),
        "/services/{id}": _operation(
            "getService",
            "One published service, fully nested.",
            hsds_schema("compiled/service.json"),
            item=True,
        ),
        "/organizations": _operation(
            "getOrganizations",
            "Organizations with published services, one page at a time.",
            _page_of(hsds_schema("compiled/organization_list.json")),
            ["search", "page", "per_page"],
        ),
        "/organizations/{id}": _operation(
            "getOrganization",
            "One organization, fully nested.",
            hsds_schema("compiled/organization.json"),
            item=True,
        ),
        "/service_at_locations": _operation(
            "getServiceAtLocations",
            "Published services at their locations, one page at a time.",
            _page_of(hsds_schema("compiled/service_at_location_list.json")),
            [
                "search",
                "page",
                "per_page",
                *service_filters,
                "postcode",
                "proximity",
                "lat",
                "long",
            ],
        ),
        "/service_at_locations/{id}": _operation(
            "getServiceAtLocation",
            "One published service at one location, fully nested.",
            hsds_schema("compiled/service_at_location.json"),
            item=True,
        ),
        "/taxonomies": _operation(
            "getTaxonomies",
            "The taxonomies (vocabularies) the services are classified with.",
            _page_of(hsds_schema("taxonomy.json")),
            ["page", "per_page"],
        ),
        "/taxonomies/{id}": _operation(
            "getTaxonomy", "One taxonomy.", hsds_schema("taxonomy.json"), item=True
        ),
        "/taxonomy_terms": _operation(
            "getTaxonomyTerms",
            "The terms of the taxonomies, one page at a time.",
            _page_of(hsds_schema("taxonomy_term.json")),
            ["page", "per_page", "taxonomy_id"],
        ),
        "/taxonomy_terms/{id}": _operation(
            "getTaxonomyTerm", "One taxonomy term.", hsds_schema("taxonomy_term.json"), item=True
        ),
    }


DESCRIPTION = """\
The open data of Fællesskabsportalen, the Danish national directory of communities \
against loneliness, as an Open Referral HSDS 3.0 API. Only published offers are served, \
and never personal data. Lists use the HSDS paginated envelope; errors are JSON objects \
(see the Error schema). Responses carry an ETag and Cache-Control, answer If-None-Match \
with 304, allow any origin (CORS), and are rate limited per client (429 with Retry-After). \
The parameters lat, long and proximity on /services, and lat and long on \
/service_at_locations, are extensions of HSDS (marked x-extension).

Dansk: Fællesskabsportalens åbne data om fællesskaber mod ensomhed i hele Danmark, \
efter standarden Open Referral HSDS 3.0. Kun offentliggjorte tilbud og ingen persondata."""


def build_openapi(server_url: str) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of the API served at ``server_url`` (ending in /api/v1)."""
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Fællesskabsportalen open data API (Open Referral HSDS 3.0)",
            "version": API_VERSION,
            "summary": "Communities against loneliness in Denmark, as Open Referral HSDS 3.0.",
            "description": DESCRIPTION,
            "contact": {"name": "Fællesskabsportalen"},
            "license": {
                "name": "Creative Commons Attribution 4.0 International (CC BY 4.0), for the data",
                "identifier": "CC-BY-4.0",
            },
        },
        "externalDocs": {
            "description": "Open Referral Human Services Data Specification 3.0",
            "url": "https://docs.openreferral.org/en/3.0/",
        },
        "servers": [{"url": server_url.rstrip("/"), "description": "Fællesskabsportalen"}],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "parameters": PARAMETERS,
            "headers": HEADERS,
            "responses": RESPONSES,
        },
    }
