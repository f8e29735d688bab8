"""The demo's two rounds of Hamme: the matcher finds the planted answer."""

from __future__ import annotations

import json

import httpx

from mapservice.config import REPO_ROOT

TRUTH = json.loads((REPO_ROOT / "data/demo/round2024_truth.json").read_text(encoding="utf-8"))


def test_planted_pairs_are_found_and_unwalked_streets_not_called_fixed(
    http: httpx.Client, demo_loaded: dict[str, int]
) -> None:
    r = http.get("/api/quarters/bochum-hamme/change", params={"von": "2024", "bis": "2026"})
    assert r.status_code == 200, r.text
    body = r.json()
    pairs = {p["earlier"]["id"]: p for p in body["pairs"]}
    singles = {s["observation"]["id"]: s for s in body["singles"]}
    planted = [t for t in TRUTH["planted"] if t["partner"]]
    found = [
        t for t in planted if t["id"] in pairs and pairs[t["id"]]["later"]["id"] == t["partner"]
    ]
    assert len(found) / len(planted) >= 0.9, (len(found), len(planted))
    ours = [p for e, p in pairs.items() if e in {t["id"] for t in TRUTH["planted"]}]
    wrong = [p for p in ours if p not in [pairs[t["id"]] for t in found]]
    assert len(wrong) / len(ours) <= 0.05
    right_class = 0
    for t in TRUTH["planted"]:
        got = pairs[t["id"]]["class"] if t["id"] in pairs else singles[t["id"]]["class"]
        right_class += got == t["class"]
        if t["class"] == "nicht_erneut_begangen":
            assert got == "nicht_erneut_begangen"  # an unwalked street is never "fixed"
    assert right_class / len(TRUTH["planted"]) >= 0.9
    counts = body["counts"]
    assert counts["behoben"] >= 10 and counts["besteht_weiter"] >= 10
    assert counts["neu"] >= 10 and counts["nicht_erneut_begangen"] >= 3
    rounds = http.get("/api/quarters/bochum-hamme/rounds").json()["rounds"]
    assert [r["label"] for r in rounds] == ["2024", "2026"]
    # 2026 is the current year of other tests too (the browser tests walk Hamme): at least 6
    assert rounds[0]["walkthroughs"] == 7 and rounds[1]["walkthroughs"] >= 6
    print(
        f"demo Hamme 2024→2026: {len(found)}/{len(planted)} planted pairs found, "
        f"{len(wrong)} wrong of {len(ours)}, classes right {right_class}/{len(TRUTH['planted'])},"
        f" counts {counts}"
    )


def test_demo_load_twice_keeps_the_rounds(engine, settings, demo_loaded) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from mapservice.capture.demo import load_demo

    assert load_demo(engine, settings) == demo_loaded
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.label, r.synthetic FROM walk_round r JOIN quarter q ON q.id = "
                "r.quarter_id WHERE q.slug = 'bochum-hamme' ORDER BY r.label"
            )
        ).all()
    assert [tuple(r) for r in rows] == [("2024", True), ("2026", True)]
