"""The change map in Debian's Chromium: symbols, legend, list, keyboard, axe, 1280 and 360 px."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.browser.axe import assert_accessible

URL = "/maps/bochum-hamme/veraenderung?von=2024&bis=2026"


@pytest.mark.parametrize("width", [1280, 360])
def test_change_map_shows_classes_legend_list_and_works_by_keyboard(
    make_page: Any, live_server: Any, http: httpx.Client, demo_loaded: dict, width: int
) -> None:
    api = http.get("/api/quarters/bochum-hamme/change?von=2024&bis=2026").json()
    watched = make_page(width)
    page = watched.page
    response = page.goto(live_server.url + URL)
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("body[data-loaded='true']", timeout=30_000)
    rows = page.locator("#ch-rows tr")
    assert rows.count() == len(api["pairs"]) + len(api["singles"])
    # the measures that answer a problem stand next to it (demo: HAM-… linked to 2026 entries)
    answered = [e for e in api["pairs"] + api["singles"] if e["measures"]]
    assert len(answered) >= 5
    assert page.locator("#ch-rows .ch-measures").count() == len(answered)
    first = answered[0]["measures"][0]
    assert any(first["title"] in s for s in page.locator("#ch-rows .ch-measures").all_inner_texts())
    for key, n in api["counts"].items():
        assert page.locator(f"#ch-count-{key}").inner_text() == str(n)
    assert page.locator(".ch-legend input[type=checkbox]").count() == 7
    # every class its own shape: the legend's symbols differ in their SVG element
    shapes = page.eval_on_selector_all(
        ".ch-legend svg", "els => els.map(e => e.firstElementChild.outerHTML)"
    )
    assert len(set(shapes)) == 7
    markers = page.locator(".leaflet-marker-icon.ch-marker")
    assert markers.count() == rows.count()
    assert markers.first.get_attribute("tabindex") == "0"
    assert markers.first.get_attribute("aria-label")
    # keyboard: the "neu" checkbox hides the new ones from map and list
    new = api["counts"]["neu"]
    box = page.locator("input[value='neu']")
    box.focus()
    page.keyboard.press("Space")
    assert not box.is_checked()
    assert page.locator("#ch-rows tr:not([hidden])").count() == rows.count() - new
    assert markers.count() == rows.count() - new
    page.keyboard.press("Space")
    assert markers.count() == rows.count()
    # a marker by keyboard: focus it, Enter opens its details
    markers.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content .ch-pop", timeout=10_000)
    # the list's button shows the observation on the map
    page.keyboard.press("Escape")
    first_button = page.locator("#ch-rows tr button").first
    first_button.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content .ch-pop", timeout=10_000)
    # the indicators per round: one table row per round, numbers as the API says
    ind = http.get("/api/quarters/bochum-hamme/indicators").json()
    page.wait_for_selector("#ch-ind:not([hidden])", timeout=15_000)
    cells = page.locator("#ch-ind-rows tr").first.locator("td")
    assert page.locator("#ch-ind-rows tr").count() == len(ind["rounds"]) == 2
    assert cells.nth(2).inner_text() == str(ind["rounds"][0]["observations"])
    assert page.locator("#ch-chart svg rect").count() == 4
    share = round(100 * ind["changes"][0]["share_fixed"])
    assert f"{share} %" in page.locator("#ch-ind-change").inner_text()
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= width + 1  # nothing sticks out sideways, also at 360 px
    assert_accessible(page)
    assert watched.blocked == [] and watched.console_errors == []


def test_change_page_refuses_bad_rounds_in_german_and_english(
    http: httpx.Client, demo_loaded: dict
) -> None:
    r = http.get("/maps/bochum-hamme/veraenderung?von=2026&bis=2024")
    assert r.status_code == 400 and "text/html" in r.headers["content-type"]
    assert "von muss die frühere Runde sein" in r.text
    r = http.get("/maps/bochum-hamme/veraenderung?von=2024&bis=2099&lang=en")
    assert r.status_code == 404 and "There is no round &#39;2099&#39;" in r.text
    r = http.get("/maps/bochum-hamme/veraenderung")  # the two latest rounds
    assert r.status_code == 200 and "2024 → 2026" in r.text
    assert http.get("/maps/nirgendwo/veraenderung?von=a&bis=b").status_code == 404
