"""Issue 13's "Done when", in one walk through the browser: nothing but clicks and typing.

An admin signs in and creates, in Verwaltung, a planner with a password and a field account
with a token (which the field team's phone signs in with); the planner signs in,
publishes 3 of 5 field entries in Freigabe, asks for changes on one and rejects one with a
comment (the field app on the phone shows both notes); enters an interview with 3 statements
placed through the gazetteer and one by a map click; imports a CSV in EPSG:25832 (checked in
the preview) and an address-only CSV; publishes the 25832 rows; saves a view in Karten.

The field entries are logged on a phone in /erfassen (the field app, as a field team does),
in a quarter of this test's own (a moved copy of Hamme with its gazetteer), so other tests'
data cannot change the counts. Only afterwards, and only to *check*, the test asks the public
API, OGC API Features and the MVT tiles: exactly the published entries are public, with
their titles and coordinates; the sent-back, rejected, imported-in-review and interview data
are not; the saved view's link and its share page open.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import mapbox_vector_tile
import morecantile
import pytest
import shapely
from sqlalchemy import Engine, text

from tests.browser.axe import assert_accessible
from tests.conftest import LiveServer
from tests.test_fieldapp_phone import WAIT_MS, Phone, only_local
from tests.workspace.conftest import PASSWORD, WorkspaceTeam
from tests.workspace.import_fixtures import UTM_SPOTS, Hamme, copy_hamme, sports_csv, utm_csv

pytestmark = pytest.mark.browser
TMS = morecantile.tms.get("WebMercatorQuad")
SHIFT = (2.6, -2.0)  # Hamme (7.2 E, 51.49 N) → 9.8 E, 49.49 N: no other test quarter there
QUARTER_NAME = "Hamme (Ende zu Ende)"
PUBLISHED = ["Gehweg zugeparkt", "Radbügel fehlen", "Ampel schaltet zu schnell"]
ASKED, ASK_NOTE = "Haltestelle ohne Dach", "Welche Haltestelle? Bitte den Namen ergänzen."
REJECTED, REJECT_NOTE = "Falscher Ort", "Liegt außerhalb des Quartiers, bitte neu erfassen."
TITLES = [*PUBLISHED, ASKED, REJECTED]
STATEMENTS = [
    "Vor dem Haus parken immer Autos auf dem Gehweg.",
    "Der Markt an der Ecke ist super.",
    "Im Quartiersbüro hilft man mir immer.",
    "Hinter der Haldenstraße ist ein dunkler Durchgang.",
]


# -- set-up: the quarter, five GPS points in one z16 tile, a field account ------------------
@pytest.fixture(scope="module")
def quarter(engine: Engine) -> Hamme:
    return copy_hamme(engine, SHIFT, "e2e-hamme", QUARTER_NAME)


def boundary(engine: Engine, q: Hamme) -> Any:
    with engine.connect() as conn:
        wkt = conn.execute(
            text("SELECT ST_AsText(boundary) FROM quarter WHERE id = :i"), {"i": q.id}
        ).scalar_one()
    return shapely.from_wkt(wkt)


def field_points(engine: Engine, q: Hamme) -> tuple[list[tuple[float, float]], Any]:
    """Five points around the centre of a zoom-16 tile well inside the quarter, and the tile."""
    inside = boundary(engine, q)
    for lon, lat in sorted(q.addresses.values()):
        tile = TMS.tile(lon, lat, 16)
        b = TMS.bounds(tile)
        cx, cy = (b.left + b.right) / 2, (b.bottom + b.top) / 2
        points = [(round(cx + (i - 2) * 0.0004, 7), round(cy + (-1) ** i * 0.0002, 7))
                  for i in range(5)]  # fmt: skip
        if all(inside.contains(shapely.Point(p).buffer(0.0003)) for p in points):
            return points, tile
    raise AssertionError("no tile with room for five points in the quarter")


@pytest.fixture()
def phone(browser: Any, live_server: LiveServer) -> Iterator[Phone]:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="de-DE",
        permissions=["geolocation"],
        geolocation={"longitude": 9.8, "latitude": 49.49, "accuracy": 5},
    )  # fmt: skip
    context.route("**/*", only_local)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/erfassen")
    page.wait_for_selector("#view-signin:not([hidden])")
    yield Phone(context, page, live_server, "e2e")
    context.close()
    assert not errors, errors


# -- small helpers that wait on the page, never on the clock ----------------------------------
def say(page: Any, contains: str) -> None:
    page.wait_for_function(
        "(s) => document.getElementById('ws-status').textContent.includes(s)", arg=contains
    )


def sign_in(page: Any, base: str, account: str, password: str) -> None:
    page.goto(base + "/planung")
    page.wait_for_url("**/planung/anmelden?next=*")
    page.get_by_label("Konto", exact=True).fill(account)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_url(base + "/planung")
    page.wait_for_selector("html[data-planung=ready]", state="attached")


def go(page: Any, section: str, ready: str) -> None:
    """Follow the workspace navigation (as a person does) and wait for the page's data."""
    page.locator(f"#ws-nav-{section}").click()
    page.wait_for_selector(f"html[{ready}]", state="attached", timeout=30_000)


def rows_are(page: Any, titles: list[str], quarter_name: str) -> None:
    """The queue shows exactly ``titles`` (any order), all of the quarter."""
    page.wait_for_function(
        "([want, q]) => { const rows = [...document.querySelectorAll('#fg-rows tr.fg-row')];"
        " const got = rows.map((r) => r.cells[1].textContent).sort();"
        " return rows.every((r) => r.cells[3].textContent === q)"
        " && JSON.stringify(got) === JSON.stringify([...want].sort()); }",
        arg=[titles, quarter_name],
        timeout=30_000,
    )


def choose_row(page: Any, title: str) -> None:
    page.locator("#fg-rows tr.fg-row", has_text=title).locator("td").nth(1).click()
    page.wait_for_function(
        "(t) => document.getElementById('fg-detail-h').textContent === t", arg=title
    )


def type_place(page: Any, value: str, expect_first: str) -> None:
    place = page.locator("#iv-place")
    place.fill("")
    place.press_sequentially(value, delay=15)
    page.wait_for_function(
        "(want) => { const l = document.querySelector('#iv-cands li label');"
        " return l && l.textContent.includes(want); }",
        arg=expect_first,
    )


def add_statement(page: Any, statement: str, count: int) -> None:
    page.locator("#iv-text").fill(statement)
    page.locator("#iv-add").click()
    page.wait_for_function(
        "(n) => document.querySelectorAll('#iv-saved li').length === n", arg=count
    )


def preview(page: Any, name: str, content: bytes) -> None:
    page.set_input_files("#import-file", {"name": name, "mimeType": "text/csv", "buffer": content})
    page.get_by_role("button", name="Vorschau anzeigen").click()
    page.wait_for_selector(f'html[data-import-preview="{name}"]', state="attached")


def import_now(page: Any, summary_start: str) -> None:
    page.get_by_role("button", name="Importieren").click()
    page.wait_for_function(
        "(s) => { const p = document.getElementById('import-result-summary');"
        " return p && p.offsetParent !== null && p.textContent.startsWith(s); }",
        arg=summary_start,
        timeout=60_000,
    )


def mvt(
    http: httpx.Client, layer: str, tile: Any, auth: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The MVT tile's features of ``layer`` (public without ``auth``) with lon/lat points."""
    r = http.get(f"/tiles/{layer}/{tile.z}/{tile.x}/{tile.y}.mvt", headers=auth or {})
    assert r.status_code in (200, 204), r.text
    if r.status_code == 204 or not r.content:
        return []
    decoded = mapbox_vector_tile.decode(r.content)
    if layer not in decoded:
        return []
    b, extent = TMS.xy_bounds(tile), decoded[layer]["extent"]
    out = []
    for f in decoded[layer]["features"]:
        x, y = f["geometry"]["coordinates"]  # y up (mapbox-vector-tile flips by default)
        lon, lat = TMS.lnglat(b.left + (b.right - b.left) * x / extent,
                              b.bottom + (b.top - b.bottom) * y / extent)  # fmt: skip
        out.append({**f["properties"], "point": (lon, lat)})
    return out


def ogc(http: httpx.Client, layer: str, bbox: tuple[float, ...]) -> dict[str, Any]:
    r = http.get(
        f"/ogc/collections/{layer}/items",
        params={"bbox": ",".join(map(str, bbox)), "f": "json", "limit": 1000},
    )
    assert r.status_code == 200, r.text
    return {f["properties"].get("title") or f["id"]: f for f in r.json()["features"]}


# -- the walk -----------------------------------------------------------------------------
def test_admin_planner_and_field_team_walk_the_whole_workspace(
    browser: Any,
    make_page: Any,
    phone: Phone,
    live_server: LiveServer,
    engine: Engine,
    workspace_team: WorkspaceTeam,
    quarter: Hamme,
) -> None:
    started = time.monotonic()
    base = live_server.url
    points, tile = field_points(engine, quarter)

    # 1. the admin signs in, creates a planner with a password and a field account with a
    # token for the team's phone (the token is shown once, on the page)
    admin_page = make_page(1280).page
    sign_in(admin_page, base, workspace_team.admin.name, PASSWORD)
    go(admin_page, "verwaltung", "data-admin-loaded")
    name, team = f"planerin-{uuid.uuid4().hex[:6]}", f"feldteam-{uuid.uuid4().hex[:6]}"
    password = "Planung-im-Quartier-2026"
    for account, display, role, secret in ((name, "Paula Planerin", "planner", password),
                                           (team, "Team Hamme", "field", "")):  # fmt: skip
        admin_page.locator("#new-name").fill(account)
        admin_page.locator("#new-display").fill(display)
        admin_page.locator("#new-role").select_option(role)
        admin_page.locator("#new-password").fill(secret)
        admin_page.get_by_role("button", name="Konto anlegen").click()
        say(admin_page, "Konto angelegt: " + account)
        admin_page.locator(f'#accounts tr[data-account="{account}"]').wait_for()
    assert "Planung" in admin_page.locator(f'#accounts tr[data-account="{name}"]').inner_text()
    admin_page.wait_for_selector(f"#token-account option[value='{team}']", state="attached")
    admin_page.locator("#token-account").select_option(team)
    admin_page.get_by_label("Wofür (z. B. Tablet Team Hamme)").fill("Telefon Team Hamme")
    admin_page.get_by_label("Gültig (Tage)").fill("30")
    admin_page.get_by_role("button", name="Token erstellen").click()
    say(admin_page, "Token erstellt für " + team)
    field_token = admin_page.locator("#token-secret-value").input_value()
    assert field_token.startswith("karte_")
    assert_accessible(admin_page)

    # 2. the field team logs five entries on the phone, each at its own GPS point
    phone.sign_in(field_token)
    phone.start_walkthrough(quarter.slug, "Begehung Ende zu Ende")
    for title, point in zip(TITLES, points, strict=True):
        phone.move_to(*point)
        phone.wait_for_gps_point(*point)
        phone.log("problem", "mobilitaet", title, rating="-1")
    phone.show_list()
    phone.wait_summary(sent=5, waiting=0, refused=0)

    # 3. the planner signs in with that password
    watched = make_page(1280)
    page = watched.page
    sign_in(page, base, name, password)
    assert page.locator("#ws-who").inner_text() == "Paula Planerin (Planung)"
    assert not page.locator("#ws-nav-verwaltung").is_visible()
    planner_auth = {"Authorization": "Bearer " + page.evaluate(
        "() => sessionStorage.getItem('karte-token')")}  # fmt: skip

    # 4. Freigabe: three published, one sent back, one rejected, each with its comment
    go(page, "freigabe", "data-freigabe=loaded")
    page.wait_for_selector(f"#fg-f-quarter option[value='{quarter.slug}']", state="attached")
    page.get_by_label("Quartier", exact=True).select_option(quarter.slug)
    page.get_by_role("button", name="Filtern").click()
    rows_are(page, TITLES, QUARTER_NAME)
    page.locator("#fg-map .fg-pin").wait_for()  # the first entry's detail, map drawn
    page.locator("#fg-map .leaflet-control-attribution a").first.wait_for()
    assert_accessible(page)
    waiting = list(TITLES)
    for title in PUBLISHED:
        choose_row(page, title)
        page.get_by_role("button", name="Freigeben p").click()
        waiting.remove(title)
        rows_are(page, waiting, QUARTER_NAME)
    for title, button, note in ((ASKED, "Änderung erbitten", ASK_NOTE),
                                (REJECTED, "Ablehnen", REJECT_NOTE)):  # fmt: skip
        choose_row(page, title)
        page.get_by_role("button", name=f"{button} …").click()
        page.locator("#fg-note").wait_for()
        page.locator("#fg-note").fill(note)
        page.locator("#fg-note-send").click()
        waiting.remove(title)
        rows_are(page, waiting, QUARTER_NAME)
    # the sent-back and the rejected entry under their own state, with the comment in the history
    for state, title, note in (("changes_requested", ASKED, ASK_NOTE),
                               ("rejected", REJECTED, REJECT_NOTE)):  # fmt: skip
        page.get_by_label("Zustand", exact=True).select_option(state)
        page.get_by_role("button", name="Filtern").click()
        rows_are(page, [title], QUARTER_NAME)
        choose_row(page, title)
        page.wait_for_function(
            "(n) => document.getElementById('fg-history').textContent.includes(n)", arg=note
        )

    # 5. the phone shows the planners' decisions and notes
    phone.page.reload()
    phone.page.wait_for_selector("#view-main:not([hidden])", timeout=WAIT_MS)
    phone.show_list()
    rejected = phone.page.locator("#entry-list li.entry", has_text=REJECTED)
    rejected.locator(".badge-mod-rejected").wait_for(timeout=WAIT_MS)
    assert "von der Planung abgelehnt" in rejected.locator(".badge-mod").inner_text()
    assert REJECT_NOTE in rejected.locator(".entry-note").inner_text()
    assert "Paula Planerin" in rejected.locator(".entry-note").inner_text()
    asked = phone.page.locator("#entry-list li.entry", has_text=ASKED)
    asked.locator(".badge-mod-changes_requested").wait_for(timeout=WAIT_MS)
    assert ASK_NOTE in asked.locator(".entry-note").inner_text()
    for title in PUBLISHED:
        entry = phone.page.locator("#entry-list li.entry", has_text=title)
        entry.locator(".badge-mod-published").wait_for(timeout=WAIT_MS)

    # 6. an interview: three statements placed through the gazetteer, one by a map click
    go(page, "interviews", "data-interviews=ready")
    page.locator("#iv-quarter").select_option(quarter.slug)
    page.get_by_label("Pseudonym", exact=True).fill("E2E-07")
    page.get_by_label("Name", exact=True).fill("Erika Beispiel")
    page.get_by_role("button", name="Interview speichern").click()
    page.wait_for_selector("#iv-statements:not([hidden])")
    iid = page.evaluate("() => Interviews.state.interview.id")
    type_place(page, "Hofsteder Straße 115", "Hofsteder Straße 115")
    add_statement(page, STATEMENTS[0], 1)
    type_place(page, "Ecke Gahlensche Straße / Amtsstraße", "Gahlensche Straße / Amtsstraße")
    add_statement(page, STATEMENTS[1], 2)
    type_place(page, "Quartiersb", "Quartiersbüro Hamme")
    page.get_by_label("Quartiersbüro Hamme", exact=False).first.check()
    add_statement(page, STATEMENTS[2], 3)
    type_place(page, "Haldenstraße", "Haldenstraße")
    box = page.locator("#iv-map").bounding_box()
    x, y = box["width"] * 0.45, box["height"] * 0.55
    page.locator("#iv-map").click(position={"x": x, "y": y})
    assert page.get_by_label("Punkt auf der Karte", exact=False).is_checked()
    clicked = page.evaluate("() => Interviews.state.target.manual")
    add_statement(page, STATEMENTS[3], 4)
    assert_accessible(page)

    # 7. imports: a city export in EPSG:25832 (checked in the preview), an address-only list
    go(page, "import", "data-import-ready")
    preview(page, "gruenflaechen_utm.csv", utm_csv(quarter))
    facts = page.locator("#import-facts").inner_text()
    assert "EPSG:25832" in facts and "ISO-8859-1" in facts and "Semikolon" in facts
    assert page.locator("#import-crs").input_value() == "25832"
    assert (page.locator("#import-x").input_value(), page.locator("#import-y").input_value()) == (
        "Rechtswert", "Hochwert")  # fmt: skip
    header = page.locator("#import-rows thead").inner_text()
    assert "x (Rechtswert)" in header and "y (Hochwert)" in header
    assert page.locator("#import-rows tbody tr").count() == 4
    page.locator("#import-quarter").select_option(quarter.slug)
    page.locator("#import-layer").select_option("gruen-freiraum")
    page.locator("#import-kind").select_option("potential")
    page.locator("#import-status").select_option("review")
    import_now(page, "4 gelesen, 4 neu")
    preview(page, "sportstaetten.csv", sports_csv())
    assert "Ortsverzeichnis" in page.locator("#import-facts").inner_text()
    page.locator("#import-quarter").select_option(quarter.slug)
    page.locator("#import-layer").select_option("nahversorgung")
    page.locator("#import-kind").select_option("strength")
    page.locator("#import-status").select_option("review")
    page.get_by_label("Abgelehnte Zeilen überspringen, den Rest speichern").check()
    import_now(page, "8 gelesen, 6 neu")
    assert page.locator("#import-placed tbody tr").count() == 6
    assert page.locator("#import-refused tbody tr").count() == 2
    assert_accessible(page)

    # … and the 25832 rows published: everything the filter matches, in one bulk action
    go(page, "freigabe", "data-freigabe=loaded")
    page.wait_for_selector(f"#fg-f-quarter option[value='{quarter.slug}']", state="attached")
    page.get_by_label("Quartier", exact=True).select_option(quarter.slug)
    page.locator("#fg-f-layer").select_option("gruen-freiraum")
    page.locator("#fg-f-type").select_option("observation")
    page.get_by_role("button", name="Filtern").click()
    rows_are(page, [f"Grünfläche {i}" for i in range(1, 5)], QUARTER_NAME)
    page.get_by_label("alle Treffer des Filters").check()
    page.get_by_label("Aktion", exact=True).select_option("publish")
    page.get_by_role("button", name="Ausführen").click()
    say(page, "4 von 4")

    # 8. Karten: the quarter's map saved as a view
    go(page, "karten", "data-karten=ready")
    page.locator("#kv-quarter").select_option(quarter.slug)
    page.wait_for_selector("#kv-frame[data-ready='1']", state="attached", timeout=30_000)
    view_name = f"Hamme Mobilität {uuid.uuid4().hex[:4]}"
    page.get_by_label("Name der Ansicht").fill(view_name)
    page.get_by_role("button", name="Speichern", exact=True).click()
    page.wait_for_selector("#kv-share:not([hidden])")
    link = page.locator("#kv-link").input_value()
    assert f"/maps/{quarter.slug}?ansicht=" in link
    assert not watched.blocked and not watched.console_errors, watched.console_errors
    walked = time.monotonic() - started

    # ---- checks, only through the public API, OGC API Features and the tiles ----------------
    x0, y0, x1, y1 = boundary(engine, quarter).bounds
    bbox = (x0, y0, x1, y1)
    with httpx.Client(base_url=base, timeout=30) as http:
        listed = http.get("/api/observations", params={"quarter": quarter.slug, "limit": 100})
        assert listed.status_code == 200, listed.text
        public_titles = sorted(i["title"] for i in listed.json()["items"])
        assert public_titles == sorted([*PUBLISHED, *(f"Grünfläche {i}" for i in range(1, 5))])

        mobility = ogc(http, "mobilitaet", bbox)
        assert sorted(mobility) == sorted(PUBLISHED)  # not the sent-back, not the rejected
        for title in PUBLISHED:
            lon, lat = mobility[title]["geometry"]["coordinates"]
            assert (lon, lat) == pytest.approx(points[TITLES.index(title)], abs=2e-6)
        green = ogc(http, "gruen-freiraum", bbox)
        assert sorted(green) == [f"Grünfläche {i}" for i in range(1, 5)]
        for i, spot in enumerate(UTM_SPOTS, start=1):  # 25832 → 4326 on the way in
            got = green[f"Grünfläche {i}"]["geometry"]["coordinates"]
            assert got == pytest.approx(quarter.addresses[spot], abs=1e-6)
        assert ogc(http, "nahversorgung", bbox) == {}  # imported, still in review
        assert ogc(http, "aussagen", bbox) == {}  # the interview's statements: in review
        assert http.get("/api/findings", params={"quarter": quarter.slug}).json() == []

        tiled = mvt(http, "mobilitaet", tile)
        assert sorted(f["title"] for f in tiled) == sorted(PUBLISHED)
        for f in tiled:  # quantised to the tile's 4096 grid: a few cm at zoom 16
            assert f["point"] == pytest.approx(points[TITLES.index(f["title"])], abs=2e-5)
        # the planner's own view of the same data (with the sign-in token): it is all there
        stored = http.get(f"/api/interviews/{iid}/statements", headers=planner_auth).json()
        found = stored["findings"]
        assert [f["statement"] for f in found] == STATEMENTS
        assert [f["georef_method"] for f in found] == ["address", "crossing", "place", "manual"]
        assert found[3]["geometry"]["coordinates"] == pytest.approx(clicked, abs=1e-9)
        assert {f["status"] for f in found} == {"review"}
        assert http.get(f"/api/interviews/{iid}").status_code in (401, 403)  # not public
        # … and none of it in the public tiles where it lies (the planner's tiles have it)
        spots = {
            "aussagen": [f["geometry"]["coordinates"] for f in found],
            "nahversorgung": [quarter.addresses[a] for a in ("Amtsstraße 17", "Poststraße 10")],
        }
        for layer, where in spots.items():
            for lon, lat in where:
                at = TMS.tile(lon, lat, 16)
                assert mvt(http, layer, at) == [], (layer, lon, lat)
                assert mvt(http, layer, at, planner_auth), (layer, "the planner sees it")

        opened = http.get(link.replace(base, ""))
        assert opened.status_code == 200 and view_name in opened.text

    # the saved view's link in a fresh browser, as the public opens it
    public = make_page(1280, bypass_csp=False)
    public.page.goto(link)
    public.page.wait_for_selector("html[data-karte-ready]", state="attached", timeout=30_000)
    assert public.page.locator("#view-name").inner_text() == f"Gespeicherte Ansicht: {view_name}"
    # … and its "Teilen" page: the iframe code a city pastes embeds the same view
    view_id = link.split("ansicht=")[1]
    public.page.locator("#share-link").click()
    public.page.wait_for_url(f"**/maps/{quarter.slug}/share?*")
    snippet = public.page.locator("#snippet").input_value()
    assert f'/embed/{quarter.slug}?ansicht={view_id}"' in snippet, snippet
    preview_src = public.page.locator("#preview iframe").get_attribute("src")
    assert preview_src.endswith(f"/embed/{quarter.slug}?ansicht={view_id}")
    assert public.console_errors == [], public.console_errors
    print(f"\nwalk {walked:.1f} s, with checks {time.monotonic() - started:.1f} s")
