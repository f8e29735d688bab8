"""Issue 18, "Public map, embed and share", in a real Chromium: each test failed before its fix.

Markers without a mouse (one Tab stop, arrow keys, a labelled popup dialog, focus returned),
the list-to-popup hand-over, the share page's copy button and snippet, the embed's header on a
phone and its sidebar beside (not over) the map, the tri-state dimension boxes and figures that
follow the filters.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from tests.browser.helpers import drawn, settle
from tests.browser.mapdata import MapQuarter, ensure_map_quarter

pytestmark = pytest.mark.browser

ACTIVE = (
    "() => { const a = document.activeElement; return {title: a.title || '', "
    "marker: !!a.closest('.leaflet-marker-icon'), inMap: !!a.closest('#map-wrap'), "
    "popup: !!a.closest('.leaflet-popup'), role: a.getAttribute('role'), id: a.id, "
    "text: a.textContent.trim().slice(0, 60)}; }"
)


@pytest.fixture(scope="module")
def mq(engine: Engine) -> MapQuarter:
    return ensure_map_quarter(engine)


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


def tab_through_map(page: Any, limit: int = 250) -> list[dict[str, Any]]:
    """Tab from the top of the page until focus has entered and left the map; the map's stops."""
    stops: list[dict[str, Any]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        if active["inMap"]:
            stops.append(active)
        elif stops:
            return stops
    raise AssertionError(f"focus never left the map: {len(stops)} stops")


def test_markers_are_one_tab_stop_and_the_arrow_keys_reach_every_one(
    make_page, live_server, mq
) -> None:
    watched, stats = open_map(make_page, f"{live_server.url}/maps/{mq.slug}")
    page = watched.page
    stops = tab_through_map(page)
    markers = [s for s in stops if s["marker"]]
    assert len(markers) == 1, "all markers together are one Tab stop (roving tabindex)"
    assert len(stops) <= 8, [s["title"] or s["text"] for s in stops]
    # back to the marker, then visit every marker with the arrow keys
    page.keyboard.press("Shift+Tab")
    while not page.evaluate(ACTIVE)["marker"]:
        page.keyboard.press("Shift+Tab")
    seen = []
    for _ in range(drawn(stats)):
        active = page.evaluate(ACTIVE)
        assert active["marker"] and active["role"] == "button"
        seen.append(active["title"])
        page.keyboard.press("ArrowRight")
    assert set(seen) == marker_titles(page), "every marker is reached by the arrow keys"
    assert len(set(seen)) == drawn(stats)
    assert page.evaluate(ACTIVE)["title"] == seen[0], "the arrow keys wrap around"
    watched.shot("keyboard-marker-focus")
    assert watched.console_errors == []


def test_enter_opens_a_labelled_german_dialog_and_escape_returns_focus(
    make_page, live_server, mq
) -> None:
    watched, _ = open_map(make_page, f"{live_server.url}/maps/{mq.slug}")
    page = watched.page
    centre = page.evaluate("() => Karte.ctx.map.getCenter()")
    page.locator('.leaflet-marker-icon[tabindex="0"]').focus()
    page.keyboard.press("ArrowDown")
    title = page.evaluate(ACTIVE)["title"]
    assert page.evaluate("() => Karte.ctx.map.getCenter()") == centre, "arrows do not pan here"
    page.keyboard.press("Enter")
    dialog = page.locator(".leaflet-popup-content-wrapper[role=dialog]")
    dialog.wait_for()
    assert page.evaluate(ACTIVE)["popup"], "focus moved into the popup"
    name = page.evaluate(
        "() => { const d = document.querySelector('.leaflet-popup-content-wrapper');"
        " return document.getElementById(d.getAttribute('aria-labelledby')).textContent; }"
    )
    assert name == title
    close = page.locator(".leaflet-popup-close-button")
    assert close.get_attribute("aria-label") == "Details schließen"
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    back = page.evaluate(ACTIVE)
    assert back["marker"] and back["title"] == title, "focus returned to the marker"
    # the same with the close button, reached by Tab from inside the popup
    page.keyboard.press("Enter")
    dialog.wait_for()
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate(ACTIVE)["text"] == "×":
            break
    page.keyboard.press("Enter")
    dialog.wait_for(state="detached")
    assert page.evaluate(ACTIVE)["title"] == title
    watched.shot("keyboard-popup-closed")
    english, _ = open_map(make_page, f"{live_server.url}/maps/{mq.slug}?lang=en")
    english.page.locator('.leaflet-marker-icon[tabindex="0"]').focus()
    english.page.keyboard.press("Enter")
    label = english.page.locator(".leaflet-popup-close-button").get_attribute("aria-label")
    assert label == "Close details"
    assert watched.console_errors == [] and english.console_errors == []


def test_a_popup_opened_from_the_list_takes_focus_and_gives_it_back(
    make_page, live_server, mq
) -> None:
    watched, _ = open_map(make_page, f"{live_server.url}/maps/{mq.slug}?list=1")
    page = watched.page
    page.wait_for_selector("#list[data-rows]")
    button = page.get_by_role("button", name="Tempo 30 vor der Schule")
    button.focus()
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content-wrapper[role=dialog]").wait_for()
    page.wait_for_timeout(100)
    active = page.evaluate(ACTIVE)
    assert active["popup"], "the popup is reachable: focus is in it"
    assert "Tempo 30 vor der Schule" in page.locator(".leaflet-popup").inner_text()
    page.keyboard.press("Escape")
    page.locator(".leaflet-popup").wait_for(state="detached")
    assert page.evaluate(ACTIVE)["text"] == "Tempo 30 vor der Schule", "back to the list row"
    # a line (a walkthrough's track) is no marker: the list is its way in, the same hand-over
    page.goto(f"{live_server.url}/maps/{mq.slug}?layers=begehungen&list=1")
    settle(page)
    page.wait_for_selector("#list[data-rows]")
    track = page.get_by_role("button", name="Begehung Markt")
    track.focus()
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content-wrapper[role=dialog]").wait_for()
    page.wait_for_timeout(100)
    assert page.evaluate(ACTIVE)["popup"]
    assert "Bewohner*innen 5" in page.locator(".leaflet-popup").inner_text()
    page.keyboard.press("Escape")
    page.locator(".leaflet-popup").wait_for(state="detached")
    assert page.evaluate(ACTIVE)["text"] == "Begehung Markt"
    assert watched.console_errors == []


def test_many_markers_stay_one_tab_stop_on_bochum_hamme(
    make_page, live_server, demo_loaded
) -> None:
    watched, _ = open_map(make_page, f"{live_server.url}/maps/bochum-hamme")
    page = watched.page
    focusable = page.evaluate(
        "() => [...document.querySelectorAll('.leaflet-marker-icon[role=button]')]"
        ".map((el) => el.tabIndex)"
    )
    assert len(focusable) > 20, "the demo quarter draws many keyboard-usable markers"
    assert focusable.count(0) == 1 and focusable.count(-1) == len(focusable) - 1
    stops = tab_through_map(page)
    assert len(stops) <= 8


@pytest.mark.parametrize(
    ("lang", "label", "done"), [("de", "Kopieren", "Kopiert."), ("en", "Copy", "Copied.")]
)
def test_the_share_page_copies_one_clean_snippet(
    make_page, live_server, mq, lang, label, done
) -> None:
    watched = make_page(permissions=["clipboard-read", "clipboard-write"])
    page = watched.page
    page.goto(f"{live_server.url}/maps/{mq.slug}/share?lang={lang}")
    copy = page.locator("#copy")
    assert copy.inner_text() == label
    page.locator("#s-width").select_option("640")
    snippet = page.locator("#snippet").input_value()
    assert 'width="640"' in snippet
    assert 'allow="fullscreen; geolocation"' in snippet and "allowfullscreen" not in snippet
    copy.click()
    page.wait_for_function("() => document.querySelector('#copy-msg').textContent !== ''")
    assert page.locator("#copy-msg").inner_text() == done
    assert page.evaluate("() => navigator.clipboard.readText()") == snippet
    preview = page.locator("#preview iframe")
    assert preview.get_attribute("allowfullscreen") is None


@pytest.mark.parametrize("width", [360, 640])
def test_the_embed_header_names_the_quarter_on_a_phone(make_page, live_server, mq, width) -> None:
    watched, _ = open_map(
        make_page, f"{live_server.url}/embed/{mq.slug}", viewport={"width": width, "height": 500}
    )
    page = watched.page
    h1 = page.locator("h1")
    assert h1.evaluate("(el) => el.scrollWidth <= el.clientWidth"), "nothing cut off"
    quarter = page.locator("h1 .q-name")
    assert quarter.evaluate("(el) => el.scrollWidth <= el.clientWidth"), "the name is whole"
    name, head = quarter.bounding_box(), h1.bounding_box()
    assert name["width"] > 40 and name["x"] + name["width"] <= head["x"] + head["width"] + 0.5
    assert mq.name in h1.inner_text()
    assert "Karte der Nachhaltigkeit" in h1.text_content(), (
        "the app's name stays for screen readers"
    )
    watched.shot(f"embed-phone-header-{width}")


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("width", [640, 1280])
def test_the_embed_sidebar_covers_neither_popup_nor_attribution(
    make_page, live_server, mq, width
) -> None:
    watched, _ = open_map(
        make_page, f"{live_server.url}/embed/{mq.slug}", viewport={"width": width, "height": 500}
    )
    page = watched.page
    page.locator("#sidebar-toggle").click()
    page.wait_for_timeout(200)
    settle(page)
    # the rightmost marker: its popup is the one the sidebar used to cover
    page.evaluate(
        "() => { const icons = [...document.querySelectorAll('.leaflet-marker-icon[role=button]')];"
        " icons.sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right);"
        " icons[0].click(); }"
    )
    page.locator(".leaflet-popup-close-button").wait_for()
    page.wait_for_timeout(400)  # the popup's auto-pan
    side = page.locator("#sidebar").bounding_box()
    close = page.locator(".leaflet-popup-close-button").bounding_box()
    attribution = page.locator(".leaflet-control-attribution").bounding_box()
    assert side["width"] > 200
    assert not overlaps(close, side), (close, side)
    assert not overlaps(attribution, side), (attribution, side)
    hit = page.evaluate(
        "([x, y]) => !!document.elementFromPoint(x, y).closest('.leaflet-popup-close-button')",
        [close["x"] + close["width"] / 2, close["y"] + close["height"] / 2],
    )
    assert hit, "the close button is on top, so it can be clicked"
    watched.shot(f"embed-sidebar-popup-{width}")


def figure_total(page: Any) -> int:
    page.wait_for_timeout(100)
    return int(page.locator('figure[data-chart="dimension"]').get_attribute("data-total"))


def wait_total(page: Any, expected: int, timeout_s: float = 10) -> int:
    """The figure's total once it reached ``expected`` (counts may be fetched anew)."""
    total = figure_total(page)
    for _ in range(int(timeout_s * 10)):
        if total == expected:
            break
        total = figure_total(page)
    return total


def eco_row(page: Any) -> list[str]:
    """The "ökologisch" column: one value per kind, then the total."""
    cells = page.locator('figure[data-chart="dimension"] tbody tr td:first-of-type')
    return cells.all_inner_texts()


def test_a_dimension_box_is_tri_state_and_the_figures_follow_the_filters(
    make_page, live_server, mq
) -> None:
    watched, stats = open_map(make_page, f"{live_server.url}/maps/{mq.slug}")
    page = watched.page
    eco = mq.published["mobilitaet"] + mq.published["gruen-freiraum"]
    box = page.locator("#grp-ökologisch")
    assert box.is_checked() and not box.evaluate("(el) => el.indeterminate")
    assert box.get_attribute("aria-label") == "Alle Ebenen: ökologisch"
    assert figure_total(page) == eco
    assert eco_row(page)[-1] == str(eco)
    page.locator("label[for=ly-mobilitaet]").click()
    settle(page)
    assert box.evaluate("(el) => el.indeterminate"), "some layers of the group: mixed"
    assert page.evaluate(
        "() => document.querySelector('#grp-ökologisch').matches(':indeterminate')"
    )
    assert figure_total(page) == mq.published["gruen-freiraum"]
    box.focus()
    page.keyboard.press("Space")  # from mixed to all ticked
    after = settle(page)
    assert box.is_checked() and not box.evaluate("(el) => el.indeterminate")
    assert page.locator("#ly-umwelt").is_checked() and page.locator("#ly-mobilitaet").is_checked()
    assert drawn(after) == drawn(stats)
    page.keyboard.press("Space")  # none of the group
    none = settle(page)
    assert drawn(none) == 0 and figure_total(page) == 0
    assert not page.locator("#ly-gruen-freiraum").is_checked()
    page.wait_for_url("**layers=**")
    page.keyboard.press("Space")
    settle(page)
    page.locator("label[for=kind-strength]").click()
    strengths = 2  # one in each of the two layers (tests/browser/mapdata.py)
    assert figure_total(page) == eco - strengths
    assert eco_row(page)[0] == "0", "the strength column follows the kind filter"
    page.locator("#f-reset").click()
    settle(page)
    assert wait_total(page, eco) == eco
    page.locator("#f-from").fill("2026-04-13")  # the day after the walkthrough
    page.locator("#f-from").dispatch_event("change")
    settle(page)
    assert wait_total(page, 0) == 0, "the figures follow the period filter"
    page.locator("#f-reset").click()
    settle(page)
    assert wait_total(page, eco) == eco
    hints = page.locator("#sidebar figure .hint").all_inner_texts()
    assert "Folgt den gewählten Ebenen und Filtern" in hints[0]
    assert "unabhängig von den Filtern" in hints[1]
    watched.shot("figures-follow-filters")
    assert watched.console_errors == []
