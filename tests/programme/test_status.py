"""The Umsetzungsstand in the summary API matches a count in SQL, per viewer."""

from __future__ import annotations

from sqlalchemy import text

from tests.programme.conftest import Programme, create

SQL = """
SELECT count(*) AS total,
       count(*) FILTER (WHERE m.phase = 'umsetzung'
                          AND m.status NOT IN ('abgebrochen', 'erledigt')) AS started,
       count(*) FILTER (WHERE m.phase = 'abgeschlossen' OR m.status = 'erledigt') AS done,
       count(*) FILTER (WHERE m.phase = 'planung') AS planung,
       count(*) FILTER (WHERE m.status = 'verzoegert') AS verzoegert
  FROM measure m JOIN measure_quarter mq ON mq.measure_id = m.id
  JOIN quarter q ON q.id = mq.quarter_id
 WHERE q.slug = :q AND (m.published OR :all)
"""


def _check(http, engine, slug: str, headers: dict) -> dict:  # type: ignore[no-untyped-def]
    got = http.get(f"/api/quarters/{slug}/summary", headers=headers).json()["implementation"]
    with engine.connect() as conn:
        row = conn.execute(text(SQL), {"q": slug, "all": bool(headers)}).one()
    assert got["measures"] == row.total
    assert (got["started"], got["done"]) == (row.started, row.done)
    phases = {p["id"]: p["measures"] for p in got["phases"]}
    statuses = {s["id"]: s["measures"] for s in got["statuses"]}
    assert phases["planung"] == row.planung and statuses["verzoegert"] == row.verzoegert
    assert sum(phases.values()) == sum(statuses.values()) == row.total
    share = round((row.started + row.done) / row.total, 3) if row.total else None
    assert got["share_started_or_done"] == share
    return got


def test_hamme_umsetzungsstand_matches_sql(http, engine, demo_loaded, team) -> None:  # type: ignore[no-untyped-def]
    public = _check(http, engine, "bochum-hamme", {})
    planner = _check(http, engine, "bochum-hamme", {"Authorization": f"Bearer {team.planner}"})
    assert public["measures"] >= 20 and planner["measures"] == public["measures"] + 1
    assert 0 < public["share_started_or_done"] < 1
    labels = {p["id"]: p["label"] for p in public["phases"]}
    assert labels["abgeschlossen"] == "abgeschlossen"
    english = http.get("/api/quarters/bochum-hamme/summary", params={"lang": "en"}).json()
    statuses = {s["id"]: s["label"] for s in english["implementation"]["statuses"]}
    assert statuses["laeuft"] == "on track"


def test_drafts_count_for_planners_only(http, engine, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    create(http, programme, phase="umsetzung", status="laeuft")
    create(http, programme, phase="abgeschlossen", status="erledigt")
    create(http, programme, phase="umsetzung", status="abgebrochen")
    create(http, programme, phase="umsetzung", status="laeuft", published=False)
    public = _check(http, engine, programme.quarter, {})
    planner = _check(http, engine, programme.quarter, programme.auth())
    assert planner["measures"] == public["measures"] + 1
