"""Time filter (rounds and dates) and heatmap on the quarter maps, in a real Chromium (issue 15).

A small quarter in Magdeburg (≈ 400 m × 300 m, single markers at the fitted zoom) with two
rounds: three problems walked in 2024, two problems and a strength in 2026, and a published
interview finding placed from a home address, whose public place lies ≈ 85 m from the home.
Both widgets are reached and worked with the keyboard only, at 1280 and 360 px, and axe
finds no serious or critical violation.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.browser.axe import assert_accessible
from tests.browser.helpers import drawn, settle

pytestmark = pytest.mark.browser

X0, Y0, X1, Y1 = 11.6200, 52.1200, 11.6260, 52.1228
HOME = (11.6230, 52.1215)  # the interviewee's home: never on a public map
PUBLIC = (11.6242, 52.1219)  # its generalised public place (≈ 85 m away)
#: (round year, kind, lon, lat)
POINTS = [
    (2024, "problem", 11.6205, 52.1205), (2024, "problem", 11.6215, 52.1210),
    (2024, "problem", 11.6225, 52.1222), (2026, "problem", 11.6235, 52.1206),
    (2026, "problem", 11.6248, 52.1212), (2026, "strength", 11.6252, 52.1224),
]  # fmt: skip


@dataclass
class TimeQuarter:
    slug: str


@pytest.fixture(scope="module")
def tq(engine: Engine) -> TimeQuarter:
    slug = f"zeitkarte-{uuid.uuid4().hex[:6]}"
    ring = f"{X0} {Y0}, {X1} {Y0}, {X1} {Y1}, {X0} {Y1}, {X0} {Y0}"
    with engine.begin() as conn:
        qid = conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary) VALUES (:s, 'Zeitkarte', "
                "'Magdeburg', ST_GeomFromText(:b, 4326)) RETURNING id"
            ),
            {"s": slug, "b": f"MULTIPOLYGON((({ring})))"},
        ).scalar_one()
        walks = {}
        for year in (2024, 2026):
            conn.execute(
                text(
                    "INSERT INTO walk_round (quarter_id, label, period_from, period_to) "
                    "VALUES (:q, :l, :f, :t)"
                ),
                {"q": qid, "l": str(year), "f": f"{year}-03-01", "t": f"{year}-06-30"},
            )
            walks[year] = conn.execute(
                text(
                    "INSERT INTO walkthrough (id, quarter_id, title, started_at, residents) "
                    "VALUES (gen_random_uuid(), :q, :t, CAST(:s AS timestamptz), 4) RETURNING id"
                ),
                {"q": qid, "t": f"Begehung {year}", "s": f"{year}-05-10T10:00:00+02:00"},
            ).scalar_one()
        for n, (year, kind, lon, lat) in enumerate(POINTS):
            conn.execute(
                text(
                    "INSERT INTO observation (quarter_id, walkthrough_id, layer_id, kind, rating, "
                    "title, geom, observed_at, status) VALUES (:q, :w, 'mobilitaet', :k, -1, :t, "
                    "ST_SetSRID(ST_MakePoint(:x, :y), 4326), CAST(:d AS timestamptz), "
                    "'published')"
                ),
                {"q": qid, "w": walks[year], "k": kind, "t": f"Punkt {n} ({year})", "x": lon,
                 "y": lat, "d": f"{year}-05-10T10:{10 + n}:00+02:00"},
            )  # fmt: skip
        interview = conn.execute(
            text(
                "INSERT INTO interview (id, quarter_id, held_on, participant_group, pseudonym) "
                "VALUES (gen_random_uuid(), :q, '2026-04-02', 'residents', 'Z-01') RETURNING id"
            ),
            {"q": qid},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO finding (id, interview_id, quarter_id, statement, layer_ids, kind, "
                "place_text, geom, public_geom, georef_method, georef_confidence, "
                "from_home_address, status) VALUES (gen_random_uuid(), :i, :q, "
                "'Vor meinem Haus rasen die Autos.', ARRAY['mobilitaet'], 'problem', "
                "'Zuhause', ST_SetSRID(ST_MakePoint(:hx, :hy), 4326), "
                "ST_SetSRID(ST_MakePoint(:px, :py), 4326), 'address', 0.9, true, 'published')"
            ),
            {"i": interview, "q": qid, "hx": HOME[0], "hy": HOME[1], "px": PUBLIC[0],
             "py": PUBLIC[1]},
        )  # fmt: skip
    return TimeQuarter(slug)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dx = (a[0] - b[0]) * 111_320 * math.cos(math.radians(a[1]))
    return math.hypot(dx, (a[1] - b[1]) * 111_320)


def tab_to(page: Any, element_id: str, limit: int = 300) -> None:
    """Press Tab until ``element_id`` has the focus: it is reachable by keyboard."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def open_sidebar_if_folded(page: Any) -> None:
    toggle = page.locator("#sidebar-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("body.sidebar-open", state="attached")


def wait_drawn(page: Any, expected: int) -> dict[str, Any]:
    for _ in range(100):
        stats = settle(page)
        if drawn(stats) == expected:
            return stats
        page.wait_for_timeout(100)
    raise AssertionError(f"drawn {drawn(settle(page))}, expected {expected}")


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("mode", ["maps", "embed"])
def test_a_round_sets_the_period_and_the_map_shows_that_round(
    make_page: Any, live_server: Any, tq: TimeQuarter, width: int, mode: str
) -> None:
    watched = make_page(viewport={"width": width, "height": 800})
    page = watched.page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live_server.url}/{mode}/{tq.slug}?layers=mobilitaet")
    wait_drawn(page, 6)
    open_sidebar_if_folded(page)
    assert page.locator("label[for=f-round]").inner_text() == "Begehungsrunde"
    options = page.locator("#f-round option").all_inner_texts()
    assert options[1:] == ["2024 (01.03.2024–30.06.2024)", "2026 (01.03.2026–30.06.2026)"]
    tab_to(page, "f-round")
    page.keyboard.press("ArrowDown")  # the first round, chosen with the keyboard
    assert page.input_value("#f-round") == "2024"
    assert page.input_value("#f-from") == "2024-03-01"
    assert page.input_value("#f-to") == "2024-06-30"
    wait_drawn(page, 3)
    assert page.locator('[data-count="mobilitaet"]').inner_text() == "(3)"
    assert any("datetime=2024-03-01%2F2024-06-30" in u for u in requests), requests[-5:]
    page.keyboard.press("ArrowDown")
    assert page.input_value("#f-round") == "2026"
    wait_drawn(page, 3)  # two problems and a strength of 2026
    page.wait_for_timeout(250)  # the address is written 150 ms after the last change
    assert "from=2026-03-01" in page.url and "to=2026-06-30" in page.url
    # dates typed by hand that are no round: the list says "none", the map follows the dates
    page.fill("#f-from", "2024-05-01")
    page.dispatch_event("#f-from", "change")
    assert page.input_value("#f-round") == ""
    wait_drawn(page, 6)  # 2024-05-01 … 2026-06-30 holds all six (the 2024 ones are May 10th)
    watched.shot(f"time-filter-{mode}-{width}")
    assert_accessible(page)
    assert not watched.console_errors, watched.console_errors
    assert not watched.blocked


def test_the_round_picker_speaks_english(make_page: Any, live_server: Any, tq: TimeQuarter) -> None:
    page = make_page().page
    page.goto(f"{live_server.url}/maps/{tq.slug}?lang=en&layers=mobilitaet")
    settle(page)
    assert page.locator("label[for=f-round]").inner_text() == "Walkthrough round"
    assert page.locator("#f-round option").first.inner_text() == "none – choose any period"
    assert page.locator("#heat legend").inner_text() == "Density (heatmap)"
    assert page.locator("label[for=heat-on]").inner_text() == "Show heatmap"


@pytest.mark.parametrize("width", [1280, 360])
def test_the_heatmap_is_switched_by_keyboard_and_uses_public_places_only(
    make_page: Any, live_server: Any, tq: TimeQuarter, width: int
) -> None:
    watched = make_page(viewport={"width": width, "height": 800})
    page = watched.page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live_server.url}/embed/{tq.slug}?layers=mobilitaet,aussagen")
    wait_drawn(page, 7)
    open_sidebar_if_folded(page)
    assert page.locator(".leaflet-heatmap-layer").count() == 0
    tab_to(page, "heat-on")
    page.keyboard.press("Space")
    assert page.is_checked("#heat-on")
    page.wait_for_selector(".leaflet-heatmap-layer", state="attached")
    points = page.evaluate("() => Karte.heatPoints()")
    # problems: five observations and the finding, each weight 1 (all single markers)
    assert sum(p[2] for p in points) == 6, points
    assert page.inner_text("#heat-status") == "Heatmap: 6 Einträge (Problem)"
    places = [(p[1], p[0]) for p in points]
    assert min(metres(place, HOME) for place in places) > 50  # the home is never shown
    assert min(metres(place, PUBLIC) for place in places) < 1  # its public place is
    page.wait_for_timeout(250)
    assert "heat=problem" in page.url
    tab_to(page, "heat-kind")
    page.keyboard.press("End")  # the last option: all kinds
    if page.input_value("#heat-kind") != "all":
        page.keyboard.press("ArrowDown")
    assert page.input_value("#heat-kind") == "all"
    for _ in range(50):  # the change handler redraws at once; give the event loop a turn
        if sum(p[2] for p in page.evaluate("() => Karte.heatPoints()")) == 7:
            break
        page.wait_for_timeout(50)
    assert sum(p[2] for p in page.evaluate("() => Karte.heatPoints()")) == 7
    assert page.inner_text("#heat-status") == "Heatmap: 7 Einträge (alle Arten)"
    watched.shot(f"heatmap-{width}")
    assert_accessible(page)
    page.focus("#heat-on")
    page.keyboard.press("Space")
    assert not page.is_checked("#heat-on")
    assert page.locator(".leaflet-heatmap-layer").count() == 0
    assert page.inner_text("#heat-status") == "Heatmap aus"
    own = live_server.url
    assert any(u.startswith(own) and "/assets/leaflet.heat@0.2.0/dist/leaflet-heat.js" in u
               for u in requests), "leaflet-heat.js from our own /assets"  # fmt: skip
    assert not watched.blocked
    assert not watched.console_errors, watched.console_errors


HEAT_BOX = (9.31, 52.31, 9.35, 52.35)


def test_heatmap_weights_clusters_by_their_counts_and_follows_the_period(
    make_page: Any, live_server: Any, engine: Engine
) -> None:
    """At the quarter's zoom the server clusters the 400 points: the heatmap weighs each
    cluster by its count, so its total is what SQL counts – for all kinds, one kind, a day."""
    from tests.test_tiles_seed import seed

    world = seed(engine, "heatdichte", HEAT_BOX, "leerstand")

    def sql(where: str = "true") -> int:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM observation o JOIN quarter q ON q.id = o.quarter_id"
                        " WHERE q.slug = :q AND o.layer_id = 'leerstand' AND o.status = "
                        f"'published' AND ({where})"
                    ),
                    {"q": world.quarter},
                ).scalar_one()
            )

    def heat_total(page: Any, expected: int) -> int:
        total = -1
        for _ in range(100):
            settle(page)
            total = sum(p[2] for p in page.evaluate("() => Karte.heatPoints()"))
            if total == expected:
                return total
            page.wait_for_timeout(100)
        return total

    page = make_page().page
    page.goto(f"{live_server.url}/embed/{world.quarter}?layers=leerstand&heat=all")
    settle(page)
    assert settle(page)["leerstand"]["clusters"] > 0  # really clustered at this zoom
    assert page.is_checked("#heat-on")
    assert heat_total(page, sql()) == sql()
    open_sidebar_if_folded(page)
    page.select_option("#heat-kind", "problem")
    assert heat_total(page, sql("o.kind = 'problem'")) == sql("o.kind = 'problem'")
    page.evaluate("() => Karte.setPeriod('2026-05-01', '2026-05-01')")
    day = "o.kind = 'problem' AND o.observed_at::date = '2026-05-01'"
    assert 0 < sql(day) < sql("o.kind = 'problem'")
    assert heat_total(page, sql(day)) == sql(day)
