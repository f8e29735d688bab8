"""axe-core (WCAG 2.1 AA) on every page a person opens: 0 serious or critical violations.

Each page is checked in the states a visitor reaches: the quarter map (public and signed in as
planner, with the list and a popup open), the embed (sidebar open, at 360 and 1280 px), the
share page, the field app (signed out, signed in, walkthrough started; 360 and 1280 px), the
start page and the API documentation at /docs (which must work without internet).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from mapservice.access import create_account, create_token
from tests.browser.axe import assert_accessible
from tests.browser.helpers import settle
from tests.browser.mapdata import MapQuarter, ensure_map_quarter

pytestmark = pytest.mark.browser

HAMME = "bochum-hamme"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def mq(engine: Engine) -> MapQuarter:
    return ensure_map_quarter(engine)


@pytest.fixture(scope="module")
def field_token(engine: Engine) -> str:
    name = f"feld-axe-{uuid.uuid4().hex[:6]}"
    with engine.begin() as conn:
        create_account(conn, name, "field")
        return create_token(conn, name)


def open_map(make_page: Any, url: str, viewport: dict[str, int] = DESKTOP) -> Any:
    watched = make_page(viewport=viewport)
    watched.page.goto(url)
    settle(watched.page)
    return watched


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_the_quarter_map_is_accessible(make_page, live_server, demo_loaded, viewport) -> None:
    watched = open_map(make_page, f"{live_server.url}/maps/{HAMME}", viewport)
    page = watched.page
    assert_accessible(page)
    wider = page.evaluate(
        "() => [...document.querySelectorAll('.table-scroll')]"
        ".filter((el) => el.scrollWidth > el.clientWidth).length"
    )
    assert wider == 0, "the figure tables fit the sidebar (no sideways scrolling)"
    if viewport == PHONE:
        page.locator("#sidebar-toggle").click()
        assert_accessible(page)
    page.locator("[data-toggle-list]").first.click()
    page.wait_for_selector("#list[data-rows]")
    assert_accessible(page)
    page.locator("#list-body button.linklike").first.click()
    page.locator(".leaflet-popup-content").last.wait_for()
    assert_accessible(page)
    watched.shot(f"a11y-maps-{viewport['width']}")
    assert watched.console_errors == []


def test_the_planner_view_is_accessible(make_page, live_server, demo_loaded, mq) -> None:
    watched = open_map(make_page, f"{live_server.url}/maps/{HAMME}")
    page = watched.page
    page.locator("#signin summary").click()
    assert_accessible(page)
    page.locator("#token").fill(mq.planner)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_selector("#status-filter", state="visible")
    settle(page)
    assert_accessible(page)
    watched.shot("a11y-maps-planner")


def open_a_popup_by_keyboard(page: Any) -> None:
    """Enter on a single marker; on a cluster (which zooms in) first, until there is one.

    Focusing a marker can pan the map, and the cluster layer then draws its markers anew, so
    the Enter may land on a marker that is gone; on a busy machine that happens often enough
    to matter. Each try waits a few seconds for the popup and then tries again on what is
    drawn now, instead of waiting half a minute on a marker that no longer exists.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # .last: a popup from an earlier try may still be fading out while the new one opens.
    popup = page.locator(".leaflet-popup-content").last
    for _ in range(8):
        single = page.locator(".leaflet-marker-icon.km-wrap[role=button]")
        if single.count():
            single.first.focus()
            page.keyboard.press("Enter")
            try:
                popup.wait_for(timeout=5_000)
                return
            except PlaywrightTimeout:
                settle(page)
                continue
        page.locator('[role=button][tabindex="0"]').first.focus()
        page.keyboard.press("Enter")
        settle(page)
    raise AssertionError("no popup after eight tries (zooming in on clusters first)")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_the_embed_is_accessible(make_page, live_server, demo_loaded, viewport) -> None:
    watched = open_map(make_page, f"{live_server.url}/embed/{HAMME}", viewport)
    page = watched.page
    assert_accessible(page)
    page.locator("#sidebar-toggle").click()
    assert_accessible(page)
    open_a_popup_by_keyboard(page)
    assert_accessible(page)
    watched.shot(f"a11y-embed-{viewport['width']}")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_share_page_is_accessible(make_page, live_server, demo_loaded, lang) -> None:
    watched = make_page()
    page = watched.page
    page.goto(f"{live_server.url}/maps/{HAMME}/share?lang={lang}")
    settle(page.wait_for_selector("iframe").content_frame())
    assert_accessible(page)
    assert watched.console_errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_the_field_app_is_accessible(
    make_page, live_server, demo_loaded, field_token, viewport
) -> None:
    watched = make_page(
        viewport=viewport,
        permissions=["geolocation"],
        geolocation={"longitude": 7.19, "latitude": 51.49, "accuracy": 5},
    )
    page = watched.page
    page.goto(f"{live_server.url}/erfassen")
    page.wait_for_selector("#view-signin:not([hidden])")
    # as the field-app tests do: the service worker in control first (it claims the page)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20_000)
    assert_accessible(page)
    page.fill("#token", field_token)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#view-setup:not([hidden])")
    page.wait_for_selector(f"#quarter-select option[value='{HAMME}']", state="attached")
    page.select_option("#quarter-select", HAMME)
    # "Neue Begehung" comes first and open; the summary would only fold it away.
    page.wait_for_selector("#walk-new[open] #walk-title")
    assert_accessible(page)
    page.fill("#walk-title", "Barrierefreiheit prüfen")
    page.click("#walk-form button[type=submit]")
    page.wait_for_selector("#view-main:not([hidden])")
    page.wait_for_timeout(300)
    assert_accessible(page)
    watched.shot(f"a11y-erfassen-{viewport['width']}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_the_start_page_is_accessible(make_page, live_server, demo_loaded, viewport) -> None:
    watched = make_page(viewport=viewport)
    page = watched.page
    page.goto(f"{live_server.url}/")
    assert_accessible(page)
    page.locator("article.card details summary").first.click()
    assert_accessible(page)
    assert watched.console_errors == []


def test_the_api_docs_work_offline_and_are_accessible(make_page, live_server) -> None:
    html = httpx.get(f"{live_server.url}/docs").text
    assert '<html lang="en">' in html and "cdn.jsdelivr.net" not in html
    assert "/assets/swagger-ui-dist@5.35.0/swagger-ui-bundle.js" in html
    bundle = httpx.get(f"{live_server.url}/assets/swagger-ui-dist@5.35.0/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 500_000
    assert httpx.get(f"{live_server.url}/redoc").status_code == 404, "ReDoc is switched off"
    watched = make_page()
    page = watched.page
    page.goto(f"{live_server.url}/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    # Swagger UI draws the operations as it resolves them: a big spec shows the first ten
    # before the rest, so wait for the count instead of reading it at the first one
    page.wait_for_function(
        "() => document.querySelectorAll('.opblock').length > 20", timeout=30_000
    )
    assert watched.blocked == [], "nothing is loaded from a CDN"
    assert_accessible(page)
    page.locator(".opblock-summary-control").first.click()  # one operation opened
    page.wait_for_selector(".opblock-body")
    assert_accessible(page)
    page.locator(".try-out__btn").first.click()  # its form, ready to send
    page.wait_for_selector(".opblock-body .execute")
    assert_accessible(page)
    assert watched.console_errors == []
