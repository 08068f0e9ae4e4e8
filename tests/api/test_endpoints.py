"""The open-data API as a reusing system meets it: listings, filters, places, errors, caching."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from portal.api.views import bp
from portal.extensions import db
from portal.find.engine import search_engine
from portal.find.sync import rebuild
from portal.geo.models import Postcode
from portal.models import Service, ServiceStatus
from portal.taxonomy.services import terms_by_code

VEJLE = {"municipality_code": "630", "city": "Vejle", "postal_code": "7100"}


def register_api(app: Flask) -> None:
    """Register the API blueprint unless the app already has it."""
    if "api" not in app.blueprints:
        app.register_blueprint(bp)


def index_everything() -> None:
    """Put every published offer in the search index, as the outbox drain would."""
    rebuild(db.session, search_engine())


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> FlaskClient:
    """Return a test client of an app that serves the API."""
    register_api(app)
    return client


def get_json(api: FlaskClient, path: str, status: int = 200, **params: Any) -> Any:
    """GET an API path and return its JSON body, checking the status."""
    response = api.get(f"/api/v1{path}", query_string=params)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def names(body: dict[str, Any]) -> list[str]:
    """Return the names of a listing's services (or of the services of its items)."""
    return [item.get("name") or item["service"]["name"] for item in body["contents"]]


def term_id(taxonomy: str, code: str) -> str:
    """Return the id of a vocabulary term."""
    return str(terms_by_code(db.session)[(taxonomy, code)].id)


@pytest.fixture
def offers(make_offer: Callable[..., Service]) -> dict[str, Service]:
    """Offers around Vejle, one in Thisted, one online and a draft; all indexed."""
    made = {
        "knit": make_offer(
            name="Strikkeklub i Vejle",
            description="Vi strikker og drikker kaffe hver tirsdag.",
            activities=["kreative"],
            features=["koerestolsadgang"],
            latitude=55.7093,
            longitude=9.5357,
            **VEJLE,
        ),
        "walk": make_offer(
            name="Gåtur ved fjorden",
            activities=["motion-gaature"],
            features=["koerestolsadgang"],
            is_free=False,
            price_text="20 kr.",
            latitude=55.6985,
            longitude=9.5690,
            **VEJLE,
        ),
        "far": make_offer(name="Fællesspisning i Thisted"),
        "online": make_offer(
            name="Snak over nettet",
            virtual=True,
            features=["online"],
            activities=["samtalegrupper"],
        ),
        "draft": make_offer(name="Hemmelig kladde i Vejle", status=ServiceStatus.DRAFT, **VEJLE),
        "stale": make_offer(
            name="Forældet strikkeklub",
            last_confirmed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=800),
            published_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=900),
        ),
    }
    index_everything()
    return made


# ---------- root and envelope ----------


def test_root_names_the_version_and_the_openapi_document(api: FlaskClient) -> None:
    body = get_json(api, "/")
    assert body["version"] == "3.0"
    assert body["profile"].startswith("https://openreferral.org/")
    assert body["openapi_url"] == "http://localhost/api/v1/openapi.json"


def test_services_come_in_the_hsds_envelope_by_name(api: FlaskClient, offers: dict) -> None:
    body = get_json(api, "/services", per_page=2)
    assert {k: v for k, v in body.items() if k != "contents"} == {
        "total_items": 4,
        "total_pages": 2,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    assert names(body) == ["Fællesspisning i Thisted", "Gåtur ved fjorden"]
    second = get_json(api, "/services", per_page=2, page=2)
    assert names(second) == ["Snak over nettet", "Strikkeklub i Vejle"]
    assert second["last_page"] and not second["first_page"]
    beyond = get_json(api, "/services", per_page=2, page=9)
    assert beyond["empty"] and beyond["contents"] == [] and beyond["size"] == 0


def test_an_empty_directory_is_an_empty_page(api: FlaskClient) -> None:
    body = get_json(api, "/services")
    assert body["total_items"] == 0 and body["empty"] and body["contents"] == []


def test_drafts_and_stale_offers_never_appear(api: FlaskClient, offers: dict) -> None:
    listed = names(get_json(api, "/services", per_page=100))
    assert "Hemmelig kladde i Vejle" not in listed
    assert "Forældet strikkeklub" not in listed
    for key in ("draft", "stale"):
        get_json(api, f"/services/{offers[key].id}", status=404)
        sal = offers[key].service_at_locations[0]
        get_json(api, f"/service_at_locations/{sal.id}", status=404)
    assert "kladde" not in str(get_json(api, "/services", search="kladde", per_page=100))
    located = get_json(api, "/service_at_locations", per_page=100)
    assert "Hemmelig kladde i Vejle" not in names(located)


def test_per_page_is_capped_at_100(api: FlaskClient, offers: dict) -> None:
    body = get_json(api, "/services", per_page=100000)
    assert body["size"] == 4 and body["total_pages"] == 1
    body = get_json(api, "/taxonomy_terms", per_page=5000)
    assert body["size"] == min(100, body["total_items"])


# ---------- one service, fully nested ----------


def test_a_service_is_fully_nested(api: FlaskClient, offers: dict) -> None:
    walk = offers["walk"]
    body = get_json(api, f"/services/{walk.id}")
    assert body["name"] == "Gåtur ved fjorden" and body["status"] == "active"
    assert body["organization"]["id"] == str(walk.organization_id)
    (sal,) = body["service_at_locations"]
    assert sal["location"]["latitude"] == pytest.approx(55.6985)
    (address,) = sal["location"]["addresses"]
    assert address["city"] == "Vejle" and address["postal_code"] == "7100"
    assert address["country"] == "DK"
    assert body["schedules"][0]["byday"] == "TU"
    assert body["schedules"][0]["opens_at"] == "17:30:00"
    assert body["phones"][0]["number"] == "+45 12 34 56 78"
    assert "contacts" not in body, "named contact persons are personal data"
    assert "Karen Jensen" not in json.dumps(body)
    terms = {a["taxonomy_term"]["code"] for a in body["attributes"]}
    assert {"motion-gaature", "koerestolsadgang", "aeldre"} <= terms
    assert body["cost_options"][0]["amount_description"] == "20 kr."
    assert body["cost_options"][0]["currency"] == "DKK"
    assert body["languages"][0]["code"] == "da"


def test_a_free_offer_costs_nothing(api: FlaskClient, offers: dict) -> None:
    body = get_json(api, f"/services/{offers['knit'].id}")
    assert body["cost_options"][0]["amount"] == 0


def test_minimal_and_full_listings(api: FlaskClient, offers: dict) -> None:
    minimal = get_json(api, "/services", minimal="true")["contents"][0]
    assert set(minimal) == {"id", "name", "status", "last_modified"}
    full = get_json(api, "/services", full="true")["contents"][0]
    assert "service_at_locations" in full and "attributes" in full
    basic = get_json(api, "/services")["contents"][0]
    assert "service_at_locations" not in basic


# ---------- filters ----------


def test_filters_combine_with_and(api: FlaskClient, offers: dict) -> None:
    wheelchair = term_id("praktisk", "koerestolsadgang")
    walking = term_id("aktivitet", "motion-gaature")
    assert names(get_json(api, "/services", taxonomy_term_id=wheelchair)) == [
        "Gåtur ved fjorden",
        "Strikkeklub i Vejle",
    ]
    both = f"{wheelchair},{walking}"
    assert names(get_json(api, "/services", taxonomy_term_id=both)) == ["Gåtur ved fjorden"]
    repeated = api.get(
        "/api/v1/services",
        query_string=[("taxonomy_term_id", wheelchair), ("taxonomy_term_id", walking)],
    ).get_json()
    assert names(repeated) == ["Gåtur ved fjorden"]
    organization = offers["knit"].organization_id
    assert names(
        get_json(api, "/services", taxonomy_term_id=wheelchair, organization_id=organization)
    ) == ["Strikkeklub i Vejle"]
    assert get_json(api, "/services", taxonomy_term_id=walking, organization_id=organization)[
        "empty"
    ]


def test_taxonomy_and_modified_after_filters(api: FlaskClient, offers: dict) -> None:
    features = next(
        t["id"]
        for t in get_json(api, "/taxonomies", per_page=100)["contents"]
        if t["name"].lower().startswith("praktisk")
    )
    assert set(names(get_json(api, "/services", taxonomy_id=features))) == {
        "Gåtur ved fjorden",
        "Strikkeklub i Vejle",
        "Snak over nettet",
    }
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    assert get_json(api, "/services", modified_after=future)["empty"]
    assert get_json(api, "/services", modified_after="2000-01-01")["total_items"] == 4


# ---------- places ----------


def test_point_search_is_sorted_by_distance(api: FlaskClient, offers: dict) -> None:
    near_walk = {"lat": 55.6985, "long": 9.5690}
    assert names(get_json(api, "/services", **near_walk)) == [
        "Gåtur ved fjorden",
        "Strikkeklub i Vejle",
        "Fællesspisning i Thisted",
    ]
    near_knit = {"lat": 55.7093, "long": 9.5357, "proximity": 5000}
    assert names(get_json(api, "/services", **near_knit)) == [
        "Strikkeklub i Vejle",
        "Gåtur ved fjorden",
    ]
    located = get_json(api, "/service_at_locations", **near_knit)
    assert names(located) == ["Strikkeklub i Vejle", "Gåtur ved fjorden"]


def test_service_at_locations_by_postcode_and_proximity(api: FlaskClient, offers: dict) -> None:
    db.session.add(Postcode(code="7100", name="Vejle", latitude=55.709, longitude=9.536))
    db.session.commit()
    assert sorted(names(get_json(api, "/service_at_locations", postcode="7100"))) == [
        "Gåtur ved fjorden",
        "Strikkeklub i Vejle",
    ]
    near = get_json(api, "/service_at_locations", postcode="7100", proximity=20000)
    assert sorted(names(near)) == ["Gåtur ved fjorden", "Strikkeklub i Vejle"]
    # Thisted's postcode is not in the (unimported) list: its places' centre stands in.
    thisted = get_json(api, "/service_at_locations", postcode="7700", proximity=20000)
    assert names(thisted) == ["Fællesspisning i Thisted"]
    nowhere = get_json(api, "/service_at_locations", postcode="7100", proximity=1, per_page=5)
    assert nowhere["empty"]


# ---------- search ----------


def test_search_forgives_a_typo_like_the_search_page(api: FlaskClient, offers: dict) -> None:
    assert names(get_json(api, "/services", search="strikkeklup"))[0] == "Strikkeklub i Vejle"


def test_search_combines_with_filters(api: FlaskClient, offers: dict) -> None:
    walking = term_id("aktivitet", "motion-gaature")
    assert get_json(api, "/services", search="strikkeklub", taxonomy_term_id=walking)["empty"]
    located = get_json(api, "/service_at_locations", search="strikkeklub")
    assert names(located)[0] == "Strikkeklub i Vejle"


# ---------- organisations and vocabularies ----------


def test_organizations_are_those_with_public_offers(
    api: FlaskClient, offers: dict, make_organization: Callable[..., Any]
) -> None:
    lonely = make_organization(name="Forening uden tilbud")
    body = get_json(api, "/organizations", per_page=100)
    assert body["total_items"] == 4
    get_json(api, f"/organizations/{lonely.id}", status=404)
    get_json(api, f"/organizations/{offers['draft'].organization_id}", status=404)
    full = get_json(api, f"/organizations/{offers['knit'].organization_id}")
    assert [s["name"] for s in full["services"]] == ["Strikkeklub i Vejle"]
    assert full["locations"][0]["addresses"][0]["city"] == "Vejle"


def test_taxonomies_and_terms(api: FlaskClient) -> None:
    taxonomies = get_json(api, "/taxonomies")["contents"]
    assert len(taxonomies) >= 4
    first = taxonomies[0]
    assert get_json(api, f"/taxonomies/{first['id']}") == first
    terms = get_json(api, "/taxonomy_terms", taxonomy_id=first["id"], per_page=100)
    assert terms["total_items"] > 0
    assert {t["taxonomy_id"] for t in terms["contents"]} == {first["id"]}
    one = terms["contents"][0]
    assert get_json(api, f"/taxonomy_terms/{one['id']}") == one


# ---------- errors ----------


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/services", {"lat": "north", "long": "9"}, "lat"),
        ("/services", {"lat": "95", "long": "9"}, "lat"),
        ("/services", {"lat": "55", "long": "nan"}, "long"),
        ("/services", {"lat": "55"}, "long"),
        ("/services", {"lat": "55", "long": "9", "proximity": "-3"}, "proximity"),
        ("/services", {"lat": "55", "long": "9", "proximity": "inf"}, "proximity"),
        ("/services", {"proximity": "500"}, "proximity"),
        ("/services", {"page": "0"}, "page"),
        ("/services", {"page": "two"}, "page"),
        ("/services", {"per_page": "-1"}, "per_page"),
        ("/services", {"taxonomy_term_id": "not-a-uuid"}, "taxonomy_term_id"),
        ("/services", {"taxonomy_id": "x"}, "taxonomy_id"),
        ("/services", {"organization_id": "1234"}, "organization_id"),
        ("/services", {"modified_after": "yesterday"}, "modified_after"),
        ("/services", {"full": "maybe"}, "full"),
        ("/service_at_locations", {"postcode": "12"}, "postcode"),
        ("/service_at_locations", {"postcode": "0001", "proximity": "100"}, "postcode"),
        ("/service_at_locations", {"proximity": "100"}, "proximity"),
        ("/taxonomy_terms", {"taxonomy_id": "x"}, "taxonomy_id"),
        ("/services/not-a-uuid", {}, "id"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(
    api: FlaskClient, path: str, params: dict[str, str], parameter: str
) -> None:
    body = get_json(api, path, status=400, **params)
    assert body["error"] == 400 and body["parameter"] == parameter and body["message"]


@pytest.mark.parametrize(
    "path", ["services", "organizations", "service_at_locations", "taxonomies", "taxonomy_terms"]
)
def test_unknown_ids_are_a_json_404(api: FlaskClient, path: str) -> None:
    body = get_json(api, f"/{path}/{uuid.uuid4()}", status=404)
    assert body["error"] == 404 and body["message"]


# ---------- hygiene ----------


def test_etag_answers_304_and_responses_are_cacheable_and_shared(
    api: FlaskClient, offers: dict
) -> None:
    first = api.get("/api/v1/services")
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in first.headers
    etag = first.headers["ETag"]
    again = api.get("/api/v1/services", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = api.get("/api/v1/services?per_page=1", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_errors_are_shared_too(api: FlaskClient) -> None:
    response = api.get("/api/v1/services?page=0")
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_the_rate_limit_answers_429_with_retry_after(api: FlaskClient, app: Flask) -> None:
    app.config["RATELIMIT_SEARCH"] = "2 per minute"
    statuses = [api.get("/api/v1/taxonomies").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = api.get("/api/v1/taxonomies")
    assert limited.get_json()["error"] == 429
    assert int(limited.headers["Retry-After"]) > 0


def test_full_listing_runs_a_fixed_number_of_queries(
    api: FlaskClient, make_offer: Callable[..., Service], count_queries: Callable[[], Any]
) -> None:
    def queries_for_listing() -> int:
        db.session.expunge_all()
        with count_queries() as statements:
            assert api.get("/api/v1/services?full=true&per_page=100").status_code == 200
        return len(statements)

    make_offer(name="Første")
    few = queries_for_listing()
    for number in range(8):
        make_offer(name=f"Tilbud {number}", features=["koerestolsadgang"])
    assert queries_for_listing() == few
    assert db.session.scalar(sa.select(sa.func.count(Service.id))) == 9
