"""One headless Chromium for the map browser tests, and pages that cannot leak.

Debian's Chromium (``/usr/bin/chromium``, installed by ``scripts/setup.sh --browser``), never
a downloaded browser. There is no internet here: basemap tiles are answered with a blank
PNG, every other request to a foreign host is blocked *and recorded*, so a test can assert
that a page talks to nobody but the service and its basemap.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from mapservice.config import REPO_ROOT
from tests.chromium import launch_chromium

BASEMAP_HOSTS = {"tile.openstreetmap.org"}
ARTIFACTS = REPO_ROOT / "test-artifacts"
BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@dataclass
class Watched:
    """A page plus everything it said and asked for."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)
    blocked: list[str] = field(default_factory=list)

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One Chromium for all map browser tests.

    Package-scoped, not session-scoped: Playwright's sync API keeps an event loop running in
    the main thread while it is open, which would break every later test that calls
    ``asyncio.run`` (or starts its own Playwright) if it stayed open for the whole session.
    """
    with launch_chromium() as browser:
        yield browser


def watch(context: Any, own_hosts: set[str]) -> Watched:
    """A new page of ``context`` whose foreign requests are answered blank or blocked."""
    page = context.new_page()
    watched = Watched(page)

    def route(route: Any) -> None:
        host = urlsplit(route.request.url).netloc
        watched.hosts.add(host)
        if host in own_hosts:
            route.continue_()
        elif host in BASEMAP_HOSTS:
            route.fulfill(status=200, body=BLANK_PNG, content_type="image/png")
        else:
            watched.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and watched.console_errors.append(m.text))
    page.on("pageerror", lambda e: watched.console_errors.append(f"pageerror: {e}"))
    return watched


@pytest.fixture()
def make_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """``make_page(extra_hosts=set())`` → a watched page in a fresh German context."""
    contexts = []

    def make(extra_hosts: set[str] | None = None, **options: Any) -> Watched:
        context = browser.new_context(
            viewport=options.pop("viewport", {"width": 1280, "height": 800}),
            locale="de-DE",
            **options,
        )
        contexts.append(context)
        own = {urlsplit(live_server.url).netloc, *(extra_hosts or set())}
        return watch(context, own)

    yield make
    for context in contexts:
        context.close()
