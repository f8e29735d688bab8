"""The start page /planung in Chromium: waiting counts per quarter, links, language, keyboard."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.browser.axe import assert_accessible
from tests.workspace.conftest import WorkspaceTeam, wait_ready

pytestmark = pytest.mark.browser

BOX = (9.600, 52.200, 9.610, 52.206)


@pytest.fixture(scope="module")
def waiting_quarter(engine: Engine, live_server: Any, workspace_team: WorkspaceTeam) -> str:
    """A quarter with three observations in review and one published."""
    slug = f"start-{uuid.uuid4().hex[:6]}"
    x0, y0, x1, y1 = BOX
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary) VALUES (:s, 'Startviertel', "
                "'Hannover', ST_GeomFromText(:g, 4326))"
            ),
            {
                "s": slug,
                "g": f"MULTIPOLYGON((({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0})))",
            },
        )
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        for i, status in enumerate(("review", "review", "review", "published")):
            body = {
                "layer": "mobilitaet",
                "kind": "idea",
                "title": f"Eintrag {i}",
                "geometry": {"type": "Point", "coordinates": [x0 + 0.001 * (i + 1), y0 + 0.002]},
                "status": status,
            }
            r = http.post("/api/observations", json=body, headers=workspace_team.planner.auth)
            assert r.status_code == 201, r.text
    return slug


@pytest.mark.parametrize(("width", "lang"), [(1280, "de"), (768, "en")])
def test_start_page_counts_and_links(
    signed_in: Any,
    http: httpx.Client,
    waiting_quarter: str,
    workspace_team: WorkspaceTeam,
    width: int,
    lang: str,
) -> None:
    suffix = "?lang=en" if lang == "en" else ""
    watched = signed_in(workspace_team.planner, "/planung" + suffix, width)
    page = watched.page
    page.wait_for_selector("html[data-start-loaded]", state="attached")
    row = page.locator(f'#start-waiting tr[data-quarter="{waiting_quarter}"]')
    cells = row.locator("td.num").all_inner_texts()
    assert cells == ["3", "0", "0"]  # observations, findings, photos in review
    summary = http.get("/api/workspace/summary", headers=workspace_team.planner.auth).json()
    badge = page.locator("#ws-count-freigabe .ws-count-n")
    badge.wait_for()
    assert badge.inner_text() == str(summary["total"]["waiting"])
    review = row.get_by_role("link")
    expected = f"/planung/freigabe?quarter={waiting_quarter}" + ("&lang=en" if lang == "en" else "")
    assert review.get_attribute("href") == expected
    name = "Review: Startviertel" if lang == "en" else "Prüfen: Startviertel"
    assert review.get_attribute("aria-label") == name
    assert not page.locator('#start-sections [data-roles="admin"]').is_visible()
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page)
    watched.shot(f"planung-start-{lang}-{width}")
    assert watched.console_errors == [] and watched.blocked == []


def test_keyboard_skip_link_focus_and_remembered_language(
    signed_in: Any, workspace_team: WorkspaceTeam, live_server: Any
) -> None:
    watched = signed_in(workspace_team.admin, "/planung")
    page = watched.page
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    box = page.locator(".skip").bounding_box()
    assert box and box["y"] >= 0  # the skip link comes into view when focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "ws-main"
    # tab through the header: every control gets a visible focus ring
    page.locator("#ws-lang").focus()
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    assert page.locator("#ws-nav-verwaltung").is_visible()  # admins see Verwaltung
    # switch to English: remembered for the next page opened without ?lang
    page.keyboard.press("Enter")
    page.wait_for_url("**/planung?lang=en")
    wait_ready(page)
    assert page.locator("#ws-nav-freigabe").inner_text().startswith("Review")
    page.goto(f"{live_server.url}/planung/verwaltung")
    page.wait_for_url("**/planung/verwaltung?lang=en")
    wait_ready(page)
    assert page.get_by_role("heading", name="Administration", exact=True).is_visible()
    page.locator("#ws-lang").click()  # back to German, remembered too
    page.wait_for_url("**/planung/verwaltung?lang=de")
    page.goto(f"{live_server.url}/planung")
    wait_ready(page)
    assert page.url.endswith("/planung")
    assert page.locator("html").get_attribute("lang") == "de"
    assert watched.console_errors == []
