"""Every workspace page at 1280 px and at 768 px (tablet): axe 0 serious/critical, no sideways
scrolling, no console error. One list of the pages, so a new section cannot go unchecked:
the test fails when the navigation (mapservice/workspace/shell.py NAV) names a page not here.

The section tests check their pages in fuller states (a selected entry, an open interview,
a preview, a saved view); this one checks each page as it first opens, signed in.
"""

from __future__ import annotations

from typing import Any

import pytest

from mapservice.workspace.shell import NAV
from tests.browser.axe import assert_accessible
from tests.workspace.conftest import WorkspaceTeam, wait_ready

pytestmark = pytest.mark.browser

#: path → (role that may open it, the attribute the page sets once its data is drawn)
PAGES = {
    "/planung": ("planner", "data-start-loaded"),
    "/planung/anmelden": (None, "data-planung"),
    "/planung/freigabe": ("planner", "data-freigabe=loaded"),
    "/planung/interviews": ("planner", "data-interviews=ready"),
    "/planung/import": ("planner", "data-import-ready"),
    "/planung/karten": ("planner", "data-karten=ready"),
    "/planung/veraenderung": ("planner", "data-change-loaded"),
    "/planung/akteure": ("planner", "data-akteure=ready"),
    "/planung/verwaltung": ("admin", "data-admin-loaded"),
}


def test_the_list_covers_every_section_of_the_navigation() -> None:
    assert {item.path for item in NAV} <= set(PAGES)


@pytest.mark.parametrize("width", [1280, 768])
@pytest.mark.parametrize("path", list(PAGES))
def test_page_passes_axe(
    signed_in: Any,
    make_page: Any,
    live_server: Any,
    workspace_team: WorkspaceTeam,
    demo_loaded: Any,
    path: str,
    width: int,
) -> None:
    role, ready = PAGES[path]
    if role is None:
        watched = make_page(width)
        watched.page.goto(live_server.url + path)
        assert wait_ready(watched.page) == "ready"
    else:
        watched = signed_in(getattr(workspace_team, role), path, width)
        assert wait_ready(watched.page) == "ready"
    page = watched.page
    page.wait_for_selector(f"html[{ready}]", state="attached", timeout=30_000)
    if path.endswith("/karten"):
        page.wait_for_selector("#kv-frame[data-ready='1']", state="attached", timeout=30_000)
    assert_accessible(page)
    # once more over a plain background: axe does not judge text over the (blank) map tiles,
    # and a contrast that only holds over an image is not a contrast
    for frame in page.frames:
        frame.evaluate("() => document.querySelectorAll('.leaflet-tile-pane')"
                       ".forEach((p) => p.remove())")  # fmt: skip
    assert_accessible(page)
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{path} scrolls sideways at {width} px ({scroll} px)"
    assert watched.console_errors == [] and watched.blocked == [], watched.console_errors
