"""The project map in Debian's Chromium with its real CSP (not bypassed): markers and list
match /api/measures, filters change both, the popup shows Sachstand, phase × status,
progress with the weights, the parent chain and the evidence; keyboard; axe; 1280 and 360 px;
the embed and the cross-quarter map."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.browser.axe import assert_accessible

HAMME = "bochum-hamme"
URL = f"/maps/{HAMME}/massnahmen"
MARKERS = ".leaflet-marker-icon.pm-marker"
ROWS = "#pm-rows tr:not([hidden])"
POPUP = ".leaflet-popup-content .pm-pop"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Debian Chromium for this module (module scope: see tests/browser/conftest.py)."""
    from tests.chromium import launch_chromium

    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture()
def make_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """``make_page(width)`` → a watched page; the CSP stays enforced."""
    from tests.browser.conftest import watch

    contexts = []

    def make(width: int = 1280) -> Any:
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="de-DE")
        contexts.append(context)
        return watch(context, {urlsplit(live_server.url).netloc})

    yield make
    for context in contexts:
        context.close()


def measures(http: httpx.Client, quarter: str | None = HAMME) -> list[dict]:
    params = {"limit": "1000", **({"quarter": quarter} if quarter else {})}
    return http.get("/api/measures", params=params).json()["items"]


def open_filters(page: Any) -> None:
    toggle = page.locator("#sidebar-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()


def until(page: Any, expression: str, timeout: float = 15.0) -> None:
    """Poll the page's real state (``page.evaluate`` goes through DevTools; Playwright's
    ``wait_for_function`` compiles its predicate with eval, which this page's CSP refuses)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            pytest.fail(f"not reached within {timeout} s: {expression}")
        page.wait_for_timeout(50)


def label(m: dict) -> str:
    return (m["reference"] + " " if m["reference"] else "") + m["title"]


@pytest.mark.parametrize("width", [1280, 360])
def test_project_map_filters_popup_keyboard_and_axe(
    make_page: Any, live_server: Any, http: httpx.Client, demo_loaded: dict, width: int
) -> None:
    items = measures(http)
    located = [m for m in items if m["geometry"]]
    watched = make_page(width)
    page = watched.page
    response = page.goto(live_server.url + URL)
    assert response.status == 200
    assert "style-src 'self';" in response.headers["content-security-policy"]
    page.wait_for_selector("body[data-loaded='true']", timeout=30_000)
    assert page.locator("#pm-rows tr").count() == len(items)
    assert page.locator(MARKERS).count() == len(located)
    status = page.locator("#pm-status").inner_text()
    assert f"{len(items)} von {len(items)} Maßnahmen: {len(located)} auf der Karte" in status
    assert f"{len(items) - len(located)} ohne Ort (nur in der Liste)" in status
    assert page.locator("#pm-rows tr .pm-noplace").count() == len(items) - len(located)

    # filters change markers and list alike
    open_filters(page)
    for phase in ("umsetzung", "idee"):
        page.select_option("#f-phase", phase)
        want = [m for m in items if m["phase"] == phase]
        assert page.locator(ROWS).count() == len(want)
        assert page.locator(MARKERS).count() == len([m for m in want if m["geometry"]])
    page.select_option("#f-phase", "")
    page.select_option("#f-dimension", "ökologisch")
    page.select_option("#f-status", "laeuft")
    want = [m for m in items if "ökologisch" in m["dimensions"] and m["status"] == "laeuft"]
    assert 0 < len(want) < len(items)
    assert page.locator(ROWS).count() == len(want)
    assert page.locator(MARKERS).count() == len([m for m in want if m["geometry"]])
    page.select_option("#f-layer", "mobilitaet")
    both = [m for m in want if "mobilitaet" in m["layers"]]
    assert page.locator(ROWS).count() == len(both)
    page.locator("#f-reset").click()
    until(page, f"document.body.dataset.shown === '{len(items)}'")
    assert page.locator(MARKERS).count() == len(located)

    # keyboard: Tab reaches a marker, Enter opens its popup
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('pm-marker')"):
            break
    else:
        pytest.fail("Tab never reached a marker")
    focused = page.evaluate("document.activeElement.dataset.id")
    page.keyboard.press("Enter")
    page.wait_for_selector(POPUP, timeout=10_000)
    first = next(m for m in items if m["id"] == focused)
    assert page.locator(f"{POPUP} h3").last.inner_text() == label(first)
    page.keyboard.press("Escape")
    page.wait_for_selector(POPUP, state="detached", timeout=10_000)

    # popup content of one measure (with a Sachstand, a parent and public evidence),
    # opened from its list row by keyboard
    def evidence_of(m: dict) -> dict:
        return http.get(f"/api/measures/{m['id']}/links").json()

    lohstr = next(
        m
        for m in located
        if m["sachstand"] and m["parent_id"] and m["progress"] is not None
        and (lambda e: e["observations"] or e["findings"])(evidence_of(m))
    )  # fmt: skip
    button = page.locator(f"#pm-rows tr[data-id='{lohstr['id']}'] button")
    button.focus()
    page.keyboard.press("Enter")
    pop = page.locator(POPUP).last
    pop.wait_for(timeout=10_000)
    assert pop.locator("h3").inner_text() == label(lohstr)
    phase_status = f"{lohstr['phase_label']} × {lohstr['status_label']}"
    assert pop.locator(".pm-phase").inner_text() == phase_status
    assert float(pop.locator("progress").get_attribute("value")) == lohstr["progress"]
    assert pop.locator(".pm-sachstand").inner_text() == (
        f"{lohstr['sachstand']['on_date']}: {lohstr['sachstand']['title']}"
    )
    by_id = {m["id"]: m for m in items}
    chain, p = [], by_id.get(lohstr["parent_id"])
    while p:
        chain.insert(0, label(p))
        p = by_id.get(p["parent_id"])
    assert pop.locator(".pm-chain").inner_text() == "Teil von: " + " › ".join(chain)
    links = evidence_of(lohstr)
    evidence = len(links["observations"]) + len(links["findings"])
    assert evidence > 0
    until(page, f"document.querySelectorAll('{POPUP} .pm-evidence a').length === {evidence}")
    watched.shot(f"projektkarte-{width}")
    # a popup taller than the map scrolls; then keyboard users can reach and scroll it
    scrolled = page.locator(".leaflet-popup-content.leaflet-popup-scrolled")
    if scrolled.count():
        assert scrolled.get_attribute("tabindex") == "0" and scrolled.get_attribute("aria-label")
    assert_accessible(page)  # with the popup open
    hrefs = pop.locator(".pm-evidence a").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    for o in links["observations"]:
        assert f"/ogc/collections/{o['layer']}/items/{o['observation_id']}" in hrefs
    page.keyboard.press("Escape")
    # the focus goes back to the row's button
    until(page, f"document.activeElement.closest(\"tr[data-id='{lohstr['id']}']\") !== null")

    # a parent: weights of the children, so the figure can be recomputed
    parent = next(m for m in items if m["progress_basis"] == "children" and not m["geometry"])
    kids = [m for m in items if m["parent_id"] == parent["id"]]
    page.locator(f"#pm-rows tr[data-id='{parent['id']}'] button").click()
    pop = page.locator(POPUP).last
    pop.wait_for(timeout=10_000)
    assert "Diese Maßnahme hat keinen Ort auf der Karte." in pop.inner_text()
    assert pop.locator(".pm-kids li").count() == len(kids)
    figured = [k for k in kids if k["progress"] is not None]
    weights = [k["weight"] if k["weight"] is not None else 1 for k in figured]
    mean = sum(w * k["progress"] for w, k in zip(weights, figured, strict=True)) / sum(weights)
    assert round(mean, 1) == parent["progress"]
    kid_text = pop.locator(".pm-kids").inner_text()
    for k in kids:
        assert label(k) in kid_text
    page.keyboard.press("Escape")

    assert_accessible(page)
    assert not [e for e in watched.console_errors if "Content Security Policy" in e], (
        watched.console_errors
    )
    assert not watched.blocked


def test_embed_and_cross_quarter_map(
    make_page: Any, live_server: Any, http: httpx.Client, demo_loaded: dict
) -> None:
    items = measures(http)
    watched = make_page(1280)
    page = watched.page
    response = page.goto(live_server.url + f"/embed/{HAMME}/massnahmen?lang=en")
    assert response.status == 200
    page.wait_for_selector("body[data-loaded='true']", timeout=30_000)
    assert page.locator("#pm-rows tr").count() == len(items)
    assert page.locator(MARKERS).count() == len([m for m in items if m["geometry"]])
    assert "measures" in page.locator("#pm-status").inner_text()
    assert page.locator("#full-map").get_attribute("href") == f"/maps/{HAMME}/massnahmen?lang=en"
    assert_accessible(page)

    everything = measures(http, None)
    page.goto(live_server.url + "/maps/massnahmen")
    page.wait_for_selector("body[data-loaded='true']", timeout=30_000)
    assert page.locator("#pm-rows tr").count() == len(everything)
    page.select_option("#f-quarter", HAMME)
    assert page.locator(ROWS).count() == len(items)
    assert page.locator(MARKERS).count() == len([m for m in items if m["geometry"]])
    assert_accessible(page)
    assert not watched.blocked


def test_points_lines_and_areas_each_get_one_marker(
    make_page: Any, live_server: Any, http: httpx.Client, programme: Any
) -> None:
    from tests.programme.conftest import create

    x, y = programme.inside
    line = {"type": "LineString", "coordinates": [[x - 0.002, y], [x + 0.002, y + 0.001]]}
    area = {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + 0.001, y], [x + 0.001, y + 0.001], [x, y + 0.001], [x, y]]],
    }
    create(http, programme, title="Form Punkt", geometry={"type": "Point", "coordinates": [x, y]})
    create(http, programme, title="Form Linie", geometry=line, phase="umsetzung")
    create(http, programme, title="Form Fläche", geometry=area)
    create(http, programme, title="Form ohne Ort")
    create(http, programme, title="Form Entwurf", geometry=line, published=False)
    page = make_page(1280).page
    page.goto(f"{live_server.url}/maps/{programme.quarter}/massnahmen")
    page.wait_for_selector("body[data-loaded='true']", timeout=30_000)
    titles = page.locator("#pm-rows tr td:nth-child(2) > span:first-child").all_inner_texts()
    assert sorted(titles) == ["Form Fläche", "Form Linie", "Form Punkt", "Form ohne Ort"]
    assert page.locator(MARKERS).count() == 3
    assert page.locator("path.pm-area").count() == 2
    assert page.locator("path.pm-area-umsetzung").count() == 1
    # a click on the line opens the popup of its measure
    page.locator("path.pm-area-umsetzung").click(force=True)
    page.wait_for_selector(POPUP, timeout=10_000)
    assert page.locator(f"{POPUP} h3").last.inner_text() == "Form Linie"
