"""The administration page in Chromium: an admin creates a planner, restricts its rights,
makes and revokes a token, uploads a quarter boundary — by keyboard, checked in the database."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely.geometry import box
from sqlalchemy import Engine, text

from tests.browser.axe import assert_accessible
from tests.workspace.conftest import PASSWORD, WorkspaceTeam, wait_ready

pytestmark = pytest.mark.browser


def admin_ready(page: Any) -> None:
    page.wait_for_selector("html[data-admin-loaded]", state="attached", timeout=15000)


def status(page: Any, contains: str) -> str:
    page.wait_for_function(
        "(s) => document.getElementById('ws-status').textContent.includes(s)", arg=contains
    )
    return page.locator("#ws-status").inner_text()


@pytest.mark.parametrize("width", [1280, 768])
def test_admin_manages_accounts_tokens_and_quarters(
    signed_in: Any,
    engine: Engine,
    workspace_team: WorkspaceTeam,
    tmp_path: Path,
    width: int,
) -> None:
    watched = signed_in(workspace_team.admin, "/planung/verwaltung", width)
    page = watched.page
    admin_ready(page)
    assert page.locator("#ws-nav-verwaltung").is_visible()
    assert_accessible(page)

    # a quarter from a GeoJSON file (keyboard: type, choose file, Enter on the button)
    slug = f"viertel-{uuid.uuid4().hex[:6]}"
    path = tmp_path / "grenze.geojson"
    gpd.GeoDataFrame(geometry=[box(7.40, 51.45, 7.41, 51.46)], crs=4326).to_file(path)
    page.get_by_label("Kürzel (z. B. bochum-hamme)").fill(slug)
    page.locator("#quarter-name").fill("Browserviertel")
    page.locator("#quarter-city").fill("Bochum")
    page.locator("#quarter-file").set_input_files(str(path))
    page.get_by_role("button", name="Grenze hochladen und speichern").focus()
    page.keyboard.press("Enter")
    assert "Quartier angelegt: Browserviertel" in status(page, "Quartier angelegt")
    page.wait_for_selector(f'#quarter-table tr[data-quarter="{slug}"]')
    # rename it: "Bearbeiten" fills the form, "Nur umbenennen" keeps the boundary
    page.get_by_role("button", name="Quartier bearbeiten: Browserviertel").click()
    assert page.locator("#quarter-slug").input_value() == slug
    page.locator("#quarter-name").fill("Umbenanntes Viertel")
    page.get_by_role("button", name="Nur umbenennen").click()
    status(page, "Quartier umbenannt: Umbenanntes Viertel")
    with engine.connect() as conn:
        q = conn.execute(
            text("SELECT name, city, ST_XMin(boundary) AS x0 FROM quarter WHERE slug = :s"),
            {"s": slug},
        ).one()
    assert (q.name, q.city) == ("Umbenanntes Viertel", "Bochum") and abs(q.x0 - 7.40) < 1e-9

    # a new planner with a password
    name = f"planerin-{uuid.uuid4().hex[:6]}"
    page.locator("#new-name").fill(name)
    page.locator("#new-display").fill("Pia Planerin")
    page.locator("#new-password").fill(PASSWORD)
    page.locator("#new-password").press("Enter")
    status(page, "Konto angelegt: " + name)
    row = page.locator(f'#accounts tr[data-account="{name}"]')
    row.wait_for()
    assert "alle Ebenen · alle Quartiere" in row.inner_text()

    # restrict it to one layer and the new quarter, by keyboard
    row.get_by_role("button", name=f"Konto bearbeiten: {name}").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "edit-display"
    page.locator('#edit-layers input[value="some"]').check()
    page.locator('#edit-layers input[value="mobilitaet"]').check()
    page.locator('#edit-quarters input[value="some"]').check()
    page.locator(f'#edit-quarters input[value="{slug}"]').check()
    assert_accessible(page)
    page.get_by_role("button", name="Änderungen speichern").click()
    status(page, "Konto gespeichert: " + name)
    page.wait_for_function(
        "(n) => document.querySelector(`#accounts tr[data-account='${n}']`)"
        ".textContent.includes('Ebenen: mobilitaet')",
        arg=name,
    )
    with engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT a.layers, (SELECT array_agg(slug) FROM quarter WHERE id = ANY(a.quarters))"
                " AS q, a.password_hash LIKE '$argon2id$%' AS hashed FROM account a "
                "WHERE name = :n"
            ),
            {"n": name},
        ).one()
    assert stored.layers == ["mobilitaet"] and stored.q == [slug] and stored.hashed

    # a token for it: shown once, then revoked; last use shows up in the table
    page.locator("#token-account").select_option(name)
    page.locator("#token-label").fill("Tablet")
    page.locator("#token-days").fill("7")
    page.get_by_role("button", name="Token erstellen").click()
    status(page, "Token erstellt für " + name)
    secret = page.locator("#token-secret-value").input_value()
    assert secret.startswith("karte_")
    assert page.evaluate("() => document.activeElement.id") == "token-secret-value"
    with engine.connect() as conn:
        token_row = conn.execute(
            text(
                "SELECT t.expires_at - t.created_at AS life, t.revoked_at FROM token t "
                "JOIN account a ON a.id = t.account_id WHERE a.name = :n AND t.label = 'Tablet'"
            ),
            {"n": name},
        ).one()
    assert abs(token_row.life.total_seconds() - 7 * 86400) < 60 and token_row.revoked_at is None
    page.get_by_role("button", name=f"Token widerrufen: {name} – Tablet").click()
    status(page, "Token widerrufen: " + name)
    with engine.connect() as conn:
        revoked = conn.execute(
            text(
                "SELECT t.revoked_at IS NOT NULL FROM token t JOIN account a "
                "ON a.id = t.account_id WHERE a.name = :n AND t.label = 'Tablet'"
            ),
            {"n": name},
        ).scalar_one()
    assert revoked
    assert_accessible(page)
    watched.shot(f"verwaltung-{width}")
    assert watched.console_errors == [] and watched.blocked == []


def test_planners_and_field_teams_see_only_what_their_role_may(
    signed_in: Any, workspace_team: WorkspaceTeam
) -> None:
    planner = signed_in(workspace_team.planner, "/planung/verwaltung").page
    assert wait_ready(planner) == "no-access"
    assert planner.get_by_role("heading", name="Kein Zugang").is_visible()
    assert not planner.locator("#accounts").is_visible()
    assert not planner.locator("#ws-nav-verwaltung").is_visible()
    assert_accessible(planner)

    field = signed_in(workspace_team.field, "/planung?lang=en", 768)
    page = field.page
    assert wait_ready(page) == "no-access"
    assert page.get_by_role("heading", name="No access").is_visible()
    assert not page.locator("#ws-nav").is_visible()
    assert page.locator("#ws-signout").is_visible()
    assert_accessible(page)
    page.locator("#ws-signout").click()
    page.wait_for_url("**/planung/anmelden?bye=1&lang=en")
    assert page.evaluate("() => sessionStorage.getItem('karte-token')") is None
    assert page.get_by_text("You are signed out.").is_visible()
