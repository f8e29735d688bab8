"""Helpers of the browser tests (kept out of conftest so test modules can import them)."""

from __future__ import annotations

import time
from typing import Any


def settle(page: Any, timeout: float = 15) -> dict[str, Any]:
    """Wait until every active layer has drawn; return ``Karte.stats()``.

    (Playwright's ``wait_for_function`` evaluates a string, which the page's CSP forbids.)
    """
    page.wait_for_selector("html[data-karte-ready]", state="attached", timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate("() => Object.values(Karte.ctx.layers).every((l) => !l.loading)"):
            page.wait_for_timeout(60)
            if page.evaluate("() => Object.values(Karte.ctx.layers).every((l) => !l.loading)"):
                return page.evaluate("() => Karte.stats()")
        page.wait_for_timeout(50)
    raise AssertionError("the map did not finish drawing")


def drawn(stats: dict[str, Any]) -> int:
    return sum(layer["items"] for layer in stats.values())
