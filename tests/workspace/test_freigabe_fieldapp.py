"""The field app shows the planners' decisions: a rejected entry with the planner's note, and
an entry with changes requested that the team fixes and resends (back to review)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from tests.conftest import LiveServer
from tests.test_fieldapp_phone import CENTRE, WAIT_MS, Cologne, Phone, make_cologne, only_local

pytestmark = pytest.mark.browser


@pytest.fixture()
def phone(browser: Any, live_server: LiveServer) -> Iterator[Phone]:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="de-DE",
        permissions=["geolocation"],
        geolocation={"longitude": CENTRE[0], "latitude": CENTRE[1], "accuracy": 5},
    )  # fmt: skip
    context.route("**/*", only_local)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/erfassen")
    page.wait_for_selector("#view-signin:not([hidden])")
    yield Phone(context, page, live_server, "freigabe")
    context.close()
    assert not errors, errors


def entry(phone: Phone, title: str) -> Any:
    return phone.page.locator("#entry-list li.entry", has_text=title)


def test_rejected_note_shows_and_changes_requested_is_fixed_and_resent(
    phone: Phone, engine: Engine, live_server: LiveServer
) -> None:
    cologne: Cologne = make_cologne(engine)
    phone.sign_in(cologne.field_token)
    walk = phone.start_walkthrough(cologne.slug, "Begehung Freigabe")
    phone.move_to(*CENTRE)
    phone.wait_for_gps_point(*CENTRE)
    phone.log("problem", "mobilitaet", "Bank kaputt", rating="-1")
    phone.log("idea", "mobilitaet", "Falscher Ort")
    phone.show_list()
    phone.wait_summary(sent=2, waiting=0, refused=0)

    planner = {"Authorization": f"Bearer {cologne.planner_token}"}
    with httpx.Client(base_url=live_server.url, timeout=30, headers=planner) as http:
        items = http.get("/api/observations", params={"walkthrough": walk}).json()["items"]
        ids = {i["title"]: i["id"] for i in items}
        r = http.post(
            f"/api/review/observation/{ids['Falscher Ort']}/decision",
            json={"action": "reject", "note": "Liegt außerhalb des Quartiers"},
        )
        assert r.status_code == 200, r.text
        r = http.post(
            f"/api/review/observation/{ids['Bank kaputt']}/decision",
            json={"action": "request_changes", "note": "Welche Bank? Bitte genauer."},
        )
        assert r.status_code == 200, r.text

    phone.page.reload()  # a new start asks the server at once (else within 30 s)
    phone.page.wait_for_selector("#view-main:not([hidden])", timeout=WAIT_MS)
    phone.show_list()
    rejected = entry(phone, "Falscher Ort")
    rejected.locator(".badge-mod-rejected").wait_for(timeout=WAIT_MS)
    assert "von der Planung abgelehnt" in rejected.locator(".badge-mod").inner_text()
    assert "Liegt außerhalb des Quartiers" in rejected.locator(".entry-note").inner_text()
    asked = entry(phone, "Bank kaputt")
    assert "Änderung erbeten" in asked.locator(".badge-mod").inner_text()
    assert "Welche Bank? Bitte genauer." in asked.locator(".entry-note").inner_text()

    asked.get_by_role("button", name="Korrigieren").click()
    phone.page.wait_for_selector("#cancel-edit:not([hidden])")
    phone.page.fill("#title", "Bank am Spielplatz kaputt")
    phone.page.click("#save")
    phone.show_list()
    phone.wait_summary(sent=2, waiting=0, refused=0)
    with httpx.Client(base_url=live_server.url, timeout=30, headers=planner) as http:
        deadline_ok = False
        for _ in range(100):
            got = http.get(f"/api/observations/{ids['Bank kaputt']}").json()
            if got["title"] == "Bank am Spielplatz kaputt":
                deadline_ok = True
                break
            phone.page.wait_for_timeout(100)
        assert deadline_ok, got
        assert got["status"] == "review"  # resent: back in the planners' queue
        # by walkthrough: every Cologne test quarter has the same boundary, so a moved or
        # re-sent point may be assigned to another module's quarter
        queue = http.get("/api/review", params={"walkthrough": walk}).json()
        assert [i["title"] for i in queue["items"]] == ["Bank am Spielplatz kaputt"]
    fixed = entry(phone, "Bank am Spielplatz kaputt")
    phone.page.reload()
    phone.page.wait_for_selector("#view-main:not([hidden])", timeout=WAIT_MS)
    phone.show_list()
    fixed.locator(".badge-mod").wait_for(timeout=WAIT_MS)
    phone.wait_until(
        "() => [...document.querySelectorAll('#entry-list li.entry')].some((li) =>"
        " li.dataset.moderation === 'review')"
    )
