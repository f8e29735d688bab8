"""Planners check the matcher in the workspace (/planung/veraenderung), and the change map
names the measures that answer a problem — in real PostGIS, over HTTP and in Chromium."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.browser.axe import assert_accessible
from tests.change.conftest import Scene
from tests.workspace.conftest import wait_ready, with_token


def _two_rounds(scene: Scene) -> dict[str, str]:
    """2024: A, B, C; 2026: A', B' (the matcher pairs them) and D (70 m from C: "neu")."""
    scene.round("2024", "2024-03-01", "2024-06-30")
    scene.round("2026", "2026-03-01", "2026-06-30")
    w24 = scene.walkthrough("2024-04-10T10:00:00+02:00", [(-100, 0), (1500, 0)])
    w26 = scene.walkthrough("2026-04-12T10:00:00+02:00", [(-100, 0), (1500, 0)])
    return {
        "a": scene.obs(w24, 0, 0, "Schlagloch Ecke Marktstraße"),
        "a2": scene.obs(w26, 8, 0, "Schlagloch an der Marktstraße"),
        "b": scene.obs(w24, 500, 0, "Ampel zu kurz am Bahnhof"),
        "b2": scene.obs(w26, 505, 4, "Ampel zu kurz beim Bahnhof"),
        "c": scene.obs(w24, 1000, 0, "Müll am Spielplatz"),
        "d": scene.obs(w26, 1070, 0, "Spielplatz vermüllt"),
    }


def _measure(engine: Engine, scene: Scene, oid: str, *, published: bool) -> str:
    mid = str(uuid.uuid4())
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO measure (id, external_id, reference, title, phase, status, progress,"
                " published) VALUES (:id, :x, 'T-1', 'Gehwege sanieren', 'umsetzung', 'laeuft',"
                " 40, :p)"
            ),
            {"id": mid, "x": f"T-{mid[:8]}", "p": published},
        )
        conn.execute(
            text("INSERT INTO measure_quarter (measure_id, quarter_id) VALUES (:m, :q)"),
            {"m": mid, "q": scene.qid},
        )
        conn.execute(
            text(
                "INSERT INTO measure_link (measure_id, observation_id, quarter_id, reason) "
                "VALUES (:m, :o, :q, 'antwortet')"
            ),
            {"m": mid, "o": oid, "q": scene.qid},
        )
    return mid


def _entry_measures(body: dict) -> dict[str, list[str]]:
    """observation id → ids of the measures its entry names."""
    out: dict[str, list[str]] = {}
    for p in body["pairs"]:
        ids = [m["id"] for m in p["measures"]]
        out[p["earlier"]["id"]] = out[p["later"]["id"]] = ids
    for s in body["singles"]:
        out[s["observation"]["id"]] = [m["id"] for m in s["measures"]]
    return out


def test_the_change_names_the_measures_that_answer_a_problem(
    http: httpx.Client, scene: Scene, engine: Engine
) -> None:
    o = _two_rounds(scene)
    public = _measure(engine, scene, o["a"], published=True)
    draft = _measure(engine, scene, o["c"], published=False)
    url = f"/api/quarters/{scene.slug}/change?von=2024&bis=2026"
    seen = _entry_measures(http.get(url).json())
    assert seen[o["a"]] == seen[o["a2"]] == [public]  # the pair carries it on both sides
    assert seen[o["c"]] == [] and seen[o["b"]] == []  # a draft measure is not public
    planner = http.get(url, headers=scene.auth(scene.planner)).json()
    entry = next(s for s in planner["singles"] if s["observation"]["id"] == o["c"])
    assert [m["id"] for m in entry["measures"]] == [draft]
    m = entry["measures"][0]
    assert (m["phase_label"], m["status_label"], m["progress"]) == ("Umsetzung", "läuft", 40)
    english = http.get(url + "&lang=en", headers=scene.auth(scene.planner)).json()
    m = next(s for s in english["singles"] if s["observation"]["id"] == o["c"])["measures"][0]
    assert (m["phase_label"], m["status_label"]) == ("Implementation", "on track")


def _rows(page: Any, table: str) -> Any:
    return page.locator(f"#{table} tbody tr[data-later]")


def _wait_reload(page: Any, before: str | None) -> str:
    page.wait_for_function(
        "(b) => document.documentElement.dataset.changeLoaded &&"
        " document.documentElement.dataset.changeLoaded !== b",
        arg=before or "",
        timeout=15_000,
    )
    return page.evaluate("() => document.documentElement.dataset.changeLoaded")


@pytest.mark.parametrize("width", [1280, 768])
def test_planners_confirm_split_and_join_pairs_in_the_workspace(
    make_page: Any, live_server: Any, http: httpx.Client, scene: Scene, width: int
) -> None:
    o = _two_rounds(scene)
    watched = with_token(make_page(width), scene.planner)
    page = watched.page
    page.goto(f"{live_server.url}/planung/veraenderung?quarter={scene.slug}")
    assert wait_ready(page) == "ready"
    loaded = _wait_reload(page, None)
    assert page.locator("#wc-von").input_value() == "2024"
    assert page.locator("#wc-bis").input_value() == "2026"
    assert _rows(page, "wc-pairs").count() == 2
    assert page.locator("#wc-new-n").inner_text() == "1"
    assert page.locator("#ws-nav-veraenderung").get_attribute("aria-current") == "page"
    assert_accessible(page)

    # confirm A→A' by keyboard
    pair_a = page.locator(f"#wc-pairs tr[data-earlier='{o['a']}']")
    pair_a.get_by_role("button", name="Paar bestätigen: Schlagloch Ecke Marktstraße").focus()
    page.keyboard.press("Enter")
    loaded = _wait_reload(page, loaded)
    assert "bestätigt" in page.locator(f"#wc-pairs tr[data-earlier='{o['a']}']").inner_text()

    # split B→B': no longer a pair, listed as split, B' is now "neu"
    page.locator(f"#wc-pairs tr[data-earlier='{o['b']}']").get_by_role(
        "button", name="Paar trennen: Ampel zu kurz am Bahnhof → Ampel zu kurz beim Bahnhof"
    ).click()
    loaded = _wait_reload(page, loaded)
    assert _rows(page, "wc-pairs").count() == 1
    assert _rows(page, "wc-split").count() == 1
    assert page.locator("#wc-new-n").inner_text() == "2"

    # join D to C (70 m apart, beyond the layer's 50 m): the nearest earlier one is offered first
    row_d = page.locator(f"#wc-new tr[data-later='{o['d']}']")
    select = row_d.locator("select")
    assert select.locator("option").first.get_attribute("value") == o["c"]
    assert "70 m" in select.locator("option").first.inner_text()
    select.select_option(o["c"])
    join = "Mit früherer Beobachtung verbinden: Spielplatz vermüllt"
    row_d.get_by_role("button", name=join).click()
    loaded = _wait_reload(page, loaded)
    assert page.locator(f"#wc-pairs tr[data-earlier='{o['c']}'][data-later='{o['d']}']").count()

    stored = http.get(
        f"/api/quarters/{scene.slug}/change/matches", headers=scene.auth(scene.planner)
    ).json()["decisions"]
    got = {(d["earlier"], d["later"], d["decision"]) for d in stored}
    assert got == {
        (o["a"], o["a2"], "confirmed"),
        (o["b"], o["b2"], "split"),
        (o["c"], o["d"], "confirmed"),
    }
    # the public comparison follows the planners' decisions
    body = http.get(f"/api/quarters/{scene.slug}/change?von=2024&bis=2026").json()
    pairs = {(p["earlier"]["id"], p["later"]["id"]): p["confirmed"] for p in body["pairs"]}
    assert pairs == {(o["a"], o["a2"]): True, (o["c"], o["d"]): True}

    # reset the split: the matcher proposes B→B' again
    page.locator("#wc-split tbody tr").get_by_role("button").click()
    _wait_reload(page, loaded)
    assert _rows(page, "wc-split").count() == 0
    assert _rows(page, "wc-pairs").count() == 3
    assert_accessible(page)
    assert watched.console_errors == []


def test_the_workspace_change_page_in_english_and_its_errors(
    make_page: Any, live_server: Any, scene: Scene
) -> None:
    scene.round("2024", "2024-03-01", "2024-06-30")  # one round only: nothing to compare
    watched = with_token(make_page(1280), scene.planner)
    page = watched.page
    page.goto(f"{live_server.url}/planung/veraenderung?quarter={scene.slug}&lang=en")
    assert wait_ready(page) == "ready"
    error = page.locator("#wc-error")
    error.wait_for(timeout=15_000)
    assert "fewer than two rounds" in error.inner_text()
    assert page.locator("#wc-load").inner_text() == "Compare"
    assert_accessible(page)


def test_field_accounts_get_no_access_to_the_change_page(
    make_page: Any, live_server: Any, scene: Scene, http: httpx.Client
) -> None:
    watched = with_token(make_page(1280), scene.field)
    page = watched.page
    page.goto(f"{live_server.url}/planung/veraenderung")
    assert wait_ready(page) == "no-access"
    assert page.locator("#ws-noaccess").is_visible()
    r = http.get(f"/api/quarters/{scene.slug}/change/matches", headers=scene.auth(scene.field))
    assert r.status_code == 403


def test_the_quarter_map_links_to_its_change_map_once_walked_twice(
    http: httpx.Client, scene: Scene, demo_loaded: dict
) -> None:
    page = http.get("/maps/bochum-hamme").text
    link = page.split('id="change-link" href="')[1].split('"')[0]
    assert link == "/maps/bochum-hamme/veraenderung?von=2024&amp;bis=2026"
    assert "Was hat sich verändert? Runden 2024 → 2026" in page
    english = http.get("/maps/bochum-hamme?lang=en").text
    assert "What has changed? Rounds 2024 → 2026" in english
    assert http.get(link.replace("&amp;", "&")).status_code == 200
    assert 'id="change-link"' not in http.get("/embed/bochum-hamme").text
    scene.round("2024", "2024-03-01", "2024-06-30")  # one round: nothing to compare yet
    assert 'id="change-link"' not in http.get(f"/maps/{scene.slug}").text
