"""The share page of a saved view: /maps/{quarter}/share?ansicht=<id>.

The snippet a city pastes and the live preview embed the view (``/embed/…?ansicht=``), so the
public embed shows the view's filters, extent and overlays, not just its layers. Layers are
named only when the planner changes them on the share page. Over HTTP and in Chromium.
"""

from __future__ import annotations

import html as htmllib
import re
import uuid
from typing import Any

import pytest

from tests.browser.axe import assert_accessible
from tests.workspace.conftest import WorkspaceTeam

Q = "bochum-hamme"


def make_view(http: Any, member: Any, overlays: list[dict[str, Any]] | None = None) -> dict:
    response = http.post(
        "/api/workspace/views",
        json={
            "name": f"Teilen & Grün {uuid.uuid4().hex[:6]}",
            "quarter": Q,
            "layers": ["gruen-freiraum", "mobilitaet"],
            "filters": {"kinds": ["problem", "idea"], "from": "2024-03-01"},
            "extent": {"lat": 51.4905, "lon": 7.1958, "zoom": 16},
            "overlays": overlays or [],
        },
        headers=member.auth,
    )
    assert response.status_code == 201, response.text
    return response.json()


def snippet_src(page_html: str) -> str:
    found = re.search(r'<textarea id="snippet"[^>]*>(.*?)</textarea>', page_html, re.S)
    assert found, "no snippet"
    return htmllib.unescape(re.search(r'src="([^"]+)"', htmllib.unescape(found.group(1))).group(1))


def test_share_page_embeds_the_view(
    http: Any, demo_loaded: Any, workspace_team: WorkspaceTeam
) -> None:
    overlay = {"type": "wms", "url": "https://geo.example.org/wms", "layers": "isek",
               "title": "ISEK"}  # fmt: skip
    view = make_view(http, workspace_team.planner, [overlay])
    response = http.get(f"/maps/{Q}/share", params={"ansicht": view["id"]})
    assert response.status_code == 200
    page = response.text
    src = snippet_src(page)
    assert src.endswith(f"/embed/{Q}?ansicht={view['id']}"), src  # the view's own layers
    assert f'data-view="{view["id"]}"' in page
    assert 'data-view-layers="gruen-freiraum,mobilitaet"' in page
    assert 'id="sl-gruen-freiraum" value="gruen-freiraum" checked' in page
    assert 'id="sl-leerstand" value="leerstand">' in page
    name = view["name"].replace("&", "&amp;")
    assert f"Gespeicherte Ansicht: <strong>{name}</strong>" in page
    back = re.search(r'<a class="btn" href="([^"]+)"', page).group(1)
    assert f"/maps/{Q}?ansicht={view['id']}" in htmllib.unescape(back)
    lang = re.search(r'<span class="langs"><a href="([^"]+)"', page).group(1)
    assert f"ansicht={view['id']}" in lang and "lang=en" in lang
    # the share page draws no overlay: its CSP does not open up for the view's hosts
    assert "example" not in response.headers["content-security-policy"]
    # the embed the snippet points at is the view
    embed = http.get("/" + src.split("/", 3)[3])
    assert embed.status_code == 200 and name in embed.text

    # the map page's share link leads here with the view; English keeps it too
    mapped = http.get(f"/maps/{Q}", params={"ansicht": view["id"]}).text
    link = htmllib.unescape(re.search(r'href="([^"]*/share\?[^"]*)"', mapped).group(1))
    assert f"ansicht={view['id']}" in link
    english = http.get(f"/maps/{Q}/share", params={"ansicht": view["id"], "lang": "en"}).text
    assert snippet_src(english).endswith(f"?ansicht={view['id']}&lang=en")
    assert "Saved view" in english

    # ?layers= different from the view's: named beside the view
    chosen = http.get(f"/maps/{Q}/share", params={"ansicht": view["id"], "layers": "mobilitaet"})
    assert snippet_src(chosen.text).endswith(f"?ansicht={view['id']}&layers=mobilitaet")


def test_share_page_without_a_view_is_unchanged_and_bad_views_are_error_pages(
    http: Any, demo_loaded: Any
) -> None:
    plain = http.get(f"/maps/{Q}/share", params={"layers": "mobilitaet"})
    assert plain.status_code == 200
    assert snippet_src(plain.text).endswith(f"/embed/{Q}?layers=mobilitaet")
    assert "data-view=" not in plain.text
    unknown = http.get(f"/maps/{Q}/share", params={"ansicht": "zzzzzzzzzz"})
    assert unknown.status_code == 404 and "Ansicht nicht gefunden" in unknown.text
    english = http.get(f"/maps/{Q}/share", params={"ansicht": "zzzzzzzzzz", "lang": "en"})
    assert english.status_code == 404 and "View not found" in english.text
    bad = http.get(f"/maps/{Q}/share", params={"ansicht": "x'; DROP TABLE map_view;--"})
    assert bad.status_code == 400 and "Ungültige Ansicht" in bad.text


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 768])
def test_share_preview_shows_the_view_and_a_layer_change_keeps_it(
    make_page: Any,
    live_server: Any,
    http: Any,
    demo_loaded: Any,
    workspace_team: WorkspaceTeam,
    width: int,
) -> None:
    view = make_view(http, workspace_team.planner)
    watched = make_page(width, bypass_csp=False)
    page = watched.page
    page.goto(f"{live_server.url}/maps/{Q}/share?ansicht={view['id']}")
    frame_el = page.locator("#preview iframe")
    assert frame_el.get_attribute("src").endswith(f"/embed/{Q}?ansicht={view['id']}")
    frame = frame_el.element_handle().content_frame()
    frame.wait_for_selector("html[data-karte-ready]", state="attached", timeout=30_000)
    ticked = "(n) => [...document.querySelectorAll(`input[name=${n}]:checked`)].map((b) => b.value)"
    assert frame.evaluate(ticked, "layer") == ["gruen-freiraum", "mobilitaet"]
    assert frame.evaluate(ticked, "kind") == ["problem", "idea"]
    assert frame.locator("#f-from").input_value() == "2024-03-01"
    assert frame.evaluate("() => Karte.ctx.map.getZoom()") == 16
    assert page.locator("#view-name").inner_text() == f"Gespeicherte Ansicht: {view['name']}"
    assert_accessible(page)

    # another layer ticked: the snippet names the layers and still embeds the view
    page.locator("#sl-aussagen").check()
    page.wait_for_function(
        "(id) => { const v = document.getElementById('snippet').value;"
        " return v.includes(`?ansicht=${id}&amp;layers=`) && v.includes('aussagen'); }",
        arg=view["id"],
    )
    assert page.locator("#preview iframe").get_attribute("src").count("ansicht=") == 1
    page.locator("#sl-aussagen").uncheck()  # back to the view's own layers: no ?layers=
    page.wait_for_function(
        "(id) => document.getElementById('snippet').value.includes(`?ansicht=${id}\"`)",
        arg=view["id"],
    )
    assert not [e for e in watched.console_errors if "Content Security Policy" in e]
