"""The quarter map's "Wer hilft hier?" in a real Chromium: the offers list is searchable by
what is offered, "nur jetzt geöffnet" filters by the OSM opening hours, everything works by
keyboard (search, check box, "Auf der Karte zeigen" opens the actor's popup), German and
English, axe finds nothing serious — and a person without consent is not on the page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.actors.conftest import create_actor
from tests.browser.axe import assert_accessible
from tests.browser.helpers import settle
from tests.programme.conftest import Programme

pytestmark = pytest.mark.browser


def _wait_list(page: Any, timeout: float = 15_000) -> None:
    page.wait_for_selector(
        "#helpers-status:has-text('von'), #helpers-status:has-text('of')",
        timeout=timeout,
        state="attached",
    )


def _names(page: Any) -> list[str]:
    return page.locator("#helpers-list .ah-name").all_inner_texts()


def test_who_helps_here_search_open_now_keyboard(
    http, live_server, make_page, programme: Programme
) -> None:  # type: ignore[no-untyped-def]
    x, y = programme.inside
    create_actor(
        http,
        programme,
        name="Frauentreff Mitte",
        kind="verein",
        offers=[
            {"what": "Sprachcafé Deutsch", "for_whom": "Zugewanderte", "opening_hours": "24/7"}
        ],
    )
    create_actor(
        http,
        programme,
        name="Seniorentreff Süd",
        kind="verein",
        location={"type": "Point", "coordinates": [x + 0.002, y]},
        offers=[{"what": "Seniorencafé", "for_whom": "Ältere", "opening_hours": "off"}],
    )
    create_actor(http, programme, name="Geheime Kümmerin", kind="person", phone="+49 561 555 0001")
    watched = make_page()
    page = watched.page
    page.goto(f"{live_server.url}/maps/{programme.quarter}")
    settle(page)
    _wait_list(page)
    assert sorted(_names(page)) == ["Frauentreff Mitte", "Seniorentreff Süd"]
    assert "Geheime" not in page.content() and "555 0001" not in page.content()
    assert page.locator(".ah-marker").count() == 2
    # search by what is offered, typed (umlauts and accents folded: "sprachcafe")
    page.locator("#helpers-q").focus()
    page.keyboard.type("sprachcafe")
    assert _names(page) == ["Frauentreff Mitte"]
    assert page.locator("#helpers-list .ah-open").inner_text() == "jetzt geöffnet"
    assert page.locator(".ah-marker").count() == 1  # the map follows the search
    # Tab to "Auf der Karte zeigen", Enter: the map centres and the actor's popup opens
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.dataset.show"):
            break
    else:
        raise AssertionError("the show button is not reachable by Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup .ah-pop")
    assert "Frauentreff Mitte" in page.locator(".leaflet-popup .ah-pop").inner_text()
    assert "Sprachcafé Deutsch" in page.locator(".leaflet-popup .ah-pop").inner_text()
    # "nur jetzt geöffnet" by keyboard: the closed Seniorencafé drops out
    page.locator("#helpers-q").fill("café")
    assert sorted(_names(page)) == ["Frauentreff Mitte", "Seniorentreff Süd"]
    page.locator("#helpers-open").focus()
    page.keyboard.press("Space")
    assert _names(page) == ["Frauentreff Mitte"]
    page.locator("#helpers-q").fill("gibt es nicht")
    assert page.locator("#helpers-status").inner_text() == "Keine Akteure gefunden."
    page.locator("#helpers-q").fill("")
    assert_accessible(page)
    assert not watched.console_errors and not watched.blocked


def test_who_helps_here_in_english_and_at_768_px(
    http, live_server, make_page, programme: Programme
) -> None:  # type: ignore[no-untyped-def]
    create_actor(
        http,
        programme,
        name="Repair Café",
        kind="initiative",
        offers=[{"what": "Reparieren", "opening_hours": "24/7"}],
    )
    watched = make_page(viewport={"width": 768, "height": 900})
    page = watched.page
    page.goto(f"{live_server.url}/maps/{programme.quarter}?lang=en")
    settle(page)
    _wait_list(page)
    if not page.locator("#helpers-h").is_visible():  # at 768 px the sidebar is a panel
        page.locator("#sidebar-toggle").click()
    page.locator("#helpers-h").scroll_into_view_if_needed()
    assert page.locator("#helpers-h").inner_text() == "Who helps here?"
    assert page.locator("label[for=helpers-q]").inner_text().startswith("Search offers")
    assert "open now" in page.locator("#helpers-list").inner_text()
    assert " of " in page.locator("#helpers-status").inner_text()
    assert_accessible(page)
    embed = make_page()
    embed.page.goto(f"{live_server.url}/embed/{programme.quarter}")
    settle(embed.page)
    _wait_list(embed.page)
    assert "Repair Café" in _names(embed.page)
    assert not watched.console_errors and not embed.console_errors
