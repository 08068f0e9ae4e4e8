"""Real-browser checks of the import pages: WCAG 2.1 AA with axe-core, small screens, the CSP."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.browser.live import (
    AXE_OPTIONS,
    CHROMIUM,
    CHROMIUM_ARGS,
    NARROWEST_PHONE,
    LiveSite,
    new_page,
    require_chromium,
)
from tests.imports.conftest import csv_file, csv_row

pytestmark = pytest.mark.browser


@pytest.fixture
def import_site(app, make_organization, make_user) -> Iterator[tuple[LiveSite, str]]:
    """Serve the app with a member of an association; yield the site and a session cookie."""
    require_chromium()
    organization = make_organization(name="Ældre Sagen Thy", is_verified=True)
    user = make_user(organization=organization)
    serializer = app.session_interface.get_signing_serializer(app)
    cookie = serializer.dumps({"_user_id": user.get_id(), "_fresh": True})
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, name="live-import", daemon=True)
    thread.start()
    try:
        site = LiveSite(
            base_url=f"http://127.0.0.1:{server.server_port}",
            paths={
                "import": f"/forening/{organization.id}/import",
                "guide": "/import/vejledning",
            },
        )
        yield site, cookie
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def chromium() -> Iterator[object]:
    """Launch headless Chromium once per test."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def _signed_in_page(chromium, site: LiveSite, cookie: str, csp_errors: list[str], **options):  # type: ignore[no-untyped-def]
    page = new_page(chromium, site, csp_errors, **options)
    page.context.add_cookies([{"name": "session", "value": cookie, "url": site.base_url}])
    return page


def _upload(page, site: LiveSite, data: bytes, *, dry_run: bool) -> None:  # type: ignore[no-untyped-def]
    page.goto(site.url("import"))
    page.get_by_label("Fil med tilbud (CSV eller JSON)").set_input_files(
        files=[{"name": "tilbud.csv", "mimeType": "text/csv", "buffer": data}]
    )
    checkbox = page.get_by_label("Prøvekørsel (gem intet)")
    assert checkbox.is_checked(), "a dry run is the default"
    if not dry_run:
        checkbox.uncheck()
    page.get_by_role("button", name="Upload filen").click()


def test_import_pages_have_no_wcag_violations(import_site, chromium) -> None:
    from axe_playwright_python.sync_playwright import Axe

    site, cookie = import_site
    axe = Axe()
    csp_errors: list[str] = []
    reports = {}
    for viewport in ({"width": 1280, "height": 800}, NARROWEST_PHONE):
        page = _signed_in_page(chromium, site, cookie, csp_errors, viewport=viewport)
        page.goto(site.url("import"))
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports[f"import page {viewport}"] = results.generate_report()

        page.get_by_role("button", name="Upload filen").click()
        assert page.get_by_role("alert").is_visible(), "no file chosen: an error summary"
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports[f"no file {viewport}"] = results.generate_report()

        bad = csv_file(csv_row("a", "Spis", postnummer="77"), csv_row("a", "", gratis="måske"))
        _upload(page, site, bad, dry_run=True)
        assert "Der er 3 fejl i filen. Intet er gemt." in page.get_by_role("alert").inner_text()
        assert page.locator("#import-errors tbody tr").count() == 3
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports[f"errors {viewport}"] = results.generate_report()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the error page scrolls sideways at {viewport}"

        _upload(page, site, csv_file(csv_row("ok", "Fællesspisning i Thisted")), dry_run=True)
        assert page.get_by_role("heading", level=1).inner_text() == "Prøvekørslen fandt ingen fejl"
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports[f"dry run {viewport}"] = results.generate_report()

        page.goto(site.url("guide"))
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports[f"guide {viewport}"] = results.generate_report()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the guide scrolls sideways at {viewport}"
        page.context.close()

    assert not reports, "\n\n".join(f"== {name} ==\n{text}" for name, text in reports.items())
    assert csp_errors == []


def test_a_clean_dry_run_imports_with_one_click_without_javascript(import_site, chromium) -> None:
    site, cookie = import_site
    page = _signed_in_page(chromium, site, cookie, [], java_script_enabled=False)
    _upload(page, site, csv_file(csv_row("ok", "Fællesspisning i Thisted")), dry_run=True)

    page.get_by_role("button", name="Importér nu").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Tilbuddene er importeret"
    assert page.get_by_role("status").filter(has_text="1 nyt tilbud").is_visible()
