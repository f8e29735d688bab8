"""axe-core (WCAG 2.1 AA) in the real page: the check every page a person opens must pass.

axe-core is installed from npm with the map assets (``package.json``), so the check runs
offline; it is injected into the page under test, never served by the app.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from mapservice.config import REPO_ROOT

AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """The violations of the given impacts, each with its rule id and the offending nodes."""
    # evaluated through the DevTools protocol, not as a <script> tag: the pages' CSP (script
    # hashes only) stays enforced while axe runs; every frame gets it (the share preview)
    for frame in page.frames:
        if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
            frame.evaluate(_axe_source())
    # finite CSS transitions and animations first: a fade caught half-way is a contrast
    # "violation" of a colour nobody sees for long
    page.evaluate(
        "() => Promise.race([new Promise((r) => setTimeout(r, 2000)), Promise.all("
        "document.getAnimations().filter((a) => a.effect && a.effect.getTiming().iterations"
        " !== Infinity).map((a) => a.finished.catch(() => null)))])"
    )
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_AA,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def assert_accessible(page: Any) -> None:
    """Fail with a readable list when axe finds a serious or critical violation."""
    found = axe_violations(page)
    assert not found, "axe (WCAG 2.1 AA) found serious/critical violations:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in found
    )
