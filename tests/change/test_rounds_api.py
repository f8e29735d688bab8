"""Rounds: created by planners, walkthroughs assigned by hand or by date, bad input refused."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine, text

from tests.change.conftest import Scene


def _rows(engine: Engine, scene: Scene) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM walk_round WHERE quarter_id = :q"), {"q": scene.qid}
            ).scalar_one()
        )


def test_rounds_are_created_and_walkthroughs_assigned(
    http: httpx.Client, scene: Scene, engine: Engine
) -> None:
    url = f"/api/quarters/{scene.slug}/rounds"
    auth = scene.auth(scene.planner)
    in_2024 = scene.walkthrough("2024-04-10T10:00:00+02:00")
    late_2024 = scene.walkthrough("2024-09-02T10:00:00+02:00")  # outside the period
    scene.walkthrough("2026-04-12T10:00:00+02:00")
    body = {"label": "2024", "period_from": "2024-03-01", "period_to": "2024-06-30"}
    r = http.post(url, json=body, headers=auth)
    assert r.status_code == 201, r.text
    assert r.json() == {
        "label": "2024", "period_from": "2024-03-01", "period_to": "2024-06-30",
        "walkthroughs": 1, "assigned_by_planner": 0,
    }  # fmt: skip
    listed = http.get(url).json()  # the public reads rounds
    assert listed["walkthroughs_without_round"] == 2
    put = http.put(f"{url}/2024/walkthroughs", json={"walkthroughs": [late_2024]}, headers=auth)
    assert put.status_code == 200, put.text
    row = put.json()["rounds"][0]
    assert (row["walkthroughs"], row["assigned_by_planner"]) == (2, 1)
    assert put.json()["walkthroughs_without_round"] == 1
    with engine.connect() as conn:
        got = conn.execute(
            text("SELECT round_id IS NOT NULL FROM walkthrough WHERE id = :i"), {"i": late_2024}
        ).scalar_one()
    assert got is True
    back = http.put(f"{url}/-/walkthroughs", json={"walkthroughs": [late_2024]}, headers=auth)
    assert back.json()["rounds"][0]["walkthroughs"] == 1
    assert http.delete(f"{url}/2024").status_code == 401
    assert http.delete(f"{url}/2024", headers=scene.auth(scene.field)).status_code == 403
    gone = http.delete(f"{url}/2024", headers=auth)
    assert gone.status_code == 200 and gone.json()["rounds"] == []
    assert gone.json()["walkthroughs_without_round"] == 3  # the walkthroughs stay
    assert http.delete(f"{url}/2024", headers=auth).json()["code"] == "unknown_round"
    assert in_2024


def test_bad_rounds_are_refused_in_both_languages_and_nothing_written(
    http: httpx.Client, scene: Scene, engine: Engine
) -> None:
    url = f"/api/quarters/{scene.slug}/rounds"
    auth = scene.auth(scene.planner)
    ok = {"label": "2024", "period_from": "2024-03-01", "period_to": "2024-06-30"}
    assert http.post(url, json=ok, headers=auth).status_code == 201
    wid = scene.walkthrough("2026-04-12T10:00:00+02:00")
    cases = [
        ({**ok, "label": "20 24"}, 400, "invalid_round_label"),
        ({**ok, "label": "2026", "period_to": "2026-01-01", "period_from": "2026-03-01"},
         400, "invalid_round_period"),
        (ok, 409, "round_exists"),
        ({**ok, "label": "2024b", "period_from": "2024-06-01", "period_to": "2024-12-31"},
         409, "round_overlap"),
        ({"label": "2026", "period_from": "2026-01-01", "period_to": "2026-12-31",
          "walkthroughs": [wid, "00000000-0000-4000-8000-000000000000"]},
         404, "unknown_walkthrough"),
    ]  # fmt: skip
    for body, status, code in cases:
        r = http.post(url, json=body, headers=auth)
        assert r.status_code == status, r.text
        assert r.json()["code"] == code
        assert r.json()["message_de"] and r.json()["message_en"]
    assert _rows(engine, scene) == 1  # the refused 2026 round was not half-written
    assert http.post(url, json={**ok, "label": "x"}).status_code == 401
    assert (
        http.post(url, json={**ok, "label": "x"}, headers=scene.auth(scene.field)).status_code
        == 403
    )
    r = http.put(f"{url}/1999/walkthroughs", json={"walkthroughs": [wid]}, headers=auth)
    assert r.status_code == 404 and r.json()["code"] == "unknown_round"
    r = http.post(url, json={"label": "2030"}, headers=auth)
    assert r.status_code in (400, 422) and r.json()["message_en"]
    assert http.get("/api/quarters/nirgendwo/rounds").json()["code"] == "unknown_quarter"
