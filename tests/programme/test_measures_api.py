"""Measures over real HTTP: create, read, change, tree, drafts, cycles, bad input."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import count
from tests.programme.conftest import Programme, assert_refusal, create, measure_body


def test_planner_creates_a_measure_and_the_public_reads_it(http, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    x, y = programme.inside
    made = create(
        http,
        programme,
        geometry={"type": "Point", "coordinates": [x, y]},
        layers=["mobilitaet"],
        dimensions=["sozial"],
        budget=1200.5,
        start_date="2026-03-01",
        end_date="2027-06-30",
        progress=40,
        weight=2,
        responsible="Tiefbauamt",
        reference="2.1",
    )
    assert made["quarters"] == [programme.quarter]
    assert made["phase_label"] == "Planung" and made["status_label"] == "läuft"
    assert made["progress"] == 40 and made["progress_basis"] == "hand" and made["weight"] == 2
    assert made["geometry"]["coordinates"] == pytest.approx([x, y])
    assert made["budget"] == 1200.5 and made["version"] == 1
    public = http.get(f"/api/measures/{made['id']}", params={"lang": "en"}).json()
    assert public["title"] == "Sichere Schulwege" and public["phase_label"] == "Planning"


def test_public_reads_never_see_drafts(http, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    parent = create(http, programme, title="Familie öffentlich")
    draft = create(
        http, programme, title="Entwurf geheim", published=False, parent_id=parent["id"], progress=0
    )
    create(http, programme, title="Kind öffentlich", parent_id=parent["id"], progress=80)
    assert http.get(f"/api/measures/{draft['id']}").status_code == 404
    listed = http.get("/api/measures", params={"quarter": programme.quarter}).json()
    titles = {m["title"] for m in listed["items"]}
    assert "Entwurf geheim" not in titles and "Kind öffentlich" in titles
    tree = http.get("/api/measures/tree", params={"quarter": programme.quarter}).text
    assert "Entwurf geheim" not in tree
    csv_text = http.get("/api/measures/export.csv", params={"quarter": programme.quarter}).text
    assert "Entwurf geheim" not in csv_text and "Kind öffentlich" in csv_text
    # the public figure is recomputable from what the public sees: the draft (0 %) is not in it
    public_parent = http.get(f"/api/measures/{parent['id']}").json()
    assert public_parent["progress"] == 80 and public_parent["children"] == 1
    planner_parent = http.get(f"/api/measures/{parent['id']}", headers=programme.auth()).json()
    assert planner_parent["progress"] == 40 and planner_parent["children"] == 2
    # field teams read as the public does
    field = http.get(f"/api/measures/{draft['id']}", headers=programme.auth("field"))
    assert field.status_code == 404


def test_tree_nests_three_levels_and_parents_compute_progress(http, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    family = create(http, programme, title="Projektfamilie Grün", reference="9")
    project = create(http, programme, title="Projekt Bäume", parent_id=family["id"], weight=3)
    create(http, programme, title="Teil A", parent_id=project["id"], progress=100)
    create(http, programme, title="Teil B", parent_id=project["id"], progress=50, weight=3)
    create(http, programme, title="Teil C (ohne Zahl)", parent_id=project["id"])
    other = create(http, programme, title="Projekt Wiese", parent_id=family["id"], progress=0)
    tree = http.get("/api/measures/tree", params={"quarter": programme.quarter}).json()["items"]
    node = next(n for n in tree if n["id"] == family["id"])
    proj = next(n for n in node["items"] if n["id"] == project["id"])
    assert sorted(c["title"] for c in proj["items"]) == ["Teil A", "Teil B", "Teil C (ohne Zahl)"]
    assert proj["progress"] == pytest.approx(62.5)  # (100 + 3*50) / 4, C has no figure
    assert node["progress"] == pytest.approx(46.9, abs=0.05)  # (3*62.5 + 1*0) / 4
    assert node["progress_basis"] == "children"
    # progress of a parent is computed, not typed
    refused = http.patch(
        f"/api/measures/{project['id']}", json={"progress": 10}, headers=programme.auth()
    )
    assert_refusal(refused, 400, "progress_computed")
    assert other["progress"] == 0


def test_a_cycle_is_refused_in_german_and_english(http, programme: Programme, engine) -> None:  # type: ignore[no-untyped-def]
    a = create(http, programme, title="Ebene A")
    b = create(http, programme, title="Ebene B", parent_id=a["id"])
    c = create(http, programme, title="Ebene C", parent_id=b["id"])
    refused = http.patch(
        f"/api/measures/{a['id']}", json={"parent_id": c["id"]}, headers=programme.auth()
    )
    body = assert_refusal(refused, 400, "measure_cycle")
    assert "Zyklus" in body["message_de"] and "Cycle" in body["message_en"]
    assert "Ebene C" in body["message_de"]
    self_parent = http.patch(
        f"/api/measures/{a['id']}", json={"parent_id": a["id"]}, headers=programme.auth()
    )
    assert_refusal(self_parent, 400, "measure_cycle")
    assert http.get(f"/api/measures/{a['id']}").json()["parent_id"] is None
    # the database refuses it too (a hand-written UPDATE, a concurrent writer)
    with pytest.raises(DBAPIError, match="cycle"), engine.begin() as conn:
        conn.execute(
            text("UPDATE measure SET parent_id = :c WHERE id = :a"), {"c": c["id"], "a": a["id"]}
        )


def test_change_with_version_and_delete(http, programme: Programme, engine) -> None:  # type: ignore[no-untyped-def]
    made = create(http, programme, title="Zu ändern", start_date="2026-01-01")
    url = f"/api/measures/{made['id']}"
    changed = http.patch(
        url,
        json={"version": 1, "phase": "umsetzung", "status": "verzoegert", "geometry": None},
        headers=programme.auth(),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["phase"] == "umsetzung" and changed.json()["version"] == 2
    stale = http.patch(url, json={"version": 1, "title": "alt"}, headers=programme.auth())
    assert_refusal(stale, 409, "version_conflict")
    parent = create(http, programme, title="Mit Kind")
    create(http, programme, title="Kind", parent_id=parent["id"])
    blocked = http.delete(f"/api/measures/{parent['id']}", headers=programme.auth())
    assert_refusal(blocked, 409, "measure_has_children")
    assert http.delete(url, headers=programme.auth()).status_code == 204
    assert count(engine, "measure", f"id = '{made['id']}'") == 0
    assert count(engine, "measure_quarter", f"measure_id = '{made['id']}'") == 0


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"quarters": ["nirgendwo"]}, "unknown_quarter"),
        ({"quarters": []}, "invalid_input"),
        ({"phase": "fertig"}, "invalid_input"),
        ({"status": "läuft"}, "invalid_input"),  # the label is for the UI; the API takes ids
        ({"progress": 101}, "invalid_input"),
        ({"progress": "50"}, "invalid_input"),
        ({"weight": 0}, "invalid_input"),
        ({"budget": -5}, "invalid_input"),
        ({"start_date": "2027-01-01", "end_date": "2026-01-01"}, "end_before_start"),
        ({"layers": ["gibtsnicht"]}, "unknown_layer"),
        ({"dimensions": ["kulturell"]}, "invalid_input"),
        (
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
                }
            },
            "geometry_invalid",
        ),
        ({"geometry": {"type": "Point", "coordinates": [500, 0]}}, "outside_world"),
        ({"parent_id": str(uuid.uuid4())}, "unknown_parent"),
        ({"title": "   "}, "invalid_input"),
        ({"external_id": "mit leerzeichen"}, "invalid_input"),
        ({"colour": "red"}, "invalid_input"),
    ],
    ids=[
        "unknown quarter",
        "no quarter",
        "unknown phase",
        "status label",
        "progress 101",
        "progress as text",
        "weight 0",
        "negative budget",
        "end before start",
        "unknown layer",
        "unknown dimension",
        "bow-tie",
        "outside world",
        "unknown parent",
        "blank title",
        "bad external id",
        "unknown field",
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    http, programme: Programme, engine, overrides, code
) -> None:  # type: ignore[no-untyped-def]
    before = count(engine, "measure")
    refused = http.post(
        "/api/measures", json=measure_body(programme, **overrides), headers=programme.auth()
    )
    assert_refusal(refused, 400, code)
    assert count(engine, "measure") == before


def test_rights(http, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    body = measure_body(programme)
    assert_refusal(http.post("/api/measures", json=body), 401, "token_required")
    field = http.post("/api/measures", json=body, headers=programme.auth("field"))
    assert_refusal(field, 403, "role_forbidden")
    kept = http.post(
        "/api/measures", json=body, headers={"Authorization": f"Bearer {programme.restricted}"}
    )
    assert_refusal(kept, 403, "outside_scope")
    made = create(http, programme)
    taken = http.post(
        "/api/measures", json={**body, "external_id": made["external_id"]}, headers=programme.auth()
    )
    assert_refusal(taken, 409, "external_id_taken")
    assert_refusal(http.get("/api/measures/not-a-uuid"), 400, "invalid_input")
    assert_refusal(http.get(f"/api/measures/{uuid.uuid4()}"), 404, "unknown_measure")


def test_bulk_change_is_all_or_nothing(http, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    one = create(http, programme, title="Bulk 1", start_date="2026-01-01")
    two = create(http, programme, title="Bulk 2", start_date="2026-06-01", status="verzoegert")
    ids = [one["id"], two["id"]]
    done = http.post(
        "/api/measures/bulk",
        json={"ids": ids, "status": "verzoegert", "end_date": "2026-12-31"},
        headers=programme.auth(),
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"selected": 2, "changed": 2, "unchanged": 0}
    again = http.post(
        "/api/measures/bulk", json={"ids": ids, "status": "verzoegert"}, headers=programme.auth()
    )
    assert again.json()["changed"] == 0
    bad = http.post(
        "/api/measures/bulk", json={"ids": ids, "end_date": "2026-03-01"}, headers=programme.auth()
    )
    body = assert_refusal(bad, 400, "end_before_start")
    assert "Bulk 2" in body["message_de"]
    unknown = http.post(
        "/api/measures/bulk",
        json={"ids": [one["id"], str(uuid.uuid4())], "phase": "umsetzung"},
        headers=programme.auth(),
    )
    assert_refusal(unknown, 404, "unknown_measure")
    for mid in ids:
        got = http.get(f"/api/measures/{mid}").json()
        assert got["end_date"] == "2026-12-31" and got["phase"] == "planung"
    empty = http.post("/api/measures/bulk", json={"ids": ids}, headers=programme.auth())
    assert_refusal(empty, 400, "nothing_to_change")


def test_a_quarter_that_is_no_slug_is_refused(http) -> None:  # type: ignore[no-untyped-def]
    for path in ("/api/measures", "/api/measures/export.csv", "/api/measures/tree"):
        assert_refusal(http.get(path, params={"quarter": "÷q譔'"}), 400, "invalid_input")
