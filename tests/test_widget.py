"""The embeddable widget: a framable, cookie-free list of nearby offers, and its script."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.find.engine import search_engine
from portal.find.sync import rebuild
from portal.widget import bp as widget_bp
from tests.browser.live import VEJLE


@pytest.fixture
def client(app: Flask, client: FlaskClient) -> FlaskClient:
    """Return the test client of an app that serves the widget."""
    if "widget" not in app.blueprints:
        app.register_blueprint(widget_bp)
    return client


@pytest.fixture
def offers(make_offer):
    """Two offers in Vejle (one for young people) and one in Thisted, all indexed."""
    vejle = {
        "municipality_code": "630",
        "city": "Vejle",
        "postal_code": "7100",
        "latitude": VEJLE["latitude"],
        "longitude": VEJLE["longitude"],
    }
    made = {
        "elderly": make_offer(name="Spisefællesskab i Vejle", target_groups=["aeldre"], **vejle),
        "young": make_offer(name="Ungegruppe ved fjorden", target_groups=["unge"], **vejle),
        "thisted": make_offer(name="Fællesspisning i Thisted"),
    }
    rebuild(db.session, search_engine())
    return made


def titles(html: str, offers: dict) -> set[str]:
    return {key for key, offer in offers.items() if offer.name in html}


def test_widget_shows_nearby_offers_only(client, offers) -> None:
    response = client.get("/widget?where=Vejle")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Fællesskaber nær Vejle" in html
    assert titles(html, offers) == {"elderly", "young"}
    assert f'href="http://localhost/tilbud/{offers["elderly"].id}"' in html
    assert 'target="_blank" rel="noopener"' in html
    assert "Næste gang:" in html
    assert "Gratis" in html
    assert "Se flere fællesskaber på Fællesskabsportalen" in html
    assert 'href="http://localhost/search?where=Vejle&amp;radius=25"' in html
    assert '<html lang="da">' in html


def test_widget_limits_the_number_of_offers(client, offers) -> None:
    html = client.get("/widget?where=Vejle&antal=1").get_data(as_text=True)

    assert len(titles(html, offers)) == 1


def test_widget_filters_by_target_group(client, offers) -> None:
    html = client.get("/widget?where=Vejle&target_group=unge").get_data(as_text=True)

    assert titles(html, offers) == {"young"}
    assert "target_group=unge" in html


def test_widget_takes_coordinates(client, offers) -> None:
    html = client.get(
        f"/widget?lat={VEJLE['latitude']}&lon={VEJLE['longitude']}&activity=faellesspisning"
    ).get_data(as_text=True)

    assert "Fællesskaber i nærheden" in html
    assert titles(html, offers) == {"elderly", "young"}


def test_widget_sets_no_cookie_and_may_be_framed_and_cached(client, offers) -> None:
    response = client.get("/widget?where=Vejle&lang=en")

    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'"):
        assert directive in csp
    assert "base-uri 'none'" in csp
    assert "X-Frame-Options" not in response.headers
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_other_pages_still_refuse_framing(client) -> None:
    response = client.get("/search")

    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_widget_speaks_english_on_request(client, offers) -> None:
    html = client.get("/widget?where=Vejle&lang=en").get_data(as_text=True)

    assert '<html lang="en">' in html
    assert "Communities near Vejle" in html
    assert "Next time:" in html
    assert "See more communities on Fællesskabsportalen" in html
    assert "/sprog/en?next=" in html


def test_unknown_place_gives_a_friendly_message(client, offers) -> None:
    response = client.get("/widget?where=Xyzzyborg")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vi kunne ikke finde stedet »Xyzzyborg«." in html
    assert titles(html, offers) == set()


def test_bad_coordinates_give_a_friendly_message(client, offers) -> None:
    response = client.get("/widget?lat=abc&lon=91")

    assert response.status_code == 200
    assert 'class="widget__message"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "where=Vej%00le",
        "where=" + "x" * 10_000,
        "q=" + "ø" * 10_000,
        "where=Vejle&antal=-1",
        "where=Vejle&antal=1e9",
        "where=Vejle&antal=999999999999999999999",
        "lat=1e400&lon=nan",
        "where=Vejle&radius=-5&target_group=%00&activity=" + "a" * 5000,
        "lang=xx&where=",
    ],
)
def test_hostile_parameters_never_break_the_widget(client, offers, query) -> None:
    response = client.get(f"/widget?{query}")

    assert response.status_code < 500
    assert "Set-Cookie" not in response.headers


def test_odd_counts_are_clamped(client, offers) -> None:
    assert len(titles(client.get("/widget?where=Vejle&antal=-1").get_data(True), offers)) == 1
    assert len(titles(client.get("/widget?where=Vejle&antal=1e9").get_data(True), offers)) == 2


def test_embed_script_is_served_as_javascript(client) -> None:
    response = client.get("/static/js/widget.js")

    assert response.status_code == 200
    assert "javascript" in response.mimetype
    assert "/widget" in response.get_data(as_text=True)
    response.close()
