"""The OpenAPI document of the open-data API and the page that explains the API.

Validation never goes on the network: the official HSDS schemas are read from
HSDS_SCHEMA_DIR when it is set; otherwise the references to them are checked
for shape only (they must point at the official schema URLs) and stand in as
empty schemas.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any

import flask_babel
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from portal.api.openapi import API_PREFIX, HSDS_SCHEMA_BASE, build_openapi
from tests.main.test_pages import structure, visible_text

HSDS_SCHEMA_DIR = os.environ.get("HSDS_SCHEMA_DIR", "")
SERVER = "https://fællesskab.example/api/v1"


def _official_schema(uri: str) -> dict[str, Any]:
    """Read an official HSDS schema from HSDS_SCHEMA_DIR instead of the network."""
    assert uri.startswith(HSDS_SCHEMA_BASE), f"not an official HSDS schema: {uri}"
    return json.loads(Path(HSDS_SCHEMA_DIR, uri.removeprefix(HSDS_SCHEMA_BASE)).read_text())


def _stand_in(uri: str) -> dict[str, Any]:
    """Accept an official HSDS schema reference without fetching it."""
    assert uri.startswith(HSDS_SCHEMA_BASE), f"not an official HSDS schema: {uri}"
    return {}


class OfflineValidator(OpenAPIV31SpecValidator):
    resolver_handlers = {
        "http": _official_schema if HSDS_SCHEMA_DIR else _stand_in,
        "https": _official_schema if HSDS_SCHEMA_DIR else _stand_in,
    }


def _get(client, url: str, **kwargs):
    flask_babel.refresh()
    return client.get(url, **kwargs)


@pytest.fixture
def docs_app(app):
    """Return the app with the docs blueprint registered, as portal/__init__.py will."""
    if "api_docs" not in app.blueprints:
        from portal.api.docs_views import bp

        app.register_blueprint(bp)
    return app


@pytest.fixture
def docs_client(docs_app, client):
    return client


# ---------- the document ----------


def test_document_is_valid_openapi_3_1() -> None:
    document = build_openapi(SERVER)

    OfflineValidator(document).validate()

    assert document["openapi"] == "3.1.0"
    assert document["jsonSchemaDialect"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["servers"] == [{"url": SERVER, "description": "Fællesskabsportalen"}]
    assert document["info"]["license"]["identifier"] == "CC-BY-4.0"
    assert "Dansk:" in document["info"]["description"]


def test_validation_catches_a_broken_document() -> None:
    document = copy.deepcopy(build_openapi(SERVER))
    document["paths"]["/services"]["get"]["responses"]["200"]["content"] = "not a map"

    with pytest.raises(OpenAPIValidationError):
        OfflineValidator(document).validate()


def test_bodies_reference_the_official_hsds_schemas_without_copying_them() -> None:
    text = json.dumps(build_openapi(SERVER))
    references = set(re.findall(r'"\$ref": "(https?://[^"]+)"', text))

    assert references == {
        HSDS_SCHEMA_BASE + name
        for name in (
            "compiled/service.json",
            "compiled/service_list.json",
            "compiled/organization.json",
            "compiled/organization_list.json",
            "compiled/service_at_location.json",
            "compiled/service_at_location_list.json",
            "taxonomy.json",
            "taxonomy_term.json",
        )
    }
    assert '"datapackage_metadata"' not in text
    repository = Path(__file__).resolve().parents[2]
    assert not list((repository / "portal").rglob("service_list.json"))


def test_parameters_carry_their_limits_and_extensions_are_marked() -> None:
    parameters = build_openapi(SERVER)["components"]["parameters"]

    assert parameters["per_page"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert parameters["page"]["schema"]["minimum"] == 1
    assert (parameters["lat"]["schema"]["minimum"], parameters["lat"]["schema"]["maximum"]) == (
        -90,
        90,
    )
    assert parameters["long"]["schema"]["maximum"] == 180
    assert parameters["proximity"]["schema"]["exclusiveMinimum"] == 0
    assert parameters["proximity"]["schema"]["maximum"] == 500_000
    assert parameters["lat"]["x-extension"] and parameters["long"]["x-extension"]
    assert parameters["taxonomy_term_id"]["explode"] is True


def test_every_operation_documents_errors_and_caching() -> None:
    document = build_openapi(SERVER)

    for path, item in document["paths"].items():
        responses = item["get"]["responses"]
        assert {"200", "304", "400", "429"} <= set(responses), path
        assert ("404" in responses) == path.endswith("{id}"), path
        assert "ETag" in responses["200"]["headers"], path
    error = document["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"error", "message", "parameter"}
    assert "Retry-After" in document["components"]["responses"]["TooManyRequests"]["headers"]


def _rule_pattern(rule: str) -> str:
    return re.sub(r"<[^>]+>", "{}", rule)


def test_every_documented_path_is_served(docs_app) -> None:
    try:
        import portal.api.views  # noqa: F401
    except ImportError:
        pytest.skip("portal.api.views does not exist yet, so the API routes cannot be compared")
    if "api" not in docs_app.blueprints:
        from portal.api.views import bp

        docs_app.register_blueprint(bp)
    served = {
        _rule_pattern(rule.rule)
        for rule in docs_app.url_map.iter_rules()
        if rule.rule.startswith(API_PREFIX + "/") and "GET" in (rule.methods or ())
    }

    documented = {
        API_PREFIX + re.sub(r"\{[^}]+\}", "{}", path) for path in build_openapi(SERVER)["paths"]
    }

    assert documented <= served


# ---------- serving it ----------


def test_openapi_json_is_served_with_cors_and_caching(docs_client) -> None:
    response = _get(docs_client, "/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in response.headers["Cache-Control"]
    assert response.json["servers"][0]["url"] == "http://localhost/api/v1"
    assert set(response.json["paths"]) == set(build_openapi(SERVER)["paths"])

    again = _get(
        docs_client, "/api/v1/openapi.json", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


# ---------- the page ----------


def _assert_page_lists_everything(body: str) -> None:
    text = visible_text(body)
    page = structure(body)
    assert page.h1_count == 1
    for path in build_openapi(SERVER)["paths"]:
        assert f"GET {path}" in text, path
    assert "curl 'http://localhost/api/v1/services?" in text
    assert "http://localhost/api/v1/openapi.json" in text
    assert page.find("a", href="http://localhost/api/v1/openapi.json")
    assert page.find("th", scope="col") and page.find("th", scope="row")
    assert "total_items" in text and "Retry-After" in text and "CC BY 4.0" in text
    assert 'style="' not in body and "<script>" not in body


def test_api_page_explains_the_api_in_danish(docs_client) -> None:
    response = _get(docs_client, "/api")

    assert response.status_code == 200
    assert '<html lang="da">' in response.text
    text = visible_text(response.text)
    assert "Åbne data" in text
    assert "kun offentliggjorte fællesskaber og aldrig persondata" in text
    _assert_page_lists_everything(response.text)


def test_api_page_in_english(docs_client) -> None:
    docs_client.get("/sprog/en")

    response = _get(docs_client, "/api")

    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    text = visible_text(response.text)
    assert "Open data" in text
    assert "only published communities and never personal data" in text
    assert "Åbne data" not in text
    _assert_page_lists_everything(response.text)
