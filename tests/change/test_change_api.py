"""/api/quarters/{q}/change on constructed rounds in real PostGIS over real HTTP."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine, text

from tests.change.conftest import Scene

TEXT = "Gehweg zugeparkt, Kinderwagen muss auf die Straße"


def _rounds(scene: Scene) -> None:
    scene.round("2024", "2024-03-01", "2024-06-30")
    scene.round("2026", "2026-03-01", "2026-06-30")


def _change(http: httpx.Client, scene: Scene, token: str | None = None, **q: str) -> dict:
    params = {"von": "2024", "bis": "2026", **q}
    headers = scene.auth(token) if token else {}
    r = http.get(f"/api/quarters/{scene.slug}/change", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _classes(body: dict) -> dict[str, str]:
    """observation id → class (a pair gives both of its ids its class)."""
    out = {}
    for p in body["pairs"]:
        out[p["earlier"]["id"]] = out[p["later"]["id"]] = p["class"]
    for s in body["singles"]:
        out[s["observation"]["id"]] = s["class"]
    return out


def _streets(scene: Scene) -> tuple[str, str]:
    """2024 walked two streets (y = 0 and y = 800 m); 2026 only the first one."""
    _rounds(scene)
    w24 = scene.walkthrough("2024-04-10T10:00:00+02:00", [(-100, 0), (1500, 0)])
    w24b = scene.walkthrough("2024-04-11T10:00:00+02:00", [(-100, 800), (1500, 800)])
    w26 = scene.walkthrough("2026-04-12T10:00:00+02:00", [(-100, 0), (1500, 0)])
    return w24 + "," + w24b, w26


def test_unwalked_street_is_not_walked_again_and_classes_follow_ratings(
    http: httpx.Client, scene: Scene
) -> None:
    w24s, w26 = _streets(scene)
    w24, w24b = w24s.split(",")
    fixed = scene.obs(w24, 500, 5, "Bordstein zu hoch an der Haltestelle", rating=-2)
    unwalked = scene.obs(w24b, 500, 805, "Bordstein zu hoch am Kiosk", rating=-2)
    persist_e = scene.obs(w24, 1000, 3, "Ampel schaltet zu schnell für Senioren", rating=-1)
    persist_l = scene.obs(w26, 1008, 0, "Ampel schaltet zu schnell für Seniorinnen", rating=-1)
    better_e = scene.obs(w24, 200, 0, "Radweg endet im Nichts", rating=-2)
    better_l = scene.obs(w26, 205, 2, "Radweg endet im Nichts, jetzt markiert", rating=0)
    worse_e = scene.obs(w24, 1200, 0, "Müll am Glascontainer", rating=-1, layer="umwelt")
    worse_l = scene.obs(w26, 1190, 4, "Viel Müll am Glascontainer", rating=-2, layer="umwelt")
    new = scene.obs(w26, 1300, 0, "Neue Baustelle versperrt den Gehweg", rating=-1)
    gone = scene.obs(w24, 700, 0, "Schöne Bank unter der Linde", rating=2, kind="strength")
    draft = scene.obs(w26, 1400, 0, "Laterne defekt", status="draft")
    body = _change(http, scene)
    got = _classes(body)
    assert got[fixed] == "behoben"  # walked again (5 m from the 2026 track), not seen again
    assert got[unwalked] == "nicht_erneut_begangen"  # 805 m from every 2026 track
    assert got[persist_e] == got[persist_l] == "besteht_weiter"
    assert got[better_e] == got[better_l] == "behoben"  # −2 → 0: clearly better (+2)
    assert got[worse_e] == got[worse_l] == "verschlechtert"
    assert got[new] == "neu"
    assert got[gone] == "nicht_mehr_erfasst"
    assert draft not in got  # the public reads published observations only
    assert body["walked_area"]["source"] == "tracks"
    assert body["walked_area"]["buffer_m"] == 30
    assert body["counts"] == {
        "behoben": 2, "besteht_weiter": 1, "verschlechtert": 1, "neu": 1,
        "nicht_erneut_begangen": 1, "nicht_mehr_erfasst": 1, "nicht_verglichen": 0,
    }  # fmt: skip
    pair = next(p for p in body["pairs"] if p["earlier"]["id"] == persist_e)
    assert 7.5 <= pair["distance_m"] <= 8.6
    assert pair["rating_change"] == 0
    assert pair["earlier"]["first_seen"] == "2024" and pair["later"]["last_seen"] == "2026"
    single = next(s for s in body["singles"] if s["observation"]["id"] == new)
    assert single["observation"]["first_seen"] == "2026"
    planner = _classes(_change(http, scene, scene.planner))
    assert planner[draft] == "neu"  # planners compare every status


def test_without_tracks_the_whole_quarter_counts_as_walked(
    http: httpx.Client, scene: Scene
) -> None:
    _rounds(scene)
    w24 = scene.walkthrough("2024-04-10T10:00:00+02:00", [(-100, 0), (1500, 0)])
    w26 = scene.walkthrough("2026-04-12T10:00:00+02:00")  # no GPS track
    far = scene.obs(w24, 500, 805, "Bordstein zu hoch am Kiosk", rating=-2)
    body = _change(http, scene)
    assert body["walked_area"]["source"] == "quarter"
    assert "keine GPS-Spuren" in body["walked_area"]["note_de"]
    assert "no GPS tracks" in body["walked_area"]["note_en"]
    assert _classes(body)[far] == "behoben"
    assert w26


def _greedy_case(scene: Scene) -> dict[str, str]:
    """B→X and A→Y are right; greedy would take A→X (15 m) and leave Y and B single."""
    _rounds(scene)
    w24 = scene.walkthrough("2024-04-10T10:00:00+02:00", [(-200, 0), (200, 0)])
    w26 = scene.walkthrough("2026-04-12T10:00:00+02:00", [(-200, 0), (200, 0)])
    return {
        "A": scene.obs(w24, 0, 0, TEXT),
        "B": scene.obs(w24, 40, 0, TEXT),
        "X": scene.obs(w26, 15, 0, TEXT),
        "Y": scene.obs(w26, -30, 0, TEXT),
    }


def _pairs(body: dict) -> set[tuple[str, str, bool]]:
    return {(p["earlier"]["id"], p["later"]["id"], p["confirmed"]) for p in body["pairs"]}


def test_global_assignment_through_the_api(http: httpx.Client, scene: Scene) -> None:
    ids = _greedy_case(scene)
    body = _change(http, scene)
    assert _pairs(body) == {(ids["B"], ids["X"], False), (ids["A"], ids["Y"], False)}
    scores = sorted(p["score"] for p in body["pairs"])
    assert abs(scores[0] - 0.70) < 0.005 and abs(scores[1] - 0.75) < 0.005


def test_a_confirmed_match_survives_a_recompute(
    http: httpx.Client, scene: Scene, engine: Engine
) -> None:
    ids = _greedy_case(scene)
    url = f"/api/quarters/{scene.slug}/change/matches"
    pair = {"earlier": ids["A"], "later": ids["X"], "decision": "confirm"}
    assert http.put(url, json=pair).status_code == 401
    refused = http.put(url, json=pair, headers=scene.auth(scene.field))
    assert refused.status_code == 403 and refused.json()["message_en"]
    r = http.put(url, json=pair, headers=scene.auth(scene.planner))
    assert r.status_code == 200, r.text
    first = _change(http, scene)
    assert (ids["A"], ids["X"], True) in _pairs(first)
    assert len(first["pairs"]) == 1  # Y and B have no partner left within reach
    # a new 2026 observation changes the input; the recompute keeps the confirmed pair
    w26 = first["pairs"][0]["later"]["id"]
    with engine.connect() as conn:
        wid = conn.execute(
            text("SELECT walkthrough_id::text FROM observation WHERE id = :i"), {"i": w26}
        ).scalar_one()
    scene.obs(wid, 2, 0, TEXT)
    again = _change(http, scene)
    assert (ids["A"], ids["X"], True) in _pairs(again)
    assert len(again["pairs"]) == 2
    # set a different partner: A → Y replaces A → X
    other = {"earlier": ids["A"], "later": ids["Y"], "decision": "confirm"}
    assert http.put(url, json=other, headers=scene.auth(scene.planner)).status_code == 200
    assert (ids["A"], ids["Y"], True) in _pairs(_change(http, scene))
    stored = http.get(url, headers=scene.auth(scene.planner)).json()["decisions"]
    assert [(d["earlier"], d["later"], d["decision"]) for d in stored] == [
        (ids["A"], ids["Y"], "confirmed")
    ]


def test_a_split_pair_is_never_proposed_again(http: httpx.Client, scene: Scene) -> None:
    ids = _greedy_case(scene)
    url = f"/api/quarters/{scene.slug}/change/matches"
    split = {"earlier": ids["B"], "later": ids["X"], "decision": "split"}
    assert http.put(url, json=split, headers=scene.auth(scene.planner)).status_code == 200
    pairs = _pairs(_change(http, scene))
    assert (ids["B"], ids["X"], False) not in pairs
    assert pairs == {(ids["A"], ids["X"], False)}
    reset = {**split, "decision": "reset"}
    assert http.put(url, json=reset, headers=scene.auth(scene.planner)).status_code == 200
    assert (ids["B"], ids["X"], False) in _pairs(_change(http, scene))


def test_bad_decisions_are_refused_and_nothing_is_written(
    http: httpx.Client, scene: Scene, engine: Engine
) -> None:
    ids = _greedy_case(scene)
    url = f"/api/quarters/{scene.slug}/change/matches"
    auth = scene.auth(scene.planner)
    cases = [
        ({"earlier": ids["X"], "later": ids["A"], "decision": "confirm"}, 400, "pair_order"),
        ({"earlier": ids["A"], "later": ids["A"], "decision": "confirm"}, 400, "same_observation"),
        ({"earlier": ids["A"], "later": ids["B"], "decision": "confirm"}, 400, "pair_order"),
        ({"earlier": ids["A"], "later": "00000000-0000-4000-8000-000000000000",
          "decision": "confirm"}, 404, "unknown_observation"),
    ]  # fmt: skip
    for body, status, code in cases:
        r = http.put(url, json=body, headers=auth)
        assert r.status_code == status, r.text
        assert r.json()["code"] == code
        assert r.json()["message_de"] and r.json()["message_en"]
    r = http.put(url, json={"earlier": ids["A"], "later": ids["X"], "decision": "x"}, headers=auth)
    assert r.status_code in (400, 422) and "message_de" in r.json()
    with engine.connect() as conn:
        n = conn.execute(
            text("SELECT count(*) FROM change_match_decision WHERE quarter_id = :q"),
            {"q": scene.qid},
        ).scalar_one()
    assert n == 0


def test_bad_round_parameters_get_german_and_english_messages(
    http: httpx.Client, scene: Scene
) -> None:
    _rounds(scene)
    base = f"/api/quarters/{scene.slug}/change"
    for params, status, code in [
        ({"von": "2024", "bis": "2024"}, 400, "same_round"),
        ({"von": "2026", "bis": "2024"}, 400, "rounds_reversed"),
        ({"von": "2023", "bis": "2026"}, 404, "unknown_round"),
    ]:
        r = http.get(base, params=params)
        assert r.status_code == status, r.text
        body = r.json()
        assert body["code"] == code and body["message_de"] and body["message_en"]
    r = http.get(base, params={"von": "2023", "bis": "2026"})
    assert "2024, 2026" in r.json()["message_de"] and "known: 2024, 2026" in r.json()["message_en"]
    assert http.get("/api/quarters/nirgendwo/change?von=a&bis=b").status_code == 404
    missing = http.get(base, params={"von": "2024"})
    assert missing.status_code in (400, 422) and "message_en" in missing.json()


def test_counts_equal_sql_counts(http: httpx.Client, scene: Scene, engine: Engine) -> None:
    w24s, w26 = _streets(scene)
    w24, w24b = w24s.split(",")
    for k in range(12):
        scene.obs(w24, 100 * k, 0, f"Problem Nummer {k} am Weg", rating=-1)
        if k % 3:
            scene.obs(w26, 100 * k + 3, 1, f"Problem Nummer {k} am Weg", rating=k % 2 - 1)
        scene.obs(w24b, 100 * k, 800, f"Anderes {k}", status="published" if k % 2 else "review")
    scene.obs(w26, 1450, 0, "Ganz neu", status="draft")
    body = _change(http, scene)
    sql = """SELECT count(*) FROM observation o JOIN walkthrough w ON w.id = o.walkthrough_id
             WHERE o.quarter_id = :q AND o.status = 'published' AND w.started_at::date
             BETWEEN CAST(:f AS date) AND CAST(:t AS date)"""
    with engine.connect() as conn:
        n24 = conn.execute(text(sql), {"q": scene.qid, "f": "2024-03-01", "t": "2024-06-30"})
        n24 = n24.scalar_one()
        n26 = conn.execute(text(sql), {"q": scene.qid, "f": "2026-03-01", "t": "2026-06-30"})
        n26 = n26.scalar_one()
    assert body["observations"] == {"2024": n24, "2026": n26} == {"2024": 18, "2026": 8}
    counts = body["counts"]
    earlier_singles = sum(1 for s in body["singles"] if s["round"] == "2024")
    assert len(body["pairs"]) + earlier_singles == n24
    assert len(body["pairs"]) + counts["neu"] == n26
    assert sum(counts.values()) == n24 + n26 - len(body["pairs"])
    assert counts["nicht_erneut_begangen"] == 6  # the published ones on the street not walked
    assert sum(sum(row.values()) for row in body["counts_by_layer"].values()) == sum(
        counts.values()
    )
