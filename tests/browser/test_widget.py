"""The widget in a real browser: embedded by widget.js on another site, and WCAG 2.1 AA."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from portal.widget import bp as widget_bp
from tests.browser.live import AXE_OPTIONS, LiveSite, new_page

pytestmark = pytest.mark.browser

NARROW_FRAME = {"width": 280, "height": 640}


@pytest.fixture(autouse=True)
def _serve_widget(app) -> None:
    """Register the widget on the app before the live site starts."""
    if "widget" not in app.blueprints:
        app.register_blueprint(widget_bp)


def _serve(application, name: str) -> Iterator[str]:
    # Threaded: Chromium opens spare connections to an origin a page loads a script
    # from, and a single-threaded server would wait on one of them for good.
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def portal_url(app, site: LiveSite) -> Iterator[str]:
    """Serve the portal (with the live site's offers) on a threaded server."""
    yield from _serve(app, "widget-portal")


@pytest.fixture
def host_site(portal_url: str) -> Iterator[str]:
    """Serve a municipality's page, on another origin, that embeds the widget."""
    page = f"""<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>Vejle Kommune</title></head>
<body><main><h1>Fællesskaber i Vejle Kommune</h1>
<script src="{portal_url}/static/js/widget.js" data-where="Vejle"
  data-target-group="aeldre" data-antal="3" data-unknown="x" async></script>
<p id="after">Efter widgetten.</p></main></body></html>"""

    @Request.application
    def host(request: Request) -> Response:
        return Response(page, mimetype="text/html")

    for url in _serve(host, "host-site"):
        # Another origin: localhost, where the portal is on 127.0.0.1.
        yield url.replace("127.0.0.1", "localhost") + "/"


def test_another_site_embeds_the_widget(portal_url: str, host_site: str, browser) -> None:
    csp_errors: list[str] = []
    page = new_page(browser, LiveSite(portal_url, {}), csp_errors)
    page.context.unroute("**/*")
    page.context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith((portal_url, host_site))
            else route.abort("internetdisconnected")
        ),
    )

    page.goto(host_site)

    frame_element = page.locator("iframe")
    frame_element.wait_for()
    assert frame_element.get_attribute("title") == "Fællesskaber nær Vejle"
    assert frame_element.get_attribute("loading") == "lazy"
    assert frame_element.get_attribute("referrerpolicy") == "strict-origin-when-cross-origin"
    src = frame_element.get_attribute("src") or ""
    assert src.startswith(portal_url + "/widget?")
    assert "target_group=aeldre" in src and "antal=3" in src and "unknown" not in src
    assert page.locator("iframe + #after").count() == 1, "inserted right after the script"
    widget = page.frame_locator("iframe")
    assert widget.get_by_role("heading", level=1).inner_text() == "Fællesskaber nær Vejle"
    assert widget.get_by_role("link", name="Fællesskab i Vejle").get_attribute("target") == "_blank"
    assert "Fællesspisning i Thisted" not in widget.locator("main").inner_text()
    assert page.context.cookies() == []
    assert csp_errors == []


@pytest.mark.parametrize("lang", ["da", "en"])
def test_widget_has_no_wcag_violations(site: LiveSite, browser, lang: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    csp_errors: list[str] = []
    page = new_page(browser, site, csp_errors, viewport=NARROW_FRAME)
    reports = {}
    for query in ("where=Vejle", "where=Vejlee", "lat=abc&lon=91", "where=Thisted&antal=10"):
        page.goto(f"{site.base_url}/widget?{query}&lang={lang}")
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports[query] = results.generate_report()
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= NARROW_FRAME["width"], f"{query} scrolls sideways"

    assert not reports, "\n\n".join(f"== {name} ==\n{text}" for name, text in reports.items())
    assert csp_errors == []
