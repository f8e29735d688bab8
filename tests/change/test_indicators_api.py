"""Indicators per round (JSON and CSV) checked against SQL counts."""

from __future__ import annotations

import csv
import io

import httpx
from sqlalchemy import Engine, text

from tests.change.conftest import Scene


def test_indicators_per_round_match_sql_and_csv(
    http: httpx.Client, scene: Scene, engine: Engine
) -> None:
    scene.round("2024", "2024-03-01", "2024-06-30")
    scene.round("2026", "2026-03-01", "2026-06-30")
    w24 = scene.walkthrough("2024-04-10T10:00:00+02:00", [(-100, 0), (1500, 0)])
    w24b = scene.walkthrough("2024-04-11T10:00:00+02:00", [(-100, 800), (1500, 800)])
    w26 = scene.walkthrough("2026-04-12T10:00:00+02:00", [(-100, 0), (1500, 0)])
    # mobilitaet: 4 problems walked again, 1 persists, 3 not found again (fixed); 1 unwalked
    scene.obs(w24, 0, 0, "Gehweg zugeparkt an der Schule", rating=-1)
    scene.obs(w26, 4, 0, "Gehweg zugeparkt an der Schule", rating=-1)
    for k in range(3):
        scene.obs(w24, 300 + 300 * k, 0, f"Schlagloch {k} im Radweg", rating=-2)
    scene.obs(w24b, 500, 800, "Bordstein zu hoch", rating=-2)
    # umwelt: a problem matched with a clearly better rating (−2 → +1)
    scene.obs(w24, 1400, 0, "Müll am Glascontainer", rating=-2, layer="umwelt")
    scene.obs(w26, 1395, 3, "Müll am Glascontainer beseitigt", rating=1, layer="umwelt")
    scene.obs(w26, 1200, 0, "Neue Bank am Platz", rating=2, kind="strength", layer="umwelt")
    scene.obs(w26, 1250, 0, "Entwurf", status="draft")
    r = http.get(f"/api/quarters/{scene.slug}/indicators")
    assert r.status_code == 200, r.text
    body = r.json()
    by = {row["round"]: row for row in body["rounds"]}
    with engine.connect() as conn:
        sql = """SELECT count(*) FROM observation o JOIN walkthrough w ON w.id = o.walkthrough_id
                 WHERE o.quarter_id = :q AND o.status = 'published' AND o.kind = :k
                 AND o.layer_id = :l AND extract(year FROM w.started_at) = :y"""

        def n(kind: str, layer: str, year: int) -> int:
            params = {"q": scene.qid, "k": kind, "l": layer, "y": year}
            return int(conn.execute(text(sql), params).scalar_one())

        assert by["2024"]["counts"]["ökonomisch"]["problem"] == 0
        eco = "ökologisch"  # both layers of this test
        sql24 = n("problem", "mobilitaet", 2024) + n("problem", "umwelt", 2024)
        assert by["2024"]["counts"][eco]["problem"] == sql24 == 6
        sql26 = n("problem", "mobilitaet", 2026) + n("problem", "umwelt", 2026)
        assert by["2026"]["counts"][eco]["problem"] == sql26 == 2
        assert by["2026"]["counts"][eco]["strength"] == n("strength", "umwelt", 2026) == 1
    assert by["2024"]["walkthroughs"] == 2 and by["2026"]["walkthroughs"] == 1
    assert by["2024"]["participants"] == {
        "residents": 6, "multipliers": 0, "experts": 2, "administration": 0
    }  # fmt: skip
    assert by["2024"]["mean_rating"] == round((-1 - 2 * 3 - 2 - 2) / 6, 2)
    assert by["2026"]["observations"] == 3  # the draft is not public
    (c,) = body["changes"]
    assert c["layers"]["mobilitaet"] == {
        "problems": 4, "fixed": 3, "not_walked": 1, "share_fixed": 0.75
    }  # fmt: skip
    assert c["layers"]["umwelt"]["share_fixed"] == 1.0
    assert c["share_fixed"] == 0.8
    assert c["mean_rating_change"] == 1.5  # (0 + 3) / 2
    got = http.get(f"/api/quarters/{scene.slug}/indicators", params={"format": "csv"})
    assert got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(got.text)))
    value = {(r["round"], r["indicator"], r["dimension"], r["kind"], r["layer"]): r["value"]
             for r in rows}  # fmt: skip
    assert value[("2024", "count", eco, "problem", "")] == "6"
    assert value[("2024-2026", "share_fixed", "", "problem", "mobilitaet")] == "0.75"
    assert value[("2024-2026", "mean_rating_change", "", "", "")] == "1.5"
    assert value[("2026", "participants_residents", "", "", "")] == "3"
    bad = http.get(f"/api/quarters/{scene.slug}/indicators", params={"format": "xls"})
    assert bad.status_code in (400, 422) and bad.json()["message_de"]


def test_the_summary_carries_the_figures_per_round_as_a_time_series(
    http: httpx.Client, demo_loaded: dict
) -> None:
    summary = http.get("/api/quarters/bochum-hamme/summary").json()
    ind = http.get("/api/quarters/bochum-hamme/indicators").json()
    assert [r["round"] for r in summary["over_time"]] == ["2024", "2026"]
    assert summary["over_time"] == ind["rounds"]
    assert all(r["observations"] > 0 for r in summary["over_time"])
