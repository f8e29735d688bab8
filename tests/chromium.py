"""Debian's Chromium under Playwright's sync API, launched one way for every browser test.

``/usr/bin/chromium`` (``scripts/setup.sh --browser`` installs it; ``KARTE_CHROMIUM`` points
elsewhere), never a browser Playwright downloads. Callers hold it for a package or module,
not the session: while the sync API is open it keeps an event loop running in the main
thread, which breaks every later test that calls ``asyncio.run`` or starts its own Playwright.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("KARTE_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """A headless Chromium, closed on exit; a missing binary fails the test with what to do."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} fehlt: scripts/setup.sh --browser installiert Chromium / "
            f"{CHROMIUM} is missing: scripts/setup.sh --browser installs Chromium"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
