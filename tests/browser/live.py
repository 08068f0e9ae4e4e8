"""Helpers for the real-browser tests: Chromium's settings and a page that stays offline."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
NARROWEST_PHONE = {"width": 320, "height": 640}
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
VEJLE = {"latitude": 55.709, "longitude": 9.536}


@dataclass
class LiveSite:
    """The app served over HTTP, and the paths worth visiting."""

    base_url: str
    paths: dict[str, str]

    def url(self, name: str) -> str:
        return self.base_url + self.paths[name]


def require_chromium() -> None:
    """Skip (or fail on CI) when Debian's chromium is missing."""
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing; install it with: apt-get install -y chromium"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def new_page(browser, site: LiveSite, csp_errors: list[str], **context_options):
    """Open a Danish page that can reach only the test server, as without internet.

    Map tiles and anything else from outside are refused at once, so the tests
    see the offline behaviour every time and send nothing off this machine.
    """
    context = browser.new_context(locale="da-DK", **context_options)
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(site.base_url)
            else route.abort("internetdisconnected")
        ),
    )
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page


def settle(page) -> None:
    """Let lazy parts load: bring any map into view and wait until it is drawn."""
    for selector in ("#map", "#offer-map"):
        container = page.locator(selector)
        if container.count() and container.is_visible():
            container.scroll_into_view_if_needed()
            page.wait_for_selector(f"{selector}.map--ready", timeout=10_000)
            page.wait_for_selector(
                f"{selector} ~ [data-map-failed]", state="visible", timeout=10_000
            )
    page.evaluate("window.scrollTo(0, 0)")
