"""Hostile input on every route of the URL map: nothing may answer 500 or change data.

Routes are taken from the app's URL map, so a new route is covered without
being listed here. Path arguments get real ids (so the view's own code runs,
not only the 404 of an unknown id) and hostile strings; query strings and
form fields get injection strings, markup, NUL bytes, huge and absurd
values, and bytes that are not UTF-8. Forms are read from the pages, so
every field of every form receives hostile values, signed in as an admin
(who may reach every form) and as an anonymous visitor.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from portal.db import db
from portal.models import Base, Service
from tests.helpers import csrf_token_in

HOSTILE = [
    "' OR 1=1--",
    '"; DROP TABLE service; --',
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "../../../../etc/passwd",
    "nul\x00byte",
    "x" * 10_000,
    "NaN",
    "1e309",
    "-1",
    "-99999999999999999999",
    "Infinity",
    'aktivitet = "x" OR 1 = 1',
    "javascript:alert(1)",
    "//evil.example/",
    "😀" * 50,
    "{{7*7}}",
    "%s%s%s%n",
]
QUERY_NAMES = [
    "q",
    "where",
    "page",
    "per_page",
    "lat",
    "lon",
    "radius",
    "sort",
    "next",
    "lang",
    "antal",
    "target_group",
    "activity",
    "situation",
    "feature",
    "free",
    "limit",
    "offset",
    "format",
    "type",
    "audience",
    "tag",
    "year",
    "municipality",
    "id",
]
RAW_QUERIES = [b"q=%ff%fe%fd", b"q=%c0%af%c0%ae", b"where=%ed%a0%80", b"page=%00", b"%ff=%ff"]
# Tables that anonymous visitors are meant to write to: counters, and the
# public forms (problem reports, contact requests with their audit rows).
COUNTER_TABLES = {
    "service_view_day",
    "search_demand_day",
    "search_outbox",
    "mail_message",
    "problem_report",
    "referral",
    "audit_entry",
}
SKIP_ENDPOINTS = {"static", "vendor.static"}


@pytest.fixture
def world(app: Flask, make_offer: Callable[..., Service], make_user: Callable[..., Any]) -> dict:
    """Create one of each object the routes take ids of, and an admin."""
    offer = make_offer()
    admin = make_user(email="admin@example.org", is_admin=True, is_editor=True)
    make_user(email="ejer@example.org", organization=offer.organization)
    sal = offer.service_at_locations[0]
    term = offer.attributes[0].taxonomy_term
    return {
        "organization_id": offer.organization_id,
        "org_id": offer.organization_id,
        "service_id": offer.id,
        "offer_id": offer.id,
        "sal_id": sal.id,
        "taxonomy_id": term.taxonomy_id,
        "term_id": term.id,
        "number": 1,
        "admin": admin,
    }


def _rules(app: Flask, method: str) -> Iterator[Any]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS or rule.endpoint.endswith(".static"):
            continue
        if method in (rule.methods or ()):
            yield rule


def _real_values(rule: Any, world: dict) -> dict[str, Any]:
    values = {}
    for argument in rule.arguments:
        converter = rule._converters[argument].__class__.__name__
        if argument in world:
            values[argument] = world[argument]
        elif converter == "IntegerConverter":
            values[argument] = 1
        elif converter == "UUIDConverter":
            values[argument] = uuid.uuid4()
        else:
            values[argument] = "eksempel"
    return values


def _build(app: Flask, rule: Any, values: dict[str, Any]) -> str | None:
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        try:
            return adapter.build(rule.endpoint, values, method=None)
        except Exception:  # noqa: BLE001 - a hostile value the converter refuses
            return None


def _row_counts() -> dict[str, int]:
    counts = {}
    for table in Base.metadata.sorted_tables:
        if table.name not in COUNTER_TABLES:
            counts[table.name] = db.session.scalar(sa.select(sa.func.count()).select_from(table))
    return counts


def _assert_no_server_error(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what} answered {response.status_code}"


def _get_everything(app: Flask, client: FlaskClient, world: dict) -> None:
    for rule in _rules(app, "GET"):
        real = _build(app, rule, _real_values(rule, world))
        if real:
            for index, value in enumerate(HOSTILE):
                names = QUERY_NAMES[index % len(QUERY_NAMES) :] + QUERY_NAMES
                query = {name: value for name in names[:6]}
                _assert_no_server_error(client.get(real, query_string=query), f"GET {real}")
            for raw in RAW_QUERIES:
                response = client.get(
                    real, environ_overrides={"QUERY_STRING": raw.decode("latin-1")}
                )
                _assert_no_server_error(response, f"GET {real}?{raw!r}")
        for value in HOSTILE[:8]:
            values = {name: value for name in rule.arguments}
            url = _build(app, rule, values)
            if url:
                _assert_no_server_error(client.get(url), f"GET {url}")


_FIELD = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"', re.IGNORECASE)


def _post_everything(app: Flask, client: FlaskClient, world: dict) -> None:
    for rule in _rules(app, "POST"):
        url = _build(app, rule, _real_values(rule, world))
        if not url:
            continue
        page = client.get(url) if "GET" in (rule.methods or ()) else None
        html = page.get_data(as_text=True) if page is not None and page.status_code == 200 else ""
        fields = sorted(set(_FIELD.findall(html)) - {"csrf_token"}) or ["name", "email", "message"]
        token = csrf_token_in(html)
        for value in HOSTILE:
            form = {name: value for name in fields}
            if token:
                form["csrf_token"] = token
            _assert_no_server_error(client.post(url, data=form), f"POST {url}")
        body = b"&".join(f"{name}=".encode() + b"%ff%fe%c0%af" for name in fields)
        response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
        _assert_no_server_error(response, f"POST {url} with invalid UTF-8")
        nested = "[" * 10_000 + "]" * 10_000
        response = client.post(url, data=nested, content_type="application/json")
        _assert_no_server_error(response, f"POST {url} with nested JSON")
        huge = client.post(url, data={"name": "x" * (3 * 1024 * 1024)})
        # 302: sent to sign in before the body is read.
        assert huge.status_code in {302, 400, 404, 405, 413}, (
            f"POST {url} with 3 MB: {huge.status_code}"
        )


@pytest.mark.slow
def test_anonymous_hostile_requests_neither_fail_nor_change_data(
    app: Flask, client: FlaskClient, world: dict
) -> None:
    app.config["RATELIMIT_ENABLED"] = False
    before = _row_counts()
    _get_everything(app, client, world)
    _post_everything(app, client, world)
    db.session.rollback()
    assert _row_counts() == before


@pytest.mark.slow
def test_signed_in_admin_hostile_requests_never_fail(
    app: Flask, client: FlaskClient, world: dict, login: Callable[..., FlaskClient]
) -> None:
    app.config["RATELIMIT_ENABLED"] = False
    login(world["admin"])
    _get_everything(app, client, world)
    _post_everything(app, client, world)


def test_next_parameter_never_redirects_off_site(
    app: Flask, client: FlaskClient, world: dict
) -> None:
    for rule in _rules(app, "GET"):
        url = _build(app, rule, _real_values(rule, world))
        if not url:
            continue
        for target in (
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
        ):
            response = client.get(url, query_string={"next": target})
            location = response.headers.get("Location", "")
            parts = urlsplit(location)
            assert parts.netloc in {"", "localhost"}, f"GET {url}?next={target} → {location}"
            assert parts.scheme in {"", "http", "https"}, f"GET {url}?next={target} → {location}"
            assert not location.startswith(("//", "/\\")), f"GET {url}?next={target} → {location}"
