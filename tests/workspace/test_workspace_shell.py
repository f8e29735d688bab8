"""The /planung shell: sign-in through the form, role-aware navigation, live region, axe."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.browser.axe import assert_accessible
from tests.workspace.conftest import PASSWORD, WorkspaceTeam, wait_ready

pytestmark = pytest.mark.browser


def test_password_sign_in_me_and_sign_out_over_http(
    http: httpx.Client, workspace_team: WorkspaceTeam
) -> None:
    planner = workspace_team.planner
    r = http.post("/api/auth/login", json={"account": planner.name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token"].startswith("karte_") and body["token"] != planner.token
    assert body["account"]["account"] == planner.name and body["account"]["role"] == "planner"
    assert body["account"]["layers"] is None and body["account"]["quarters"] is None
    auth = {"Authorization": f"Bearer {body['token']}"}
    me = http.get("/api/auth/me", headers=auth).json()
    assert me == body["account"]
    assert me["display_name"] == "Test planner"
    out = http.post("/api/auth/logout", headers=auth)
    assert out.json() == {"revoked": True}
    gone = http.get("/api/auth/me", headers=auth)
    assert gone.status_code == 401 and gone.json()["code"] == "token_revoked"


def test_sign_in_page_leads_a_planner_to_the_start_page(
    make_page: Any, live_server: Any, workspace_team: WorkspaceTeam
) -> None:
    planner = workspace_team.planner
    watched = make_page(1280)
    page = watched.page
    page.goto(f"{live_server.url}/planung")
    page.wait_for_url("**/planung/anmelden?next=*")  # no token: off to the sign-in page
    assert wait_ready(page) == "ready"
    assert_accessible(page)
    page.get_by_label("Konto", exact=True).fill(planner.name)
    page.get_by_label("Passwort", exact=True).fill("ganz-falsch-123")
    page.get_by_label("Passwort", exact=True).press("Enter")
    error = page.get_by_role("alert")
    error.wait_for()
    assert error.inner_text() == "Anmeldung fehlgeschlagen: Konto oder Passwort stimmt nicht."
    assert page.evaluate("() => document.activeElement.id") == "login-pw"
    assert_accessible(page)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Passwort", exact=True).press("Enter")
    page.wait_for_url(f"{live_server.url}/planung")
    assert wait_ready(page) == "ready"
    page.goto(f"{live_server.url}/planung/anmelden")  # signed in: it says as whom
    page.locator("#login-current").wait_for()
    assert f"Test planner ({planner.name})" in page.locator("#login-current").inner_text()
    page.get_by_role("link", name="Weiter zum Arbeitsbereich").click()
    page.wait_for_url(f"{live_server.url}/planung")
    assert wait_ready(page) == "ready"
    nav = page.locator("#ws-nav")
    assert nav.is_visible()
    assert page.locator("#ws-nav-freigabe").is_visible()
    assert not page.locator("#ws-nav-verwaltung").is_visible()  # planners: no Verwaltung
    assert page.locator("#ws-who").inner_text() == "Test planner (Planung)"
    token = page.evaluate("() => sessionStorage.getItem('karte-token')")
    assert token and token.startswith("karte_") and token != planner.token
    page.evaluate("() => Planung.say('Hallo')")
    page.wait_for_function("() => document.getElementById('ws-status').textContent === 'Hallo'")
    assert_accessible(page)
    # sign out: the sign-in token is revoked in the database, the tab forgets it
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url("**/planung/anmelden?bye=1")
    assert page.evaluate("() => sessionStorage.getItem('karte-token')") is None
    gone = httpx.get(f"{live_server.url}/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert gone.status_code == 401 and gone.json()["code"] == "token_revoked"
    page.goto(f"{live_server.url}/planung")
    page.wait_for_url("**/planung/anmelden?next=*")
    # the one wrong password was answered 401, which Chromium logs; nothing else went wrong
    others = [e for e in watched.console_errors if "status of 401" not in e]
    assert others == [] and len(watched.console_errors) == 1 and watched.blocked == []


def test_pages_and_static_files_over_http(http: httpx.Client) -> None:
    page = http.get("/planung/anmelden?lang=en")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'self'" in csp
    html = page.text
    assert '<html lang="en">' in html and "Sign in" in html and 'id="ws-status"' in html
    src = html.split('src="/planung/static/workspace.js?v=')[1].split('"')[0]
    js = http.get(f"/planung/static/workspace.js?v={src}")
    assert js.status_code == 200 and "window.Planung" in js.text
    assert js.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert js.headers["content-type"].startswith("text/javascript")
    stale = http.get("/planung/static/workspace.js?v=old")
    assert stale.headers["cache-control"] == "no-cache"
    for bad in ("nothing.js", ".hidden.js", "shell.py", "base.html"):
        r = http.get(f"/planung/static/{bad}")
        assert r.status_code == 404, bad
        assert r.json()["code"] == "no_file" and r.json()["message_en"].startswith("No file")
    assert http.get("/planung/static/..%2Fshell.py").status_code == 404


def test_sign_in_page_in_english_on_a_tablet(
    make_page: Any, live_server: Any, workspace_team: WorkspaceTeam
) -> None:
    watched = make_page(768)
    page = watched.page
    page.goto(f"{live_server.url}/planung/anmelden?lang=en&next=/planung/verwaltung")
    assert wait_ready(page) == "ready"
    assert page.get_by_role("heading", name="Sign in", exact=True).is_visible()
    assert_accessible(page)
    # empty submit: a clear message, focus on the missing field, nothing sent
    page.get_by_role("button", name="Sign in", exact=True).click()
    assert page.get_by_role("alert").inner_text() == "Please enter the account."
    assert page.evaluate("() => document.activeElement.id") == "login-account"
    # a token works too, and ?next= leads on (here: an admin to the administration)
    page.get_by_label("Token (given by an admin)").fill(workspace_team.admin.token)
    page.get_by_label("Token (given by an admin)").press("Enter")
    page.wait_for_url("**/planung/verwaltung?lang=en")
    assert wait_ready(page) == "ready"
    assert page.get_by_role("heading", name="Administration", exact=True).is_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 768  # nothing sticks out sideways on the tablet
    assert_accessible(page)
    assert watched.console_errors == [] and watched.blocked == []
