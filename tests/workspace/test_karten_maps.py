"""The map pages open a saved view: /maps/{quarter}?ansicht=<id> and /embed/{quarter}?ansicht=.

Over real HTTP: the page's configuration and sidebar carry the view's layers, filters, extent
and overlays; the CSP allows exactly the overlay hosts of this view (and no other page's);
unknown, deleted, malformed or foreign views answer a German (or English) error page.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from tests.workspace.conftest import WorkspaceTeam

Q = "bochum-hamme"
API = "/api/workspace/views"


def config(html: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="karte-config">(.*?)</script>', html, re.S
    )
    assert found, "no karte-config"
    return json.loads(found.group(1))


def csp(response: Any) -> dict[str, list[str]]:
    out = {}
    for part in response.headers["content-security-policy"].split(";"):
        name, *values = part.split()
        out[name] = values
    return out


@pytest.fixture()
def saved(http: Any, demo_loaded: Any, workspace_team: WorkspaceTeam) -> dict[str, Any]:
    response = http.post(
        API,
        json={
            "name": f"ISEK & Grün {uuid.uuid4().hex[:6]}",
            "quarter": Q,
            "layers": ["gruen-freiraum", "leerstand", "referenz-spielplaetze"],
            "filters": {
                "kinds": ["problem"],
                "from": "2024-03-01",
                "to": "2026-10-31",
                "dimensions": ["ökologisch", "sozial"],
            },
            "extent": {"lat": 51.4901, "lon": 7.1953, "zoom": 17},
            "overlays": [
                {
                    "type": "wms",
                    "url": "https://geo.example.org:8443/wms",
                    "layers": "isek",
                    "title": "ISEK-Gebiete",
                },
                {
                    "type": "wmts",
                    "url": "https://tiles.example.net/{z}/{x}/{y}.png",
                    "title": "Luftbild",
                },
                {
                    "type": "oapif",
                    "url": "https://ogc.example.com/collections/isek/items",
                    "title": "ISEK (Features)",
                },
            ],
        },
        headers=workspace_team.planner.auth,
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize("path", ["/maps", "/embed"])
def test_the_page_opens_with_the_views_layers_filters_extent_and_overlays(
    http: Any, saved: dict[str, Any], path: str
) -> None:
    response = http.get(f"{path}/{Q}", params={"ansicht": saved["id"]})
    assert response.status_code == 200
    html = response.text
    cfg = config(html)
    # leerstand is ökonomisch: the view's dimension filter leaves it out
    assert cfg["active"] == ["gruen-freiraum", "referenz-spielplaetze"]
    view = cfg["view"]
    assert view["id"] == saved["id"] and view["name"] == saved["name"]
    assert view["layers"] == ["gruen-freiraum", "referenz-spielplaetze"]
    assert view["kinds"] == ["problem"]
    assert (view["from"], view["to"]) == ("2024-03-01", "2026-10-31")
    assert view["extent"] == {"lat": 51.4901, "lon": 7.1953, "zoom": 17}
    assert [o["url"] for o in view["overlays"]] == [
        "https://geo.example.org:8443/wms",
        "https://tiles.example.net/{z}/{x}/{y}.png",
        "https://ogc.example.com/collections/isek/items",
    ]
    assert all("origin" not in o for o in view["overlays"])
    assert 'id="ly-gruen-freiraum" value="gruen-freiraum" checked' in html
    assert 'id="ly-leerstand" value="leerstand">' in html  # not ticked
    shown = saved["name"].replace("&", "&amp;")
    assert f"Gespeicherte Ansicht: <strong>{shown}</strong>" in html
    assert html.count('name="overlay"') == 3 and "ISEK-Gebiete" in html
    policy = csp(response)
    assert "https://geo.example.org:8443" in policy["img-src"]
    assert "https://tiles.example.net" in policy["img-src"]
    assert "https://ogc.example.com" not in policy["img-src"]
    assert policy["connect-src"] == ["'self'", "https://ogc.example.com"]
    assert not any("*" in v for v in policy["img-src"] + policy["connect-src"])


def test_other_pages_do_not_allow_the_views_hosts(http: Any, saved: dict[str, Any]) -> None:
    plain = http.get(f"/maps/{Q}")
    assert plain.status_code == 200
    assert config(plain.text)["view"] is None
    header = plain.headers["content-security-policy"]
    assert "example" not in header
    assert "connect-src 'self';" in header


def test_url_state_wins_over_the_view(http: Any, saved: dict[str, Any]) -> None:
    """A reload of a changed map keeps the change: ?layers= beats the view's layers."""
    response = http.get(f"/maps/{Q}", params={"ansicht": saved["id"], "layers": "aussagen"})
    cfg = config(response.text)
    assert cfg["active"] == ["aussagen"]
    assert cfg["view"]["id"] == saved["id"]  # overlays and filters still come from the view
    assert "https://geo.example.org:8443" in response.headers["content-security-policy"]


def test_share_links_of_the_page_keep_the_view(http: Any, saved: dict[str, Any]) -> None:
    html = http.get(f"/maps/{Q}", params={"ansicht": saved["id"]}).text
    lang = re.search(r'id="lang-switch" href="([^"]+)"', html).group(1)
    assert f"ansicht={saved['id']}" in lang
    embed = http.get(f"/embed/{Q}", params={"ansicht": saved["id"]}).text
    full = re.search(r'id="full-map" href="([^"]+)"', embed).group(1)
    assert f"ansicht={saved['id']}" in full


def test_unknown_deleted_malformed_and_foreign_views(
    http: Any, saved: dict[str, Any], workspace_team: WorkspaceTeam
) -> None:
    unknown = http.get(f"/maps/{Q}", params={"ansicht": "zzzzzzzzzz"})
    assert unknown.status_code == 404
    assert "text/html" in unknown.headers["content-type"]
    assert "Ansicht nicht gefunden" in unknown.text and "gibt es nicht" in unknown.text
    assert f'href="/maps/{Q}"' in unknown.text  # the map without the view
    english = http.get(f"/embed/{Q}", params={"ansicht": "zzzzzzzzzz", "lang": "en"})
    assert english.status_code == 404
    assert "View not found" in english.text and "may have been deleted" in english.text
    assert f'href="/embed/{Q}?lang=en"' in english.text

    for bad in ["x'; DROP TABLE map_view;--", "abc", "ABCDEFGHIJ", ""]:
        response = http.get(f"/maps/{Q}", params={"ansicht": bad})
        assert response.status_code == 400, bad
        assert "Ungültige Ansicht" in response.text and "keine Ansichts-Kennung" in response.text

    foreign = http.get("/maps/dortmund-marten", params={"ansicht": saved["id"]})
    assert foreign.status_code == 404
    assert "anderen Quartier" in foreign.text
    assert f'href="/maps/{Q}?ansicht={saved["id"]}"' in foreign.text

    auth = workspace_team.planner.auth
    assert http.delete(f"{API}/{saved['id']}", headers=auth).status_code == 204
    gone = http.get(f"/maps/{Q}", params={"ansicht": saved["id"]})
    assert gone.status_code == 404 and "gelöscht" in gone.text
    assert "example" not in gone.headers.get("content-security-policy", "")


def test_unknown_quarter_with_a_view_is_the_quarter_404(http: Any, saved: dict[str, Any]) -> None:
    response = http.get("/maps/atlantis", params={"ansicht": saved["id"]})
    assert response.status_code == 404
    assert "Das Quartier „atlantis“ gibt es nicht." in response.text


def test_the_karten_page_shell_in_german_and_english(http: Any) -> None:
    german = http.get("/planung/karten")
    assert german.status_code == 200
    assert "Karten und Ansichten" in german.text and 'id="kv-frame"' in german.text
    assert 'aria-current="page"' in german.text.split('id="ws-nav-karten"')[1][:40]
    policy = csp(german)
    assert policy["frame-src"] == ["'self'"]
    assert not any("example" in v for v in policy["img-src"])
    english = http.get("/planung/karten", params={"lang": "en"})
    assert "Maps and views" in english.text and "Save the view" in english.text
