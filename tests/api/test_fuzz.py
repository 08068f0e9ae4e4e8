"""Property-based fuzz of the listings' query parameters: never a 500, never an invalid body."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from portal.models import Service
from tests.api.test_endpoints import index_everything, register_api
from tests.api.test_schemas import assert_list_valid, schema_dir

FUZZ = settings(
    max_examples=150,  # about a second each, about 20 s in all
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([math.nan, math.inf, -math.inf, 0, -0.0, 1e308, -1e-320]),
).map(str)
texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
) | st.sampled_from(["\x00", "strik\x00klub", "ææøå", "%", "_", "' OR 1=1 --", ",,,"])
uuids = st.uuids().map(str)
booleans = st.sampled_from(["true", "false", "1", "0", "yes", "TRUE", "maybe", ""])
values = st.one_of(texts, numbers, uuids, booleans)

COMMON = {
    "search": st.one_of(texts, st.sampled_from(["strikkeklup", "fællesspisning"])),
    "page": st.one_of(
        st.sampled_from(["1", "2"]), numbers, st.integers(min_value=-5, max_value=5).map(str), texts
    ),
    "per_page": st.one_of(
        st.sampled_from(["1", "100", "1000"]),
        numbers,
        st.integers(min_value=-5, max_value=500).map(str),
        texts,
    ),
    "taxonomy_term_id": st.one_of(
        uuids, texts, st.lists(uuids, max_size=3).map(",".join), st.just("")
    ),
    "taxonomy_id": st.one_of(uuids, uuids, texts),
    "organization_id": st.one_of(uuids, uuids, texts),
    "modified_after": st.one_of(
        texts,
        st.datetimes().map(lambda d: d.isoformat()),
        st.sampled_from(["2024-01-01", "2024-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59"]),
    ),
    "full": booleans,
    "lat": st.one_of(st.floats(min_value=54, max_value=58).map(str), numbers),
    "long": st.one_of(st.floats(min_value=8, max_value=13).map(str), numbers),
    "proximity": st.one_of(
        st.integers(min_value=1, max_value=500_000).map(str),
        numbers,
        st.integers(min_value=-10, max_value=2_000_000).map(str),
    ),
}
SERVICE_PARAMS = {**COMMON, "minimal": booleans}
SAL_PARAMS = {**COMMON, "postcode": st.one_of(texts, st.sampled_from(["7100", "7700", "0000"]))}


def query_strategy(parameters: dict[str, st.SearchStrategy[str]]) -> st.SearchStrategy:
    """Return random subsets of ``parameters`` with random values, plus unknown ones."""
    return st.fixed_dictionaries({}, optional={**parameters, "unknown": values, "format": values})


@pytest.fixture
def fuzz_client(app: Flask, client: FlaskClient, make_offer: Callable[..., Service]) -> FlaskClient:
    """Return a client of an app with the API, a few indexed offers and no rate limit."""
    register_api(app)
    app.config["RATELIMIT_SEARCH"] = "100000 per minute"
    make_offer(name="Strikkeklub i Vejle", latitude=55.7093, longitude=9.5357, postal_code="7100")
    make_offer(name="Snak over nettet", virtual=True, features=["online"])
    make_offer(name="Fællesspisning i Thisted")
    index_everything()
    return client


def _check(client: FlaskClient, path: str, query: dict[str, Any], known: dict[str, Any]) -> None:
    response = client.get(f"/api/v1{path}", query_string=query)
    event(f"status {response.status_code}")
    assert response.status_code < 500, (query, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    body = response.get_json()
    if response.status_code == 400:
        assert body["parameter"] in known  # the one at fault, or the missing partner
    elif response.status_code == 200 and schema_dir() is not None:
        assert_list_valid(path, body)


@FUZZ
@given(query=query_strategy(SERVICE_PARAMS))
def test_services_never_fail(fuzz_client: FlaskClient, query: dict[str, Any]) -> None:
    _check(fuzz_client, "/services", query, SERVICE_PARAMS)


@FUZZ
@given(query=query_strategy(SAL_PARAMS))
def test_service_at_locations_never_fail(fuzz_client: FlaskClient, query: dict[str, Any]) -> None:
    _check(fuzz_client, "/service_at_locations", query, SAL_PARAMS)
