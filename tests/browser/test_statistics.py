"""The statistics pages in a real browser: axe-clean, usable at 320 px, the map drawn offline."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal.db import utcnow
from portal.extensions import db
from portal.statistics.boundaries import import_boundaries
from portal.statistics.demand import danish_today
from portal.statistics.models import SearchDemandDay
from portal.statistics.population import import_population
from tests.browser.live import (
    AXE_OPTIONS,
    DESKTOP,
    NARROWEST_PHONE,
    LiveSite,
    new_page,
    require_chromium,
)
from tests.statistics.referral_rows import add_referral

pytestmark = pytest.mark.browser

SAMPLE_BOUNDARIES = Path("/work/shared/data/dk/kommuner.geojson")
PAGES = {
    "coverage": "/statistik",
    "coverage for a target group": "/statistik?target_group=unge&sort=distance&order=desc",
    "demand": "/statistik/efterspoergsel",
    "referrals": "/statistik/henvisninger",
    "referrals in every year": "/statistik/henvisninger?year=alle",
    "annual overview": "/statistik/aarsoversigt",
}


def _serve(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, name="live-portal", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _directory(app, make_offer) -> None:
    app.config["STATISTICS_CACHE_SECONDS"] = 0
    dinner = make_offer(name="Fællesspisning i Thisted", municipality_code="787")
    make_offer(
        name="Ungeklub i Aarhus",
        municipality_code="751",
        latitude=56.157,
        longitude=10.211,
        target_groups=["unge"],
    )
    make_offer(name="Gåtur i København", municipality_code="101", latitude=55.676, longitude=12.568)
    make_offer(name="Snak over nettet", virtual=True, features=["online"])
    import_population(db.session, b"kommunekode;folketal;aar\n787;43.051;2025\n")
    for code, searches in (("787", 7), ("101", 2), ("", 5)):
        db.session.add(
            SearchDemandDay(
                day=danish_today(),
                municipality_code=code,
                target_group="aeldre",
                activity="",
                life_situation="",
                searches=searches,
                without_results=1,
            )
        )
    db.session.commit()
    for _ in range(5):
        add_referral(dinner, "declined", utcnow())
    add_referral(dinner, "not_started", utcnow(), reason="waiting_list")


@pytest.fixture
def statistics_site(app, make_offer) -> Iterator[LiveSite]:
    """Serve the app with a few offers, counters and referrals; circles on the map."""
    require_chromium()
    _directory(app, make_offer)
    for base_url in _serve(app):
        yield LiveSite(base_url=base_url, paths=PAGES)


@pytest.fixture
def areas_site(app, make_offer) -> Iterator[LiveSite]:
    """The same, with the sample municipality boundaries imported: areas on the map."""
    require_chromium()
    if not SAMPLE_BOUNDARIES.exists():
        pytest.skip(f"{SAMPLE_BOUNDARIES} (sample municipality boundaries) is not on this machine")
    _directory(app, make_offer)
    import_boundaries(db.session, SAMPLE_BOUNDARIES.read_bytes())
    db.session.commit()
    for base_url in _serve(app):
        yield LiveSite(base_url=base_url, paths=PAGES)


def settle(page) -> None:
    """Bring the coverage map into view, wait until it is drawn offline, scroll back up."""
    container = page.locator("#coverage-map")
    if container.count():
        page.locator("#map-heading").scroll_into_view_if_needed()
        page.wait_for_selector("#coverage-map.map--ready", timeout=15_000)
        page.wait_for_selector("[data-map-failed]", state="visible", timeout=15_000)
    page.evaluate("window.scrollTo(0, 0)")


def _violations(browser, site: LiveSite, viewport: dict) -> tuple[dict[str, str], list[str]]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    csp_errors: list[str] = []
    page = new_page(browser, site, csp_errors, viewport=viewport)
    reports = {}
    for name in site.paths:
        page.goto(site.url(name))
        settle(page)
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports[name] = results.generate_report()
    return reports, csp_errors


@pytest.mark.parametrize("viewport", [DESKTOP, NARROWEST_PHONE], ids=["desktop", "320px"])
def test_statistics_pages_have_no_wcag_violations(statistics_site, browser, viewport) -> None:
    reports, csp_errors = _violations(browser, statistics_site, viewport)

    assert not reports, "\n\n".join(f"== {name} ==\n{text}" for name, text in reports.items())
    assert csp_errors == []


def test_the_map_with_areas_has_no_wcag_violations(areas_site, browser) -> None:
    reports, csp_errors = _violations(browser, areas_site, DESKTOP)

    assert not reports, "\n\n".join(f"== {name} ==\n{text}" for name, text in reports.items())
    assert csp_errors == []


def test_the_map_draws_a_circle_per_municipality(statistics_site, browser) -> None:
    page = new_page(browser, statistics_site, [], viewport=DESKTOP)
    page.goto(statistics_site.url("coverage"))
    settle(page)

    assert page.locator("#coverage-map path.leaflet-interactive").count() == 98
    assert page.locator("[data-legend='points']").is_visible()
    assert not page.locator("[data-legend='areas']").is_visible()
    assert page.get_by_text("Kortet viser de samme tal som tabellen nedenfor.").is_visible()


def test_the_map_colours_the_municipalities_once_boundaries_exist(areas_site, browser) -> None:
    page = new_page(browser, areas_site, [], viewport=DESKTOP)
    page.goto(areas_site.url("coverage"))
    settle(page)

    assert page.locator("#coverage-map path.leaflet-interactive").count() == 98
    fills = page.eval_on_selector_all(
        "#coverage-map path.leaflet-interactive", "paths => paths.map(p => p.getAttribute('fill'))"
    )
    white = page.eval_on_selector(
        "[data-swatch='white']", "el => getComputedStyle(el).backgroundColor"
    )
    assert white in fills, "white spots have the legend's colour"
    assert len(set(fills)) >= 2
    assert page.locator("[data-legend='areas']").is_visible()


def test_usable_on_a_320_pixel_phone(statistics_site, browser) -> None:
    page = new_page(browser, statistics_site, [], viewport=NARROWEST_PHONE)
    too_wide = {}
    for name in statistics_site.paths:
        page.goto(statistics_site.url(name))
        settle(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > NARROWEST_PHONE["width"]:
            too_wide[name] = width
    assert too_wide == {}

    page.goto(statistics_site.url("coverage"))
    settle(page)
    page.get_by_label("Målgruppe", exact=True).select_option("unge")
    page.get_by_role("button", name="Vis tallene").click()

    assert "target_group=unge" in page.url
    table = page.get_by_role("table", name="Fællesskaber i hver kommune for målgruppen")
    assert table.is_visible()
    # The table scrolls inside its own box, which a keyboard can reach.
    region = page.get_by_role("region", name="Fællesskaber i hver kommune for målgruppen")
    region.focus()
    assert page.evaluate("document.activeElement.classList.contains('table-scroll')")
    settle(page)
    page.get_by_role("link", name="Fællesskaber (sortér faldende)").click()
    settle(page)
    first = page.locator(".stats-table tbody tr").first.locator("th").inner_text()
    assert first.startswith("Aarhus Kommune")


def test_works_without_javascript(statistics_site, browser) -> None:
    page = new_page(browser, statistics_site, [], java_script_enabled=False)
    page.goto(statistics_site.url("coverage"))

    assert not page.locator("#map-heading").is_visible()
    assert page.locator(".stats-table tbody tr").count() == 98
    page.get_by_label("Aktivitet", exact=True).select_option("faellesspisning")
    page.get_by_role("button", name="Vis tallene").click()
    assert "activity=faellesspisning" in page.url


def test_the_referral_year_is_chosen_without_javascript(statistics_site, browser) -> None:
    page = new_page(browser, statistics_site, [], java_script_enabled=False)
    page.goto(statistics_site.url("referrals"))

    page.get_by_label("År", exact=True).select_option("alle")
    page.get_by_role("button", name="Vis tallene").click()

    assert "year=alle" in page.url
    table = page.get_by_role(
        "table", name="Henvisninger sendt i alle år, efter fællesskabets målgruppe"
    )
    assert table.get_by_role("row", name="Ældre 6").is_visible()
