"""Real API responses validate against the official HSDS 3.0 JSON schemas.

The schemas are read from the directory named by HSDS_SCHEMA_DIR (CI points it
at ../shared/data/hsds); they are never copied into the repository, and
nothing is fetched from the network: the official schema URL prefix is mapped
to that directory.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from portal.models import Service
from tests.api.test_endpoints import api, get_json, index_everything  # noqa: F401

HSDS_SCHEMA_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
SKIP_REASON = (
    "HSDS_SCHEMA_DIR is not set: the official HSDS 3.0 schemas are read from there, "
    "never copied into the repository"
)

# What each kind of response must be: a schema file for single objects, or
# (list item schema) for the paginated envelope.
SINGLE = {
    "service": "compiled/service.json",
    "organization": "compiled/organization.json",
    "service_at_location": "compiled/service_at_location.json",
    "taxonomy": "taxonomy.json",
    "taxonomy_term": "taxonomy_term.json",
}
LISTS = {
    "/services": "compiled/service_list.json",
    "/organizations": "compiled/organization_list.json",
    "/service_at_locations": "compiled/service_at_location_list.json",
    "/taxonomies": "taxonomy.json",
    "/taxonomy_terms": "taxonomy_term.json",
}


def schema_dir() -> Path | None:
    """Return the official schema directory, or None when HSDS_SCHEMA_DIR is unset."""
    value = os.environ.get("HSDS_SCHEMA_DIR", "")
    return Path(value) if value else None


@functools.cache
def _registry(directory: Path) -> Registry:
    resources = []
    for path in sorted(directory.rglob("*.json")):
        if "examples" in path.relative_to(directory).parts:
            continue
        contents = json.loads(path.read_text(encoding="utf-8"))
        uri = HSDS_SCHEMA_BASE + path.relative_to(directory).as_posix()
        resources.append((uri, Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources)


@functools.cache
def _page_schema(directory: Path) -> dict[str, Any]:
    openapi = json.loads((directory / "openapi.json").read_text(encoding="utf-8"))
    return openapi["components"]["schemas"]["Page"]


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    """Return a Draft 2020-12 validator whose official $refs resolve from HSDS_SCHEMA_DIR."""
    directory = schema_dir()
    assert directory is not None
    return Draft202012Validator(
        schema, registry=_registry(directory), format_checker=FormatChecker()
    )


def object_schema(name: str) -> dict[str, Any]:
    """Return a schema that refers to one official schema file."""
    return {"$ref": HSDS_SCHEMA_BASE + name}


def page_schema(item_schema: str) -> dict[str, Any]:
    """Return the HSDS paginated envelope schema with ``item_schema`` contents."""
    directory = schema_dir()
    assert directory is not None
    return {
        "allOf": [_page_schema(directory)],
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
        "properties": {"contents": {"type": "array", "items": object_schema(item_schema)}},
    }


def assert_valid(body: Any, schema: dict[str, Any]) -> None:
    """Fail with every schema error of ``body``."""
    errors = sorted(validator(schema).iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:20]
    )


def assert_list_valid(path: str, body: Any) -> None:
    """Validate a listing of ``path`` (e.g. "/services") against its official schema."""
    assert_valid(body, page_schema(LISTS[path]))
    if path == "/service_at_locations":
        for item in body["contents"]:
            if "service" in item:
                assert_valid(item["service"], object_schema(SINGLE["service"]))


@pytest.fixture(autouse=True)
def _needs_schemas() -> None:
    if schema_dir() is None:
        pytest.skip(SKIP_REASON)


@pytest.fixture
def directory(make_offer: Callable[..., Service], make_organization: Callable[..., Any]) -> dict:
    """A small directory: a place, an online offer, a paid one without a price, ages."""
    organization = make_organization(
        name="Røde Kors Vejle", email="vejle@rodekors.example", website="https://rk.example"
    )
    made = {
        "place": make_offer(
            organization=organization,
            url="https://rk.example/strik",
            email="strik@rodekors.example",
            features=["koerestolsadgang"],
            minimum_age=16,
            maximum_age=29,
        ),
        "online": make_offer(name="Snak over nettet", virtual=True, features=["online"]),
        "paid": make_offer(name="Gåtur", is_free=False, price_text=None),
    }
    index_everything()
    return made


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"full": "true"},
        {"minimal": "true"},
        {"search": "fællesspisning"},
        {"lat": "56.9", "long": "8.7", "proximity": "50000", "full": "true"},
    ],
)
def test_service_listings_validate(api: FlaskClient, directory: dict, query: dict) -> None:  # noqa: F811
    body = get_json(api, "/services", **query)
    assert body["contents"]
    assert_list_valid("/services", body)


@pytest.mark.parametrize("query", [{}, {"full": "true"}, {"postcode": "7700"}])
def test_service_at_location_listings_validate(
    api: FlaskClient,  # noqa: F811
    directory: dict,
    query: dict,
) -> None:
    body = get_json(api, "/service_at_locations", **query)
    assert body["contents"]
    assert_list_valid("/service_at_locations", body)


@pytest.mark.parametrize("path", ["/organizations", "/taxonomies", "/taxonomy_terms"])
def test_other_listings_validate(api: FlaskClient, directory: dict, path: str) -> None:  # noqa: F811
    body = get_json(api, path, per_page=100, full="true")
    assert body["contents"]
    assert_list_valid(path, body)


def test_single_objects_validate(api: FlaskClient, directory: dict) -> None:  # noqa: F811
    for offer in directory.values():
        body = get_json(api, f"/services/{offer.id}")
        assert_valid(body, object_schema(SINGLE["service"]))
        sal = get_json(api, f"/service_at_locations/{offer.service_at_locations[0].id}")
        assert_valid(sal, object_schema(SINGLE["service_at_location"]))
        assert_valid(sal["service"], object_schema(SINGLE["service"]))
        organization = get_json(api, f"/organizations/{offer.organization_id}")
        assert_valid(organization, object_schema(SINGLE["organization"]))
    taxonomy = get_json(api, "/taxonomies")["contents"][0]
    assert_valid(get_json(api, f"/taxonomies/{taxonomy['id']}"), object_schema("taxonomy.json"))
    term = get_json(api, "/taxonomy_terms")["contents"][0]
    assert_valid(
        get_json(api, f"/taxonomy_terms/{term['id']}"), object_schema("taxonomy_term.json")
    )


def test_the_validator_rejects_what_the_standard_forbids(api: FlaskClient, directory: dict) -> None:  # noqa: F811
    body = get_json(api, f"/services/{directory['place'].id}")
    broken = {**body, "status": "open", "minimum_age": None}
    with pytest.raises(AssertionError, match="status"):
        assert_valid(broken, object_schema(SINGLE["service"]))
