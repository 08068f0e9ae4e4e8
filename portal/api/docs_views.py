"""The API's OpenAPI document and its human-readable documentation page."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from portal.api.openapi import (
    API_PREFIX,
    HSDS_VERSION,
    MAX_PER_PAGE,
    MAX_PROXIMITY_METRES,
    build_openapi,
)

bp = Blueprint("api_docs", __name__)

OPENAPI_MAX_AGE = 3600

ENDPOINT_TEXTS = {
    "/": _l("Oplysninger om API'et: HSDS-version, profil og adressen på OpenAPI-dokumentet."),
    "/services": _l("Offentliggjorte fællesskaber (HSDS: services), side for side."),
    "/services/{id}": _l(
        "Ét fællesskab med alt: forening, steder og adresser, mødetider, telefon, "
        "kontakter, emneord, priser og sprog."
    ),
    "/organizations": _l("Foreninger og grupper med offentliggjorte fællesskaber, side for side."),
    "/organizations/{id}": _l("Én forening eller gruppe med dens fællesskaber."),
    "/service_at_locations": _l(
        "Fællesskaber på deres mødesteder, side for side; kan søges nær et postnummer "
        "eller et punkt."
    ),
    "/service_at_locations/{id}": _l("Ét fællesskab på ét mødested, med alt."),
    "/taxonomies": _l("Ordlisterne som fællesskaberne er klassificeret med."),
    "/taxonomies/{id}": _l("Én ordliste."),
    "/taxonomy_terms": _l("Emneordene i ordlisterne, side for side."),
    "/taxonomy_terms/{id}": _l("Ét emneord."),
}

PARAMETER_TEXTS = {
    "id": _l("Id'et (et UUID) på det, du vil hente."),
    "search": _l(
        "Fritekstsøgning med samme søgemaskine som portalens søgeside (dansk sprog, "
        "tåler stavefejl)."
    ),
    "page": _l("Sidenummer, fra 1."),
    "per_page": _l("Antal resultater pr. side, 1 til %(max)s.", max=MAX_PER_PAGE),
    "taxonomy_term_id": _l(
        "Kun resultater med dette emneord. Gentag parameteren, eller skriv flere id'er "
        "adskilt af komma, for at kræve flere emneord. "
        "Portalens egne filtre (målgruppe, ugedag, gratis, tilgængelighed) er også emneord."
    ),
    "taxonomy_id": _l("Kun resultater med et emneord fra denne ordliste."),
    "organization_id": _l("Kun resultater fra denne forening eller gruppe."),
    "modified_after": _l("Kun resultater ændret på eller efter dette tidspunkt (RFC 3339)."),
    "minimal": _l("true: kun id og ændringsdato for hvert fællesskab."),
    "full": _l("true: hvert fællesskab med alt, som i /services/{id}."),
    "postcode": _l("Et dansk postnummer (fire cifre). Bruges med proximity."),
    "proximity": _l(
        "Afstand i meter (over 0, højst %(max)s) fra postnummerets midtpunkt eller fra "
        "punktet i lat og long.",
        max=MAX_PROXIMITY_METRES,
    ),
    "lat": _l("Breddegrad (WGS 84, −90 til 90) for en søgning nær et punkt; bruges med long."),
    "long": _l("Længdegrad (WGS 84, −180 til 180) for en søgning nær et punkt; bruges med lat."),
}

EXAMPLE_RESPONSE = {
    "total_items": 1,
    "total_pages": 1,
    "page_number": 1,
    "size": 1,
    "first_page": True,
    "last_page": True,
    "empty": False,
    "contents": [
        {
            "id": "0f6c2a56-8a4e-4d4b-9c0e-3f2b1a7d9e11",
            "name": "Fællesspisning i Thisted",
            "description": "Vi laver mad sammen og spiser ved et langt bord.",
            "status": "active",
            "organization_id": "5b1d7e2c-1c1a-4f8e-8f43-2a9c6d0b7e55",
        }
    ],
}

EXAMPLE_ERROR = {
    "error": 400,
    "message": "per_page must be a whole number from 1 to 100.",
    "parameter": "per_page",
}


def api_base_url() -> str:
    """Return the API's base URL on the host the visitor used."""
    return request.url_root.rstrip("/") + API_PREFIX


def _schema_type(schema: dict[str, Any]) -> str:
    if schema.get("type") == "array":
        return _schema_type(schema["items"]) + "[]"
    return schema.get("format") or schema.get("type", "")


def _endpoints(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Return each path of ``document`` with its parameters, for the page."""
    parameters = document["components"]["parameters"]
    endpoints = []
    for path, item in document["paths"].items():
        rows = []
        for parameter in item["get"].get("parameters", []):
            if "$ref" in parameter:
                parameter = parameters[parameter["$ref"].rsplit("/", 1)[1]]
            rows.append(
                {
                    "name": parameter["name"],
                    "type": _schema_type(parameter["schema"]),
                    "text": PARAMETER_TEXTS[parameter["name"]],
                    "is_extension": parameter.get("x-extension", False),
                }
            )
        endpoints.append({"path": path, "text": ENDPOINT_TEXTS[path], "parameters": rows})
    return endpoints


@bp.get(f"{API_PREFIX}/openapi.json")
def openapi_document() -> Response:
    """Serve the OpenAPI 3.1 description of the API."""
    response = jsonify(build_openapi(api_base_url()))
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public = True
    response.cache_control.max_age = OPENAPI_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/api")
def api_page() -> str:
    """Show how to use the open-data API, with examples."""
    base = api_base_url()
    document = build_openapi(base)
    return render_template(
        "api/index.html",
        base_url=base,
        openapi_url=f"{base}/openapi.json",
        hsds_version=HSDS_VERSION,
        endpoints=_endpoints(document),
        max_per_page=MAX_PER_PAGE,
        rate_limit=current_app.config.get("RATELIMIT_API")
        or current_app.config.get("RATELIMIT_SEARCH"),
        example_response=json.dumps(EXAMPLE_RESPONSE, ensure_ascii=False, indent=2),
        example_error=json.dumps(EXAMPLE_ERROR, ensure_ascii=False, indent=2),
    )
