"""Indicators per round and the quarter summary grouped by SDG (``gruppe=sdg``), JSON and CSV,
checked against SQL counts over the layers tagged with each goal."""

from __future__ import annotations

import csv
import io

import httpx
from sqlalchemy import Engine, text

from mapservice.catalog import load_catalog
from tests.change.conftest import Scene


def sql_count(engine: Engine, scene: Scene, goal: int, kind: str, year: int) -> int:
    """Published observations of ``year`` on the layers tagged with ``goal``."""
    layers = [layer.id for layer in load_catalog() if goal in layer.sdg]
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM observation o JOIN walkthrough w "
                    "ON w.id = o.walkthrough_id WHERE o.quarter_id = :q AND o.status = "
                    "'published' AND o.kind = :k AND o.layer_id = ANY(:l) "
                    "AND extract(year FROM w.started_at) = :y"
                ),
                {"q": scene.qid, "k": kind, "l": layers, "y": year},
            ).scalar_one()
        )


def test_indicators_grouped_by_sdg_match_sql_and_csv(
    http: httpx.Client, scene: Scene, engine: Engine
) -> None:
    scene.round("2024", "2024-03-01", "2024-06-30")
    scene.round("2026", "2026-03-01", "2026-06-30")
    w24 = scene.walkthrough("2024-04-10T10:00:00+02:00", [(-100, 0), (1500, 0)])
    w26 = scene.walkthrough("2026-04-12T10:00:00+02:00", [(-100, 0), (1500, 0)])
    scene.obs(w24, 0, 0, "Gehweg zugeparkt", rating=-1)  # mobilitaet: 3, 11, 13
    scene.obs(w26, 3, 0, "Gehweg zugeparkt", rating=-1)
    scene.obs(w24, 600, 0, "Schlagloch im Radweg", rating=-2)  # fixed in 2026
    scene.obs(w24, 900, 0, "Schulhof ohne Schatten", layer="bildung")  # 4
    scene.obs(w26, 1200, 0, "Neue Bücherei", kind="strength", rating=2, layer="bildung")
    scene.obs(w26, 1300, 0, "Entwurf", layer="bildung", status="draft")
    r = http.get(f"/api/quarters/{scene.slug}/indicators", params={"gruppe": "sdg"})
    assert r.status_code == 200, r.text
    body = r.json()
    by = {row["round"]: {g["goal"]: g for g in row["sdg"]} for row in body["rounds"]}
    assert set(by["2024"]) == {3, 4, 11, 13}
    for year in (2024, 2026):
        for goal in (3, 4, 11, 13):
            for kind in ("problem", "strength"):
                got = by[str(year)].get(goal, {"counts": {kind: 0}})["counts"][kind]
                assert got == sql_count(engine, scene, goal, kind, year), (year, goal, kind)
    assert by["2024"][11]["counts"]["problem"] == 2
    assert by["2024"][11]["title"] == "Nachhaltige Städte und Gemeinden"
    assert by["2026"][4]["counts"] == {"strength": 1, "problem": 0, "potential": 0, "idea": 0}
    assert by["2026"][4]["mean_rating"] == 2
    (change,) = body["changes"]
    fixed = {g["goal"]: g for g in change["sdg"]}
    assert fixed[11]["problems"] == 2 and fixed[11]["fixed"] == 1
    assert fixed[11]["share_fixed"] == 0.5 == change["layers"]["mobilitaet"]["share_fixed"]
    en = http.get(f"/api/quarters/{scene.slug}/indicators?gruppe=sdg&lang=en").json()
    assert en["rounds"][0]["sdg"][0]["title"] == "Good health and well-being"
    got = http.get(
        f"/api/quarters/{scene.slug}/indicators", params={"gruppe": "sdg", "format": "csv"}
    )
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "-sdg.csv" in got.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert list(rows[0]) == ["round", "indicator", "sdg", "sdg_title", "kind", "value"]
    value = {(r["round"], r["indicator"], r["sdg"], r["kind"]): r["value"] for r in rows}
    assert value[("2024", "count", "11", "problem")] == "2"
    assert value[("2024", "count", "4", "problem")] == "1"
    assert value[("2024-2026", "share_fixed", "11", "problem")] == "0.5"
    plain = http.get(f"/api/quarters/{scene.slug}/indicators").json()
    assert "sdg" not in plain["rounds"][0]
    bad = http.get(f"/api/quarters/{scene.slug}/indicators", params={"gruppe": "ziel"})
    assert bad.status_code in (400, 422)
    assert bad.json()["message_de"] and bad.json()["message_en"]


def test_summary_grouped_by_sdg_sums_the_goal_layers(
    http: httpx.Client, scene: Scene, engine: Engine
) -> None:
    w = scene.walkthrough("2026-04-12T10:00:00+02:00", [(-100, 0), (1500, 0)])
    scene.obs(w, 0, 0, "Gehweg zugeparkt")
    scene.obs(w, 300, 0, "Kein Radweg")
    scene.obs(w, 600, 0, "Schulhof heiß", layer="bildung")
    # (not gruen-freiraum: another test expects that layer's public data to be empty)
    scene.obs(w, 700, 0, "Entsiegelter Hof", layer="umwelt", kind="strength")
    body = http.get(f"/api/quarters/{scene.slug}/summary", params={"gruppe": "sdg"}).json()
    goals = {g["goal"]: g for g in body["sdg"]}
    for goal in (3, 4, 7, 11, 13):
        layers = [layer.id for layer in load_catalog() if goal in layer.sdg]
        with engine.connect() as conn:
            n = conn.execute(
                text(
                    "SELECT count(*) FROM observation WHERE quarter_id = :q AND status = "
                    "'published' AND layer_id = ANY(:l)"
                ),
                {"q": scene.qid, "l": layers},
            ).scalar_one()
        assert goals[goal]["observations"] == n, goal
    assert goals[11]["observations"] == 3 and goals[4]["observations"] == 1
    assert goals[7]["by_kind"]["strength"] == 1 and goals[7]["observations"] == 1
    assert set(goals[11]["layers"]) == {"mobilitaet", "umwelt"}
    assert http.get(f"/api/quarters/{scene.slug}/summary").json()["sdg"] is None
