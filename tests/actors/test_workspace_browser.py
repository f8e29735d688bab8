"""/planung/akteure in a real Chromium: create with a bad opening-hours line (the API's German
message in the alert, nothing written), fix it, consent per field by keyboard, and axe."""

from __future__ import annotations

import pytest

from tests.actors.conftest import create_actor
from tests.browser.axe import assert_accessible
from tests.programme.conftest import Programme
from tests.workspace.conftest import with_token

pytestmark = pytest.mark.browser


def test_workspace_actors_page(http, live_server, make_page, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    create_actor(http, programme, name="Vorhandener Verein", kind="verein")
    watched = with_token(make_page(), programme.team.planner)
    page = watched.page
    page.goto(f"{live_server.url}/planung/akteure?quarter={programme.quarter}")
    page.wait_for_selector("html[data-akteure=ready]", state="attached", timeout=15_000)
    assert "Vorhandener Verein" in page.locator("#ak-rows").inner_text()
    assert_accessible(page)
    page.locator("#ak-new").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "ak-form-h"
    page.locator("#ak-name").fill("Kümmerin Testweg")
    page.locator("#ak-kind").select_option("person")
    page.locator("#ak-phone").fill("+49 561 4711")
    page.locator("#ak-offers").fill("Sprechstunde | Nachbar*innen | Mo-Fx 09:00-17:00")
    page.locator("#ak-save").click()
    page.wait_for_selector("#ak-error:not([hidden])")
    assert "Öffnungszeiten" in page.locator("#ak-error").inner_text()
    listed = http.get(
        "/api/actors",
        params={"quarter": programme.quarter, "q": "Testweg"},
        headers=programme.auth(),
    ).json()
    assert listed["total"] == 0  # nothing written
    # a person starts with no consent; tick name and offers by keyboard, publish, save
    assert not page.locator("#ak-c-name").is_checked()
    page.locator("#ak-offers").fill("Sprechstunde | Nachbar*innen | Mo-Fr 09:00-17:00")
    for box in ("#ak-c-name", "#ak-c-offers", "#ak-published"):
        page.locator(box).focus()
        page.keyboard.press("Space")
    page.locator("#ak-save").click()
    page.wait_for_selector("#ak-rows th:has-text('Kümmerin Testweg')")
    public = http.get("/api/actors", params={"quarter": programme.quarter, "q": "Testweg"}).json()
    assert [a["name"] for a in public["items"]] == ["Kümmerin Testweg"]
    assert "phone" not in public["items"][0]
    assert public["items"][0]["offers"][0]["opening_hours"] == "Mo-Fr 09:00-17:00"
    assert_accessible(page)
    # the only console line is the browser's note on the refused save (400), nothing else
    assert all("400 (Bad Request)" in e for e in watched.console_errors), watched.console_errors
