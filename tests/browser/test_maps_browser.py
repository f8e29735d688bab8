"""The quarter map in a real headless Chromium: drawing, layer control, popups, list, keyboard,
URL state, embed isolation, the share snippet on a foreign origin and the static export.

Screenshots of every scene go to ``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import asyncio
import functools
import http.server
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image
from sqlalchemy import Engine

from mapservice.catalog import load_catalog
from mapservice.db.cluster import free_port
from mapservice.maps.export import run_export
from tests.browser.helpers import drawn, settle
from tests.browser.mapdata import KNOWN_TITLE, QUARTER_STATEMENT, MapQuarter, ensure_map_quarter

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def mq(engine: Engine) -> MapQuarter:
    return ensure_map_quarter(engine)


def png_photo() -> bytes:
    """A small real photo-like PNG (the photo API checks content, not names)."""
    image = Image.new("RGB", (320, 240), (0, 114, 178))
    image.paste((230, 159, 0), (0, 120, 320, 240))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class StaticSite:
    """A plain HTTP server on its own port: another origin, like a city's web site."""

    def __init__(self, folder: Path) -> None:
        handler = functools.partial(QuietHandler, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StaticSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # keep the test output clean
        pass


def open_map(make_page: Any, url: str, **options: Any) -> tuple[Any, dict[str, Any]]:
    watched = make_page(**options)
    watched.page.goto(url)
    return watched, settle(watched.page)


def marker_titles(page: Any) -> set[str]:
    return set(
        page.evaluate(
            "() => Object.values(Karte.ctx.layers).filter((l) => Karte.ctx.map.hasLayer(l))"
            ".flatMap((l) => [...l.byId.values()].map((m) => m.options.title))"
        )
    )


def test_map_loads_cleanly_and_draws_every_published_item(make_page, live_server, mq) -> None:
    watched, stats = open_map(make_page, f"{live_server.url}/maps/{mq.slug}")
    page = watched.page
    assert drawn(stats) == mq.published["mobilitaet"] + mq.published["gruen-freiraum"]
    assert stats["mobilitaet"]["clusters"] == 0, "the fitted quarter shows single markers"
    assert page.locator(".leaflet-marker-icon").count() == drawn(stats)
    assert "Entwurf: Ampel zu kurz" not in marker_titles(page)
    assert page.title() == f"{mq.name} · Karte der Nachhaltigkeit"
    assert page.locator("#map-status").inner_text() == f"{drawn(stats)} Einträge"
    watched.shot("maps-quarter")
    assert watched.console_errors == []
    assert watched.blocked == []


def test_toggling_a_layer_changes_the_drawn_features(make_page, live_server, mq) -> None:
    watched, before = open_map(make_page, f"{live_server.url}/maps/{mq.slug}")
    page = watched.page
    page.locator("label[for=ly-mobilitaet]").click()
    after = settle(page)
    assert drawn(after) == drawn(before) - mq.published["mobilitaet"]
    assert page.locator(".leaflet-marker-icon").count() == drawn(after)
    page.locator("summary", has_text="Referenzdaten").click()
    page.locator("label[for=ly-referenz-schulen]").click()
    page.locator("summary", has_text="Interviews und Begehungen").click()
    page.locator("label[for=ly-aussagen]").click()
    more = settle(page)
    assert more["referenz-schulen"]["items"] == 1
    assert more["aussagen"]["items"] == mq.published["aussagen"]
    page.wait_for_url("**referenz-schulen**")  # the URL follows 150 ms after the last change
    assert "layers=gruen-freiraum" in page.url
    assert "mobilitaet" not in page.url.split("layers=")[1].split("&")[0]
    watched.shot("maps-layers-toggled")
    assert watched.console_errors == []


def test_a_popup_opens_with_the_expected_german_text(make_page, live_server, mq) -> None:
    photo = httpx.post(
        f"{live_server.url}/api/observations/{mq.known_id}/photos",
        files={"file": ("gehweg.png", png_photo(), "image/png")},
        headers=mq.auth(mq.planner),
    )
    assert photo.status_code in (200, 201), photo.text
    watched, _ = open_map(make_page, f"{live_server.url}/maps/{mq.slug}")
    page = watched.page
    assert page.locator("img.kp-photo").count() == 0, "no thumbnail before a popup opens"
    page.locator(f'.leaflet-marker-icon[title="{KNOWN_TITLE}"]').click()
    popup = page.locator(".leaflet-popup-content").last
    popup.wait_for()
    thumbnail = popup.locator("img.kp-photo")
    thumbnail.wait_for()
    assert thumbnail.get_attribute("src").endswith("/thumbnail")
    assert thumbnail.get_attribute("alt") == f"Foto 1: {KNOWN_TITLE}"
    text = popup.inner_text()
    assert "Problem · Mobilität" in text
    assert "★ −1" in text
    assert KNOWN_TITLE in text
    assert "Mit dem Kinderwagen muss man auf die Straße." in text
    assert "Begehung 12.04.2026 · Bewohner*innen, Expert*innen" in text
    watched.shot("maps-popup")
    english, _ = open_map(make_page, f"{live_server.url}/maps/{mq.slug}?lang=en")
    english.page.locator(f'.leaflet-marker-icon[title="{KNOWN_TITLE}"]').click()
    text = english.page.locator(".leaflet-popup-content").last.inner_text()
    assert "Problem · Mobility" in text and "Walkthrough 2026-04-12 · Residents" in text


def test_the_list_view_matches_the_map_and_pans_to_a_row(make_page, live_server, mq) -> None:
    url = f"{live_server.url}/maps/{mq.slug}?layers=mobilitaet,gruen-freiraum,aussagen"
    watched, stats = open_map(make_page, url)
    page = watched.page
    expected = (
        mq.published["mobilitaet"] + mq.published["gruen-freiraum"] + mq.published["aussagen"]
    )
    assert drawn(stats) == expected
    assert stats["aussagen"]["clusters"] == 1, "the statement about the whole quarter is a badge"
    page.get_by_role("button", name="Liste").first.click()
    page.wait_for_selector("#list[data-rows]")
    rows = page.locator("#list-body tr")
    assert rows.count() == drawn(stats)
    listed = set(
        page.evaluate(
            "() => [...document.querySelectorAll('#list-body tr')]"
            ".map((tr) => tr.dataset.layer + '/' + tr.dataset.id)"
        )
    )
    on_map = set(
        page.evaluate(
            "() => Object.entries(Karte.ctx.layers).filter(([, l]) => Karte.ctx.map.hasLayer(l))"
            ".flatMap(([id, l]) => [...l.byId.keys()].map((k) => id + '/' + k))"
        )
    )
    assert listed == on_map, "the list shows exactly the items drawn on the map"
    kinds = rows.locator("td:first-child").all_inner_texts()
    order = ["Stärke", "Problem", "Potenzial", "Idee"]
    assert kinds == sorted(kinds, key=order.index)
    wide = rows.filter(has_text=QUARTER_STATEMENT)
    assert "auf das ganze Quartier bezogen" in wide.inner_text()
    page.get_by_role("button", name="Tempo 30 vor der Schule").click()
    popup = page.locator(".leaflet-popup-content").last
    popup.wait_for()
    assert "Tempo 30 vor der Schule" in popup.inner_text()
    page.locator("label[for=kind-strength]").click()
    page.wait_for_selector(f"#list[data-rows='{drawn(stats) - 2}']")
    assert drawn(settle(page)) == drawn(stats) - 2
    watched.shot("maps-list")
    assert watched.console_errors == []


def test_the_layer_control_works_with_the_keyboard(make_page, live_server, mq) -> None:
    watched, before = open_map(make_page, f"{live_server.url}/maps/{mq.slug}")
    page = watched.page
    visited = []
    for _ in range(30):
        page.keyboard.press("Tab")
        active = page.evaluate(
            "() => ({id: document.activeElement.id, inMap: !!document.activeElement"
            ".closest('#map-wrap'), outline: getComputedStyle(document.activeElement)"
            ".outlineStyle})"
        )
        visited.append(active)
        if active["id"] == "ly-mobilitaet":
            break
    assert visited[-1]["id"] == "ly-mobilitaet", [v["id"] for v in visited]
    assert not any(v["inMap"] for v in visited), "the layer list comes before the map"
    assert visited[-1]["outline"] != "none", "a visible focus ring"
    page.keyboard.press("Space")
    after = settle(page)
    assert drawn(after) == drawn(before) - mq.published["mobilitaet"]
    watched.shot("maps-keyboard-focus")


def test_the_url_reproduces_layers_filters_and_view(make_page, live_server, mq) -> None:
    watched, _ = open_map(make_page, f"{live_server.url}/maps/{mq.slug}?layers=mobilitaet")
    page = watched.page
    page.locator("label[for=kind-problem]").click()
    page.evaluate("() => Karte.ctx.map.setView([51.3412, 12.3725], 18)")
    settled = settle(page)
    page.wait_for_url("**z=18**")  # the URL is written 150 ms after the last change
    url = page.url
    assert "kinds=strength%2Cpotential%2Cidea" in url and "z=18" in url
    again, stats = open_map(make_page, url)
    assert again.page.evaluate("() => Karte.ctx.map.getZoom()") == 18
    assert not again.page.locator("#kind-problem").is_checked()
    assert again.page.locator("#ly-mobilitaet").is_checked()
    assert not again.page.locator("#ly-gruen-freiraum").is_checked()
    assert drawn(stats) == drawn(settled)


def test_a_planner_signs_in_without_the_token_touching_the_url(make_page, live_server, mq) -> None:
    url = f"{live_server.url}/maps/{mq.slug}?layers=mobilitaet"
    watched, public = open_map(make_page, url)
    page = watched.page
    assert not page.locator("#status-filter").is_visible()
    page.locator("#signin summary").click()
    page.locator("#token").fill(mq.planner)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_selector("#status-filter", state="visible")
    assert "Angemeldet als" in page.locator("#signin-who").inner_text()
    page.locator("#f-status").select_option("draft")
    drafts = settle(page)
    assert drawn(drafts) == 1 and drawn(public) == mq.published["mobilitaet"]
    page.locator(".leaflet-marker-icon[title^='Entwurf']").click()
    assert "Freigabe: Entwurf" in page.locator(".leaflet-popup-content").last.inner_text()
    page.wait_for_timeout(300)
    assert mq.planner not in page.url and "status=draft" in page.url
    stored = page.evaluate("() => sessionStorage.getItem('karte-token')")
    assert stored == mq.planner, "the token lives in this tab's sessionStorage only"
    page.reload()
    page.wait_for_selector("#status-filter", state="visible")  # restored from sessionStorage
    assert drawn(settle(page)) == 1
    page.locator("#sign-out").click()
    assert drawn(settle(page)) == mq.published["mobilitaet"]
    assert page.evaluate("() => sessionStorage.getItem('karte-token')") is None
    watched.shot("maps-planner-drafts")
    assert watched.console_errors == []


def test_the_embed_talks_only_to_the_service_and_the_basemap(make_page, live_server, mq) -> None:
    watched, stats = open_map(make_page, f"{live_server.url}/embed/{mq.slug}")
    page = watched.page
    assert drawn(stats) > 0
    page.get_by_role("button", name="Ebenen & Filter").click()
    page.locator("summary", has_text="Referenzdaten").click()
    page.locator("label[for=ly-referenz-schulen]").click()
    settle(page)
    service = urlsplit(live_server.url).netloc
    assert watched.hosts <= {service, "tile.openstreetmap.org"}, watched.hosts
    assert page.evaluate("() => document.cookie") == ""
    assert page.context.cookies() == []
    watched.shot("embed-sidebar-open")
    assert watched.console_errors == []


def test_the_share_snippet_works_in_an_iframe_on_another_origin(
    make_page, live_server, mq, tmp_path
) -> None:
    share = httpx.get(f"{live_server.url}/maps/{mq.slug}/share", params={"layers": "mobilitaet"})
    snippet = share.text.split('<div class="preview" id="preview">')[1].split("</div>")[0]
    assert snippet.startswith("<iframe ")
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='de'><head><meta charset='utf-8'><title>Stadt</title></head>"
        f"<body><h1>Unsere Quartiere</h1>{snippet}</body></html>",
        encoding="utf-8",
    )
    with StaticSite(tmp_path) as site:
        watched = make_page(extra_hosts={urlsplit(site.url).netloc})
        page = watched.page
        page.goto(site.url + "/index.html")
        frame_element = page.wait_for_selector("iframe")
        frame = frame_element.content_frame()
        stats = settle(frame)
        assert drawn(stats) == mq.published["mobilitaet"]
        assert frame.url.startswith(f"{live_server.url}/embed/{mq.slug}")
        watched.shot("share-snippet-on-foreign-site")
        assert watched.console_errors == []


def test_the_static_export_works_from_a_plain_web_server(
    make_page, settings, engine, mq, tmp_path
) -> None:
    out = tmp_path / "site"
    export = run_export(settings, engine, load_catalog(settings.layers_dir), mq.slug, out)
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API owns this thread's event loop
        pool.submit(asyncio.run, export).result()
    with StaticSite(out) as site:
        watched = make_page(extra_hosts={urlsplit(site.url).netloc})
        page = watched.page
        page.goto(f"{site.url}/index.html?list=1")
        stats = settle(page)
        page.wait_for_selector("#list[data-rows]")
        assert drawn(stats) == int(page.locator("#list").get_attribute("data-rows"))
        page.locator(f'.leaflet-marker-icon[title="{KNOWN_TITLE}"]').click()
        assert "Problem · Mobilität" in page.locator(".leaflet-popup-content").last.inner_text()
        page.locator("#lang-switch").click()
        page.wait_for_url("**/en.html**")
        assert page.locator("html").get_attribute("lang") == "en"
        watched.shot("static-export")
        assert watched.console_errors == []
