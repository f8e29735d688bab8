"""The Freigabe page in Chromium: 1280 and 768 px with axe, keyboard-only publish and reject,
dragging a point and publishing, a bulk action over everything the filter matches. Every
result is checked through the public API afterwards."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from tests.browser.axe import assert_accessible
from tests.workspace.conftest import WorkspaceTeam
from tests.workspace.freigabe_fixtures import Area, events, make_area, post_obs

pytestmark = pytest.mark.browser


def open_queue(signed_in: Any, member: Any, area: Area, width: int = 1280, **query: str) -> Any:
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    watched = signed_in(member, f"/planung/freigabe?quarter={area.slug}{extra}", width)
    page = watched.page
    page.wait_for_selector("html[data-freigabe=loaded]", state="attached")
    return watched


def wait_rows(page: Any, n: int) -> None:
    page.wait_for_function("(n) => document.querySelectorAll('#fg-rows tr.fg-row').length === n",
                           arg=n)  # fmt: skip


@pytest.mark.parametrize("width", [1280, 768])
def test_page_lists_the_queue_and_passes_axe(
    signed_in: Any, http: httpx.Client, engine: Engine, workspace_team: WorkspaceTeam, width: int
) -> None:
    area = make_area(engine, 10 + (width == 768))
    for i in range(3):
        post_obs(http, workspace_team.field, area, i, title=f"Breite {width} {i}")
    watched = open_queue(signed_in, workspace_team.planner, area, width)
    page = watched.page
    wait_rows(page, 3)
    page.wait_for_selector("#fg-body:not([hidden])")
    assert page.locator("#fg-total").inner_text() == "(3)"
    assert "Freigabe" in page.locator("#fg-count-list").inner_text()
    badge = page.locator("#ws-count-freigabe")
    badge.wait_for(state="visible")
    total = http.get("/api/review/counts", headers=workspace_team.planner.auth).json()
    assert badge.locator(".ws-count-n").inner_text() == str(total["total"]["waiting"])
    assert_accessible(page)
    # the detail map's attribution links, also over a plain background (axe skips text over
    # images): told apart from the text by more than colour
    page.locator("#fg-map .leaflet-control-attribution a").first.wait_for()
    page.evaluate("() => document.querySelector('#fg-map .leaflet-tile-pane').remove()")
    assert_accessible(page)
    width_px = page.evaluate("() => document.documentElement.scrollWidth")
    assert width_px <= width + 1, "no horizontal scrolling of the page"
    assert not watched.console_errors, watched.console_errors


def test_keyboard_only_publish_and_reject(
    signed_in: Any, http: httpx.Client, engine: Engine, workspace_team: WorkspaceTeam
) -> None:
    area = make_area(engine, 12)
    ids = [post_obs(http, workspace_team.field, area, i, title=f"Taste {i}") for i in range(3)]
    page = open_queue(signed_in, workspace_team.planner, area).page
    wait_rows(page, 3)
    page.keyboard.press("j")  # the second entry
    page.wait_for_function("() => document.activeElement.dataset.index === '1'")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "visible focus on the current entry"
    page.wait_for_function(
        "(t) => document.querySelector('#fg-detail-h').textContent === t", arg="Taste 1"
    )
    page.keyboard.press("p")
    wait_rows(page, 2)
    assert http.get(f"/api/observations/{ids[1]}").json()["status"] == "published"
    page.wait_for_function("() => document.activeElement.classList.contains('fg-row')")
    current = page.evaluate("() => document.activeElement.dataset.id")
    page.wait_for_function(
        "(id) => document.querySelector('#fg-rows tr.is-current').dataset.id === id", arg=current
    )
    page.keyboard.press("r")
    page.wait_for_function("() => document.activeElement.id === 'fg-note'")
    page.keyboard.press("Enter")  # without a comment: refused, nothing moves
    page.wait_for_function(
        "() => document.querySelector('#ws-status').textContent.includes('Kommentar')"
    )
    page.keyboard.type("Ort liegt außerhalb")
    page.keyboard.press("Enter")
    wait_rows(page, 1)
    assert events(engine, current)[-1] == ("review", "rejected", "Ort liegt außerhalb")
    assert http.get(f"/api/observations/{current}").status_code == 404


def test_drag_the_point_and_publish(
    signed_in: Any, http: httpx.Client, engine: Engine, workspace_team: WorkspaceTeam
) -> None:
    area = make_area(engine, 13)
    oid = post_obs(http, workspace_team.field, area, 5, title="Zu verschieben")
    page = open_queue(signed_in, workspace_team.planner, area).page
    wait_rows(page, 1)
    pin = page.locator("#fg-map .fg-pin")
    pin.wait_for(state="visible")
    box = pin.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 30, y + 20, steps=8)
    page.mouse.up()
    page.wait_for_function(
        "() => document.querySelector('#ws-status').textContent.includes('verschoben')"
    )
    page.get_by_role("button", name="Änderungen speichern").click()
    page.wait_for_function(
        "() => document.querySelector('#ws-status').textContent === 'Gespeichert.'"
    )
    page.get_by_role("button", name="Freigeben p").click()
    wait_rows(page, 0)
    public = http.get(f"/api/observations/{oid}").json()
    before = area.point(5)
    after = public["geometry"]["coordinates"]
    assert public["status"] == "published"
    assert after[0] > before[0] and after[1] < before[1], (before, after)  # right and down


def test_bulk_publish_over_everything_the_filter_matches(
    signed_in: Any, http: httpx.Client, engine: Engine, workspace_team: WorkspaceTeam
) -> None:
    area = make_area(engine, 14)
    wanted = [post_obs(http, workspace_team.field, area, i) for i in range(4)]
    other = post_obs(http, workspace_team.field, area, 9, layer="umwelt")
    page = open_queue(signed_in, workspace_team.planner, area, layer="mobilitaet").page
    wait_rows(page, 4)
    assert page.locator("#fg-match-n").inner_text() == "4"
    page.get_by_label("alle Treffer des Filters").check()
    page.get_by_label("Aktion", exact=True).select_option("publish")
    page.get_by_role("button", name="Ausführen").click()
    page.wait_for_function(
        "() => document.querySelector('#ws-status').textContent.startsWith('4 von 4')"
    )
    wait_rows(page, 0)
    assert all(http.get(f"/api/observations/{i}").json()["status"] == "published" for i in wanted)
    assert http.get(f"/api/observations/{other}").status_code == 404


def test_the_page_in_english_with_an_english_error(
    signed_in: Any, http: httpx.Client, engine: Engine, workspace_team: WorkspaceTeam
) -> None:
    area = make_area(engine, 15)
    ids = [post_obs(http, workspace_team.field, area, i, title=f"Bench {i}") for i in range(2)]
    watched = open_queue(signed_in, workspace_team.planner, area, 768, lang="en")
    page = watched.page
    wait_rows(page, 2)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Review", exact=True).is_visible()
    assert page.get_by_role("heading", name="Waiting for review").is_visible()
    assert page.locator("#ws-nav-freigabe").inner_text().startswith("Review")
    filters = page.get_by_role("form", name="Filters")
    for label in ("State", "Quarter", "Layer", "Kind", "Recorded by (account)", "from (date)"):
        assert filters.get_by_label(label, exact=True).is_visible(), label
    for name in ("Apply filters", "Reset", "Run", "Publish p", "Reject … r",
                 "Request changes … c", "Save changes"):  # fmt: skip
        assert page.get_by_role("button", name=name, exact=True).is_visible(), name
    assert page.get_by_label("everything the filter matches").is_visible()
    header = page.locator("#fg-table thead").inner_text()
    assert "Title" in header and "Layer" in header and "Titel" not in header
    first = page.locator("#fg-rows tr.fg-row").first
    assert "In review" in first.inner_text() and "Observation" in first.inner_text()
    page.wait_for_function(
        "() => document.getElementById('fg-history').textContent === 'No decision yet.'"
    )
    assert_accessible(page)

    # a bulk action without a selection: refused in English, nothing sent
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function(
        "() => document.getElementById('ws-status').textContent === 'No entries selected.'"
    )
    # reject without a comment: the server's English message, the entry stays
    page.get_by_role("button", name="Reject … r", exact=True).click()
    assert page.get_by_label("Reason for rejecting (for the field team)").is_visible()
    page.get_by_role("button", name="Reject", exact=True).click()
    page.wait_for_function(
        "() => document.getElementById('ws-status').textContent === "
        "'Rejecting needs a comment: the field team reads it in the field app.'"
    )
    wait_rows(page, 2)
    assert events(engine, ids[0]) == [] and events(engine, ids[1]) == []
    # with a comment it goes through, and says so in English
    page.get_by_role("button", name="Request changes … c", exact=True).click()
    assert page.get_by_label("What should the field team change?").is_visible()
    page.locator("#fg-note").fill("Which bench? Please add the street.")
    page.get_by_role("button", name="Request changes", exact=True).click()
    page.wait_for_function(
        "() => document.getElementById('ws-status').textContent.startsWith('Changes requested: ')"
    )
    wait_rows(page, 1)
    moved = [i for i in ids if events(engine, i)]
    assert len(moved) == 1
    assert events(engine, moved[0]) == [
        ("review", "changes_requested", "Which bench? Please add the street.")
    ]
    assert_accessible(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 769
    assert watched.console_errors == [] or all("400" in e for e in watched.console_errors)


def test_keys_act_on_the_current_row_while_its_detail_still_loads(
    signed_in: Any, http: httpx.Client, engine: Engine, workspace_team: WorkspaceTeam
) -> None:
    """j then p (or r) faster than the next entry's detail arrives: the decision is for the
    row that is current, not for the entry whose detail is still shown."""
    area = make_area(engine, 16)
    ids = [post_obs(http, workspace_team.field, area, i, title=f"Schnell {i}") for i in range(3)]
    page = open_queue(signed_in, workspace_team.planner, area).page
    wait_rows(page, 3)
    page.wait_for_function("() => document.querySelector('#fg-detail-h').textContent !== 'Eintrag'")
    first = page.locator("#fg-detail-h").inner_text()
    held: list[Any] = []

    def hold(route: Any) -> None:  # the detail of an entry (GET), answered only when released
        if route.request.method == "GET":
            held.append(route)
        else:
            route.continue_()

    page.route("**/api/review/observation/*", hold)
    page.locator("#fg-rows tr.is-current").focus()
    page.keyboard.press("j")
    page.wait_for_function("() => document.activeElement.dataset.index === '1'")
    second = page.evaluate("() => document.activeElement.dataset.id")
    assert page.locator("#fg-detail-h").inner_text() == first  # still the first one's detail
    page.keyboard.press("p")
    wait_rows(page, 2)
    by_title = {f"Schnell {i}": oid for i, oid in enumerate(ids)}
    assert events(engine, second) == [("review", "published", "")]
    assert events(engine, by_title[first]) == [], "the entry whose detail was shown stays"

    # r opens the comment for the current row; its detail arriving later keeps it open
    page.wait_for_function("() => document.activeElement.classList.contains('fg-row')")
    current = page.evaluate("() => document.activeElement.dataset.id")
    page.keyboard.press("r")
    page.wait_for_function("() => document.activeElement.id === 'fg-note'")
    for route in held:
        route.continue_()
    page.unroute("**/api/review/observation/*", hold)
    page.wait_for_function(
        "(id) => document.querySelector('#fg-rows tr.is-current').dataset.id === id", arg=current
    )
    assert page.locator("#fg-note-box").is_visible()
    page.keyboard.type("Doppelt erfasst")
    page.keyboard.press("Enter")
    wait_rows(page, 1)
    assert events(engine, current) == [("review", "rejected", "Doppelt erfasst")]
