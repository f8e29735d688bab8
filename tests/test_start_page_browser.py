"""The start page in a real headless Chromium: no console errors, no foreign requests,
the figures open with the keyboard; screenshots go to ``test-artifacts/``."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.chromium import launch_chromium
from tests.conftest import LiveServer

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

pytestmark = pytest.mark.browser


def visit(url: str, lang: str, width: int) -> tuple[list[str], set[str]]:
    """Open the page, open one card's figures with the keyboard, take a screenshot.

    Runs in its own thread: a session-wide ``sync_playwright`` elsewhere in the suite keeps an
    event loop running on the main thread, and Playwright's sync API refuses to start there.
    """
    errors: list[str] = []
    hosts: set[str] = set()
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: hosts.add(urlparse(r.url).netloc))
        page.goto(f"{url}/?lang={lang}")
        assert page.locator("h1").inner_text() in ("Karte der Nachhaltigkeit", "Sustainability map")
        assert page.locator("article.card").count() >= 3
        hamme = page.locator("article.card", has=page.locator("h2", has_text="Hamme"))
        hamme.locator("details summary").focus()
        page.keyboard.press("Enter")  # the figures open with the keyboard
        assert hamme.locator("figure.karte-figure").first.is_visible()
        page.screenshot(path=str(ARTIFACTS / f"start-page-{lang}-{width}.png"), full_page=True)
    return errors, hosts


@pytest.mark.parametrize(("lang", "width"), [("de", 1280), ("en", 390)])
def test_start_page_in_chromium(
    live_server: LiveServer, demo_loaded: dict[str, int], lang: str, width: int
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with ThreadPoolExecutor(max_workers=1) as pool:
        errors, hosts = pool.submit(visit, live_server.url, lang, width).result(timeout=120)
    assert errors == []
    assert hosts <= {urlparse(live_server.url).netloc}  # nothing from any other host
