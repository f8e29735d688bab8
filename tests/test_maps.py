"""Map pages over real HTTP: what a browser receives before any script runs.

The browser behaviour (drawing, popups, list, keyboard, iframe) is in
``tests/browser/test_maps_browser.py``.
"""

from __future__ import annotations

import json
import re
from html import unescape

import folium
import httpx
import pytest
from fastapi.testclient import TestClient
from folium.plugins import Fullscreen
from sqlalchemy import Engine

from mapservice.api.app import create_app
from mapservice.assets import AssetStore
from mapservice.catalog import load_catalog
from mapservice.maps.headers import frame_ancestors, script_hashes, template_origin
from mapservice.maps.style import fa_class
from tests.browser.mapdata import DRAFT_TITLE, KNOWN_TITLE, MapQuarter, ensure_map_quarter

OSM_TEMPLATE = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
ATTRIBUTION_LINKS = {"https://www.openstreetmap.org/copyright"}
FOLIUM_MAP_JS = list(folium.Map.default_js)
FOLIUM_FULLSCREEN_JS = list(Fullscreen.default_js)


@pytest.fixture(scope="module")
def mq(engine: Engine) -> MapQuarter:
    return ensure_map_quarter(engine)


def third_party_urls(html: str, own_origin: str) -> list[str]:
    """Every absolute http(s) URL of a page that is neither ours, the basemap, nor attribution."""
    found = re.findall(r"https?://[^\s\"'<>)\\]+", html)
    allowed = {OSM_TEMPLATE, *ATTRIBUTION_LINKS}
    return [u for u in found if u not in allowed and not u.startswith(own_origin)]


def src_and_href(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]*)"', html)


def test_map_page_is_german_small_accessible_and_self_hosted(http: httpx.Client, mq) -> None:
    response = http.get(f"/maps/{mq.slug}")
    assert response.status_code == 200
    html = response.text
    assert len(response.content) < 100_000
    assert '<html lang="de">' in html
    assert f"<title>{mq.name} · Karte der Nachhaltigkeit</title>" in html
    viewport = re.search(r'<meta name="viewport" content="([^"]+)"', html).group(1)
    assert "user-scalable=no" not in viewport and "maximum-scale" not in viewport
    assert html.count('name="viewport"') == 1
    for url in src_and_href(html):
        assert url.startswith(("/", "?", "#", "data:")) or url in ATTRIBUTION_LINKS, url
    assert third_party_urls(html, str(http.base_url)) == []
    assert "Ebenen" in html and "ökologisch" in html and "Zahlen" in html
    assert 'id="ly-mobilitaet"' in html and "Liste" in html
    assert "set-cookie" not in response.headers
    assert "x-frame-options" not in response.headers
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/maps/{q}", 200),
        ("/maps/{q}?lang=en&layers=aussagen,begehungen,referenz-schulen", 200),
        ("/embed/{q}", 200),
        ("/embed/{q}?lang=en", 200),
        ("/maps/{q}/share", 200),
        ("/maps/unbekannt", 404),
        ("/maps/{q}?layers=quatsch", 400),
    ],
)
def test_no_page_names_a_third_party_host(http: httpx.Client, mq, path: str, status: int) -> None:
    """The guard against CDN creep: only our own URLs, the basemap and attribution links."""
    response = http.get(path.format(q=mq.slug))
    assert response.status_code == status
    own = str(http.base_url).rstrip("/")
    for url in src_and_href(response.text):
        assert url.startswith(("/", "?", "#", "data:", own)) or url in ATTRIBUTION_LINKS, url
    assert third_party_urls(response.text, own) == []


def test_csp_allows_exactly_the_inline_scripts_of_the_page(http: httpx.Client, mq) -> None:
    response = http.get(f"/maps/{mq.slug}")
    csp = response.headers["content-security-policy"]
    hashes = script_hashes(response.text)
    assert len(hashes) == 1  # folium's set-up script; the configuration is JSON, not code
    assert all(h in csp for h in hashes)
    assert "'unsafe-eval'" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
    assert "img-src 'self' data: https://tile.openstreetmap.org" in csp


def test_english_page_with_lang_en(http: httpx.Client, mq) -> None:
    html = http.get(f"/maps/{mq.slug}", params={"lang": "en"}).text
    assert '<html lang="en">' in html
    assert "Layers" in html and "ecological" in html and "Figures" in html
    assert "Mobility" in html


def test_layers_parameter_chooses_the_overlays(http: httpx.Client, mq) -> None:
    html = http.get(f"/maps/{mq.slug}", params={"layers": "referenz-schulen,aussagen"}).text
    assert re.search(r'id="ly-referenz-schulen" value="referenz-schulen" checked', html)
    assert re.search(r'id="ly-aussagen" value="aussagen" checked', html)
    assert not re.search(r'id="ly-mobilitaet" value="mobilitaet" checked', html)
    config = json.loads(re.search(r'id="karte-config">(.*?)</script>', html).group(1))
    assert set(config["active"]) == {"aussagen", "referenz-schulen"}


def test_unknown_quarter_is_a_german_404_page(http: httpx.Client, mq) -> None:
    response = http.get("/maps/gibt-es-nicht")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="de">' in response.text
    assert "Das Quartier „gibt-es-nicht“ gibt es nicht." in response.text
    assert f'href="/maps/{mq.slug}"' in response.text
    english = http.get("/embed/gibt-es-nicht", params={"lang": "en"})
    assert english.status_code == 404
    assert 'There is no quarter "gibt-es-nicht"' in unescape(english.text)


def test_unknown_layer_is_a_400_page_naming_it_and_the_valid_ids(http: httpx.Client, mq) -> None:
    response = http.get(f"/maps/{mq.slug}", params={"layers": "mobilitaet,gruenflaechen"})
    assert response.status_code == 400
    assert "text/html" in response.headers["content-type"]
    assert "gruenflaechen" in response.text
    for valid in ("mobilitaet", "gruen-freiraum", "referenz-schulen", "aussagen"):
        assert f"<code>{valid}</code>" in response.text


def test_embed_is_public_framable_cookieless_and_minimal(http: httpx.Client, mq) -> None:
    response = http.get(f"/embed/{mq.slug}")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors *" in csp
    assert "x-frame-options" not in response.headers and "set-cookie" not in response.headers
    html = response.text
    assert 'class="mode-embed"' in html and "Vollbild öffnen" in html
    assert 'id="signin"' not in html and 'id="token"' not in html
    assert third_party_urls(html, str(http.base_url)) == []


def test_frame_ancestors_follow_the_allowed_origins_setting() -> None:
    assert frame_ancestors([], embed=True) == "*"
    assert frame_ancestors(["https://www.bochum.de"], embed=True) == "'self' https://www.bochum.de"
    assert frame_ancestors(["https://www.bochum.de"], embed=False) == "'self'"
    assert template_origin("https://{s}.tiles.example.org/{z}/{x}/{y}.png") == (
        "https://*.tiles.example.org"
    )


def test_share_page_offers_snippet_and_live_preview(http: httpx.Client, mq) -> None:
    response = http.get(f"/maps/{mq.slug}/share", params={"layers": "mobilitaet"})
    assert response.status_code == 200
    html = response.text
    embed = f"{str(http.base_url).rstrip('/')}/embed/{mq.slug}?layers=mobilitaet"
    snippet = unescape(re.search(r'<textarea id="snippet"[^>]*>(.*?)</textarea>', html).group(1))
    assert snippet.startswith(f'<iframe src="{embed}"')
    assert f'<div class="preview" id="preview">{snippet}</div>' in html  # preview = snippet
    assert 'title="Karte der Nachhaltigkeit – ' in html
    assert "frame-src 'self'" in response.headers["content-security-policy"]
    assert third_party_urls(html, str(http.base_url)) == []


def test_counts_and_list_show_the_public_only_published_items(http: httpx.Client, mq) -> None:
    counts = http.get(f"/maps/{mq.slug}/counts.json").json()
    assert sum(counts["mobilitaet"].values()) == mq.published["mobilitaet"]
    assert counts["begehungen"] == {"all": 1}
    planner = http.get(f"/maps/{mq.slug}/counts.json", headers=mq.auth(mq.planner)).json()
    assert sum(planner["mobilitaet"].values()) == mq.published["mobilitaet"] + 1
    listed = http.get(f"/maps/{mq.slug}/features.json", params={"layers": "mobilitaet"}).json()
    titles = [row["title"] for row in listed["rows"]]
    assert KNOWN_TITLE in titles and DRAFT_TITLE not in titles
    kinds = [row["kind"] for row in listed["rows"]]
    order = ["strength", "problem", "potential", "idea"]
    assert kinds == sorted(kinds, key=order.index), "the list is sorted by kind"
    known = next(row for row in listed["rows"] if row["title"] == KNOWN_TITLE)
    assert known["date"] == "2026-04-12" and known["layer"] == "mobilitaet"


def test_list_follows_kind_and_period_filters(http: httpx.Client, mq) -> None:
    url = f"/maps/{mq.slug}/features.json"
    problems = http.get(url, params={"layers": "mobilitaet", "kinds": "problem"}).json()
    assert [r["title"] for r in problems["rows"]] == [KNOWN_TITLE]
    later = http.get(url, params={"layers": "mobilitaet", "datetime": "2026-05-01/.."}).json()
    assert later["rows"] == []
    assert http.get(url, params={"status": "draft"}).status_code == 401
    drafts = http.get(url, params={"status": "draft"}, headers=mq.auth(mq.planner)).json()
    assert [r["title"] for r in drafts["rows"]] == [DRAFT_TITLE]
    assert http.get(url, params={"layers": "nope"}).status_code == 400


def test_session_needs_a_valid_token(http: httpx.Client, mq) -> None:
    assert http.get(f"/maps/{mq.slug}/session.json").status_code == 401
    session = http.get(f"/maps/{mq.slug}/session.json", headers=mq.auth(mq.planner)).json()
    assert session["role"] == "planner" and session["sees_everything"] is True


def test_assets_are_served_immutable_and_only_from_the_whitelist(http: httpx.Client) -> None:
    store = AssetStore.discover()
    leaflet = http.get(store.url("leaflet.js"))
    assert leaflet.status_code == 200
    assert "immutable" in leaflet.headers["cache-control"]
    assert leaflet.headers["content-type"].startswith("text/javascript")
    font = http.get("/assets/fontawesome-free@6.7.2/webfonts/fa-solid-900.woff2")
    assert font.status_code == 200 and font.headers["content-type"] == "font/woff2"
    assert http.get(store.url("karte-map.js")).status_code == 200
    for bad in (
        "/assets/leaflet@1.9.4/package.json",  # not whitelisted
        "/assets/leaflet@1.0.0/dist/leaflet.js",  # not the pinned version
        "/assets/leaflet@1.9.4/dist/../package.json",
        "/assets/karte@0000000000/karte-map.js",
    ):
        assert http.get(bad).status_code == 404, bad


def test_folium_class_defaults_stay_untouched(http: httpx.Client, mq) -> None:
    assert http.get(f"/maps/{mq.slug}").status_code == 200
    assert folium.Map.default_js == FOLIUM_MAP_JS
    assert Fullscreen.default_js == FOLIUM_FULLSCREEN_JS


def test_every_glyph_of_the_catalogue_exists_in_the_icon_font() -> None:
    store = AssetStore.discover()
    css_path = store.node_modules / "@fortawesome/fontawesome-free/css/fontawesome.min.css"
    known = set(re.findall(r"\.(fa-[a-z0-9-]+)[,{:]", css_path.read_text()))
    for layer in load_catalog():
        assert fa_class(layer.icon) in known, layer.icon
        for entry in layer.legend.values():
            if entry.symbol:
                assert fa_class(entry.symbol) in known, entry.symbol


def test_a_city_basemap_and_allowed_origins_shape_the_embed(settings, mq) -> None:
    """With the city's own basemap the embed names only that host; /maps may add OSM."""
    city = "https://geo.stadt.example/tiles/{z}/{x}/{y}.png"
    custom = settings.model_copy(
        update={
            "basemap_url": city,
            "basemap_attribution": "Stadt Beispiel <Geodaten>",
            "allowed_origins": ["https://www.stadt.example"],
        }
    )
    with TestClient(create_app(custom)) as client:
        embed = client.get(f"/embed/{mq.slug}")
        planner = client.get(f"/maps/{mq.slug}")
    assert embed.status_code == 200 and planner.status_code == 200
    csp = embed.headers["content-security-policy"]
    assert "frame-ancestors 'self' https://www.stadt.example" in csp
    assert "img-src 'self' data: https://geo.stadt.example" in csp
    assert "openstreetmap" not in embed.text, "the embed offers only the configured basemap"
    assert "Stadt Beispiel \\u0026lt;Geodaten\\u0026gt;" in embed.text, "attribution is escaped"
    assert "<Geodaten>" not in embed.text
    assert city in planner.text and OSM_TEMPLATE in planner.text
    assert "Stadtkarte" in planner.text
