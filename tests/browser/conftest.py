"""The live site and the browser the real-browser tests share."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.browser.live import CHROMIUM, CHROMIUM_ARGS, VEJLE, LiveSite, require_chromium
from tests.main.test_pages import index_everything


@pytest.fixture
def site(app, make_offer) -> Iterator[LiveSite]:
    """Serve the app with a few indexed offers on a free local port; stop it afterwards."""
    require_chromium()
    local = make_offer(
        name="Fællesspisning i Thisted",
        municipality_code="787",
        target_groups=["aeldre", "over-85"],
        features=["koerestolsadgang", "hoereslynge"],
        description="Vi laver mad sammen.\n\nAlle er velkomne, også hvis du kommer alene.",
        # Long enough to widen a phone's page if it could not break.
        email="kontaktperson.for.faellesspisningen@forening.example",
    )
    make_offer(
        name="Gåtur ved fjorden",
        municipality_code="787",
        is_free=False,
        price_text="20 kr.",
        activities=["motion-gaature"],
        latitude=56.958,
        longitude=8.702,
    )
    make_offer(
        name="Strikkeklub i København",
        municipality_code="101",
        city="København",
        activities=["kreative"],
        latitude=55.676,
        longitude=12.568,
    )
    make_offer(
        name="Fællesskab i Vejle",
        municipality_code="630",
        city="Vejle",
        postal_code="7100",
        latitude=VEJLE["latitude"] + 0.002,
        longitude=VEJLE["longitude"] - 0.003,
    )
    online = make_offer(name="Snak over nettet", virtual=True, features=["online"])
    index_everything()

    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, name="live-portal", daemon=True)
    thread.start()
    try:
        yield LiveSite(
            base_url=f"http://127.0.0.1:{server.server_port}",
            paths={
                "home": "/",
                "search": "/search?where=Thisted",
                "filtered search": "/search?where=Thisted&activity=faellesspisning&free=1",
                "whole country": "/search",
                "empty search": "/search?q=xylofonorkester&where=Thisted&activity=kultur",
                "unknown place": "/search?where=Vejlee",
                "bad coordinates": "/search?lat=abc&lon=91",
                "offer": f"/tilbud/{local.id}",
                "online offer": f"/tilbud/{online.id}",
                "not found": "/tilbud/findes-ikke",
                "open data": "/api",
            },
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[object]:
    """Launch headless Chromium once per test."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tolerate a file the live server had open when the browser moved on.

    When a page is left before, say, its favicon or the map script has been
    sent, the development server's file object is closed by the garbage
    collector instead; that is harmless, but pytest turns the resulting
    warning into an error at random.
    """
    markers = [
        pytest.mark.filterwarnings(
            "ignore:Exception ignored in. <_io.FileIO:pytest.PytestUnraisableExceptionWarning"
        ),
        pytest.mark.filterwarnings("ignore:unclosed file <_io.BufferedReader:ResourceWarning"),
    ]
    for item in items:
        if item.path.parent.name == "browser":
            for marker in markers:
                item.add_marker(marker)
