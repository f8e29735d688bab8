"""The import page in Chromium: a 25832 CSV with its preview and an address-only CSV, each
result checked through the API and the tiles; the report CSV download; keyboard, axe, 768 px."""

from __future__ import annotations

import csv
import io
import math
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from tests.browser.axe import assert_accessible
from tests.conftest import count
from tests.workspace.conftest import WorkspaceTeam
from tests.workspace.import_fixtures import (  # noqa: F401
    PLACED,
    REFUSED,
    UTM_SPOTS,
    Hamme,
    auth,
    hamme_fixture,
    sports_csv,
    utm_csv,
)


def _tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _open(signed_in: Any, member: Any, width: int = 1280) -> Any:
    watched = signed_in(member, "/planung/import", width)
    watched.page.wait_for_selector("html[data-import-ready]", state="attached")
    return watched


def _preview(page: Any, name: str, content: bytes) -> None:
    page.set_input_files("#import-file", {"name": name, "mimeType": "text/csv", "buffer": content})
    page.get_by_role("button", name="Vorschau anzeigen").click()
    page.wait_for_selector(f'html[data-import-preview="{name}"]', state="attached")


def _choose(page: Any, quarter: str, layer: str, kind: str) -> None:
    page.get_by_label("Quartier").select_option(quarter)
    page.get_by_label("Ebene", exact=True).select_option(layer)
    page.get_by_label("Art (wenn die Datei keine hat)").select_option(kind)


def _wait_result(page: Any) -> str:
    page.wait_for_selector("html[data-import-state]", state="attached", timeout=60_000)
    return page.evaluate("() => document.documentElement.dataset.importState")


def test_a_25832_csv_with_preview_and_an_address_only_list(
    signed_in: Any,
    workspace_team: WorkspaceTeam,
    hamme: Hamme,
    http: httpx.Client,
    engine: Engine,
) -> None:
    planner = workspace_team.planner
    watched = _open(signed_in, planner)
    page = watched.page
    _preview(page, "gruenflaechen_utm.csv", utm_csv(hamme))
    facts = page.locator("#import-facts").inner_text()
    assert "ISO-8859-1" in facts and "Semikolon" in facts and "EPSG:25832" in facts
    assert page.locator("#import-crs").input_value() == "25832"
    assert page.locator("#import-x").input_value() == "Rechtswert"
    assert page.locator("#import-y").input_value() == "Hochwert"
    assert page.locator("#import-id").input_value() == "Nr"
    header = page.locator("#import-rows thead").inner_text()
    assert "x (Rechtswert)" in header and "Kennung" in header
    assert page.locator("#import-rows tbody tr").count() == 4
    assert "Grünfläche 1" in page.locator("#import-rows tbody").inner_text()
    assert_accessible(page)

    _choose(page, hamme.slug, "mobilitaet", "idea")
    page.get_by_label("Freigabe neuer Einträge").select_option("review")
    page.locator("#import-start").focus()
    page.keyboard.press("Enter")  # the import is reachable by keyboard
    assert _wait_result(page) == "done"
    assert page.locator("#import-result-summary").inner_text().startswith("4 gelesen, 4 neu")
    assert page.locator("#import-upload").get_attribute("value") == "100"
    assert_accessible(page)

    listed = http.get(
        "/api/observations",
        params={"quarter": hamme.slug, "layer": "mobilitaet", "status": "review"},
        headers=auth(planner.token),
    ).json()
    assert sorted(i["title"] for i in listed["items"]) == [f"Grünfläche {i}" for i in range(1, 5)]
    lon, lat = hamme.addresses[UTM_SPOTS[0]]
    x, y = _tile(lon, lat, 16)  # below zoom 15 points are clustered
    tile = http.get(f"/tiles/mobilitaet/16/{x}/{y}.geojson", headers=auth(planner.token))
    titles = {f["properties"].get("title") for f in tile.json()["features"]}
    assert "Grünfläche 1" in titles
    public = http.get(f"/tiles/mobilitaet/16/{x}/{y}.geojson")
    public_titles = {f["properties"].get("title") for f in public.json().get("features", [])}
    assert "Grünfläche 1" not in public_titles  # in review: not public

    # -- the address-only list, rows refused with their reason and a CSV report ------------
    _preview(page, "sportstaetten.csv", sports_csv())
    assert "Ortsverzeichnis" in page.locator("#import-facts").inner_text()
    assert page.locator("#import-x-field").is_hidden()
    _choose(page, hamme.slug, "nahversorgung", "strength")
    page.get_by_label("Abgelehnte Zeilen überspringen, den Rest speichern").check()
    page.get_by_role("button", name="Importieren").click()
    assert _wait_result(page) == "done"
    assert page.locator("#import-result-summary").inner_text().startswith("8 gelesen, 6 neu")
    refused = page.locator("#import-refused tbody tr")
    assert refused.count() == 2 and "Kuhlenkampweg 3" in refused.nth(0).inner_text()
    placed = page.locator("#import-placed tbody tr")
    assert placed.count() == 6 and "Straße" in placed.nth(3).inner_text()  # Surweg: street
    assert (
        count(
            engine,
            "observation",
            f"layer_id = 'nahversorgung' AND quarter_id = {hamme.id} AND georef_method = 'address'",
        )
        == 5
    )
    with page.expect_download() as info:
        page.get_by_role("button", name="Bericht je Zeile als CSV herunterladen").click()
    download = info.value
    assert download.suggested_filename == "bericht_sportstaetten.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    codes = {int(r[0]): r[2] for r in lines[1:] if r[2]}
    methods = {int(r[0]): r[3] for r in lines[1:] if r[3]}
    assert codes == REFUSED and methods == PLACED
    assert_accessible(page)
    watched.shot("import-1280")
    assert not watched.blocked and not watched.console_errors, watched.console_errors


def test_the_page_at_tablet_width_in_english_by_keyboard(
    signed_in: Any, workspace_team: WorkspaceTeam, hamme: Hamme
) -> None:
    watched = signed_in(workspace_team.planner, "/planung/import?lang=en", 768)
    page = watched.page
    page.wait_for_selector("html[data-import-ready]", state="attached")
    assert page.get_by_role("heading", name="Import data").is_visible()
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("() => document.activeElement.id"))
        if "import-preview-btn" in reached:
            break
    assert "import-file" in reached and "import-format" in reached
    assert "import-preview-btn" in reached
    page.set_input_files(
        "#import-file",
        {"name": "sportstaetten.csv", "mimeType": "text/csv", "buffer": sports_csv()},
    )
    page.keyboard.press("Enter")  # submits the file form from the focused button
    page.wait_for_selector('html[data-import-preview="sportstaetten.csv"]', state="attached")
    assert "placed through the gazetteer" in page.locator("#import-facts").inner_text()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 768, width  # no sideways scrolling of the page at tablet width
    assert_accessible(page)
    watched.shot("import-768")
    assert not watched.console_errors, watched.console_errors


def test_a_new_public_reference_layer_from_the_address_list(
    signed_in: Any, workspace_team: WorkspaceTeam, hamme: Hamme, http: httpx.Client
) -> None:
    planner = workspace_team.planner
    watched = _open(signed_in, planner)
    page = watched.page
    _preview(page, "sportstaetten.csv", sports_csv())
    page.get_by_label("Quartier").select_option(hamme.slug)
    toggle = page.get_by_role("button", name="Neue Referenzebene anlegen …")
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    title = f"Sportstätten {uuid.uuid4().hex[:4]}"
    page.get_by_label("Titel (deutsch)").fill(title)
    page.get_by_label("Titel (englisch, optional)").fill("Sports facilities")
    page.get_by_label("Quelle (Namensnennung)").fill("Stadt Bochum, Sportstättenliste")
    page.get_by_label("Öffentlich zeigen (auf Karten und Einbettungen)").check()
    assert_accessible(page)
    page.get_by_role("button", name="Ebene anlegen", exact=True).click()
    for _ in range(50):
        if page.locator("#import-layer").input_value().startswith("ref-"):
            break
        page.wait_for_timeout(100)
    layer_id = page.locator("#import-layer").input_value()
    assert layer_id.startswith("ref-sportstaetten-")
    page.get_by_label("Abgelehnte Zeilen überspringen, den Rest speichern").check()
    page.get_by_role("button", name="Importieren").click()
    assert _wait_result(page) == "done"
    assert page.locator("#import-result-summary").inner_text().startswith("8 gelesen, 6 neu")
    lon, lat = hamme.addresses["Amtsstraße 17"]
    x, y = _tile(lon, lat, 16)
    public = http.get(f"/tiles/{layer_id}/16/{x}/{y}.geojson")  # a public layer: no token
    assert public.status_code == 200, public.text
    names = [f["properties"] for f in public.json()["features"]]
    assert names, "the new layer's features are in the public tile"
    assert_accessible(page)
    assert not watched.console_errors, watched.console_errors
