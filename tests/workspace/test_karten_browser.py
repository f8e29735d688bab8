"""The Karten page in Chromium at 1280 and 768 px: a planner picks layers (a reference layer
too), sets kind and period filters, adds a WMS overlay (a tiny WMS-like PNG endpoint on
loopback, no internet), saves the view and opens the share link in a new page, which shows
the same layers, filters, extent and overlay — with the page's CSP enforced there. Then the
view is renamed and deleted from the list. axe: 0 serious/critical; keyboard reachable."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import BLANK_PNG
from tests.workspace.conftest import WorkspaceTeam

pytestmark = pytest.mark.browser
Q = "bochum-hamme"
PAGE = f"/planung/karten?quarter={Q}"
CENTRE = (51.4912, 7.1961)
TICKED = (
    "(name) => Array.from(document.querySelectorAll(`input[name=${name}]:checked`))"
    ".map((b) => b.value)"
)


class TinyWms:
    """Answers every GET with a PNG and remembers the WMS parameters it was asked for."""

    def __init__(self) -> None:
        self.requests: list[dict[str, list[str]]] = []
        seen = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append({k.upper(): v for k, v in parse_qs(urlsplit(self.path).query).items()})
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(BLANK_PNG)))
                self.end_headers()
                self.wfile.write(BLANK_PNG)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def getmaps(self) -> list[dict[str, list[str]]]:
        return [r for r in self.requests if r.get("REQUEST") == ["GetMap"]]


@pytest.fixture(scope="module")
def wms() -> Iterator[TinyWms]:
    server = TinyWms()
    yield server
    server.server.shutdown()
    server.server.server_close()


def frame_eval(page: Any, script: str, arg: Any = None) -> Any:
    """Evaluate in the map frame (its current document: the frame reloads after a save)."""
    return page.locator("#kv-frame").element_handle().content_frame().evaluate(script, arg)


def wait_frame(page: Any) -> None:
    page.wait_for_selector("#kv-frame[data-ready='1']", state="attached", timeout=30_000)


def tab_reaches(page: Any, wanted: set[str], presses: int = 60) -> set[str]:
    page.locator("#ws-main").focus()
    seen: set[str] = set()
    for _ in range(presses):
        page.keyboard.press("Tab")
        seen.add(page.evaluate("() => document.activeElement.id || document.activeElement.tagName"))
        if wanted <= seen:
            break
    return seen


@pytest.mark.parametrize("width", [1280, 768])
def test_planner_saves_a_view_and_the_share_link_shows_it(
    signed_in: Any,
    make_page: Any,
    live_server: Any,
    workspace_team: WorkspaceTeam,
    demo_loaded: Any,
    wms: TinyWms,
    width: int,
) -> None:
    planner = workspace_team.planner
    watched = signed_in(planner, PAGE, width)
    page = watched.page
    page.wait_for_selector("html[data-karten=ready]", state="attached")
    wait_frame(page)
    assert_accessible(page)
    reached = tab_reaches(page, {"kv-quarter", "kv-ov-url", "kv-name", "kv-save", "kv-frame"})
    assert {"kv-quarter", "kv-ov-url", "kv-name", "kv-save", "kv-frame"} <= reached

    # in the map's own sidebar: layers (a reference layer too), kind and period
    frame = page.frame_locator("#kv-frame")
    frame_eval(
        page,
        "() => document.querySelectorAll('#sidebar details').forEach((d) => { d.open = true; })",
    )
    frame_eval(
        page,
        "() => Array.from(document.querySelectorAll('input[name=layer]:checked'))"
        ".forEach((b) => b.click())",
    )
    for layer in ("gruen-freiraum", "mobilitaet", "referenz-schulen"):
        frame.locator(f"#ly-{layer}").check()
    frame.locator("#kind-idea").uncheck()
    frame.locator("#kind-strength").uncheck()
    frame.locator("#f-from").fill("2024-01-01")
    frame.locator("#f-from").dispatch_event("change")
    frame_eval(page, "([lat, lon]) => Karte.ctx.map.setView([lat, lon], 17)", list(CENTRE))
    # a dimension off in the panel unticks its layers in the map, back on ticks them again
    page.get_by_label("sozial", exact=True).uncheck()
    assert not frame.locator("#ly-referenz-schulen").is_checked()
    page.get_by_label("sozial", exact=True).check()
    assert frame.locator("#ly-referenz-schulen").is_checked()

    # an external WMS: a bad URL first, then the loopback one
    page.get_by_label("Adresse (URL)").fill("ftp://geo.example.org/wms")
    page.get_by_label("WMS-Ebene(n) (LAYERS)").fill("isek")
    page.get_by_role("button", name="Externe Ebene hinzufügen").click()
    page.wait_for_selector("#kv-ov-error:not([hidden])")
    assert "http:// oder https://" in page.locator("#kv-ov-error").inner_text()
    url = f"http://{wms.host}/wms"
    page.get_by_label("Adresse (URL)").fill(url)
    page.get_by_label("Titel").fill("ISEK-Gebiete (Test)")
    page.get_by_role("button", name="Externe Ebene hinzufügen").click()
    page.wait_for_function("() => document.querySelectorAll('#kv-ov-list li').length === 1")
    assert page.locator("#kv-ov-error").is_hidden()

    name = f"ISEK Hamme {width} {uuid.uuid4().hex[:4]}"
    page.get_by_label("Name der Ansicht").fill(name)
    page.get_by_role("button", name="Speichern", exact=True).click()
    page.wait_for_selector("#kv-share:not([hidden])")
    link = page.locator("#kv-link").input_value()
    assert f"/maps/{Q}?ansicht=" in link
    view_id = link.split("ansicht=")[1]
    assert f"/embed/{Q}?ansicht={view_id}" in page.locator("#kv-embed").input_value()
    page.wait_for_selector(f"#kv-views li[data-id='{view_id}']")
    wait_frame(page)  # reloaded with ?ansicht=: the overlay is drawn now
    page.wait_for_function("() => true")
    assert_accessible(page)

    with httpx.Client(base_url=live_server.url, headers=planner.auth) as http:
        stored = http.get(f"/api/workspace/views/{view_id}").json()
    assert stored["name"] == name
    assert stored["layers"] == ["gruen-freiraum", "mobilitaet", "referenz-schulen"]
    assert stored["filters"]["kinds"] == ["problem", "potential"]
    assert stored["filters"]["from"] == "2024-01-01"
    assert stored["extent"]["zoom"] == 17
    assert stored["extent"]["lat"] == pytest.approx(CENTRE[0], abs=1e-4)
    assert stored["overlays"] == [
        {
            "type": "wms",
            "url": url,
            "layers": "isek",
            "title": "ISEK-Gebiete (Test)",
            "opacity": 0.8,
        }
    ]

    # the share link in a new page, as the public sees it, with the CSP enforced
    before = len(wms.getmaps())
    public = make_page(width, extra_hosts={wms.host}, bypass_csp=False)
    shared = public.page
    shared.goto(link)
    shared.wait_for_selector("html[data-karte-ready]", state="attached", timeout=30_000)
    checked = shared.evaluate(TICKED, "layer")
    assert checked == ["gruen-freiraum", "mobilitaet", "referenz-schulen"]
    kinds = shared.evaluate(TICKED, "kind")
    assert kinds == ["problem", "potential"]
    assert shared.locator("#f-from").input_value() == "2024-01-01"
    centre = shared.evaluate(
        "() => { const m = Karte.ctx.map, c = m.getCenter(); return [c.lat, c.lng, m.getZoom()]; }"
    )
    assert centre[2] == 17
    assert centre[0] == pytest.approx(CENTRE[0], abs=1e-4) and centre[1] == pytest.approx(
        CENTRE[1], abs=1e-4
    )
    assert shared.locator("#ov-0").is_checked()
    assert shared.locator("#view-name").inner_text() == f"Gespeicherte Ansicht: {name}"
    assert_accessible(shared)
    shared.wait_for_function(
        "() => document.querySelectorAll("
        "'.leaflet-pane img.leaflet-tile-loaded[src*=\"GetMap\"]').length > 0",
        timeout=20_000,
    )
    maps = wms.getmaps()[before:]
    assert maps and all(r["LAYERS"] == ["isek"] for r in maps)
    assert not [e for e in public.console_errors if "Content Security Policy" in e]
    assert not [b for b in public.blocked if wms.host in b]

    # rename and delete from the list
    item = page.locator(f"#kv-views li[data-id='{view_id}']")
    item.get_by_role("button", name=f"Ansicht umbenennen: {name}").click()
    page.get_by_label(f"Neuer Name für {name}").fill(name + " (neu)")
    page.get_by_role("button", name="Namen speichern").click()
    page.wait_for_function(
        "([id, n]) => {"
        " const li = document.querySelector(`#kv-views li[data-id='${id}'] .kv-title`);"
        " return li && li.textContent === n; }",
        arg=[view_id, name + " (neu)"],
    )
    item = page.locator(f"#kv-views li[data-id='{view_id}']")
    delete = item.get_by_role("button", name=f"Ansicht löschen: {name} (neu)")
    delete.click()
    delete.click()
    page.wait_for_selector(f"#kv-views li[data-id='{view_id}']", state="detached")
    with httpx.Client(base_url=live_server.url) as http:
        assert http.get(link.replace(live_server.url, "")).status_code == 404
