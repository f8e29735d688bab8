"""The moderation queue over real HTTP and PostGIS: states, refusals, rights, bulk actions and
pending revisions of published entries (the public keeps the published version)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.workspace.conftest import Member, WorkspaceTeam, add_member
from tests.workspace.freigabe_fixtures import (
    Area,
    assert_error,
    events,
    geojson,
    insert_finding,
    make_area,
    ogc_titles,
    post_obs,
    publish,
    tile_titles,
)


@pytest.fixture(scope="module")
def area(engine: Engine, live_server) -> Area:  # type: ignore[no-untyped-def]
    return make_area(engine, 0)


def queue(http: httpx.Client, member: Member, **params: object) -> dict:
    r = http.get("/api/review", params={"limit": 1000, **params}, headers=member.auth)
    assert r.status_code == 200, r.text
    return r.json()


def test_queue_lists_observations_and_findings_and_counts_agree(
    http: httpx.Client, engine: Engine, workspace_team: WorkspaceTeam
) -> None:
    area = make_area(engine, 1)
    field, planner = workspace_team.field, workspace_team.planner
    a = post_obs(http, field, area, 1)
    post_obs(http, field, area, 2, layer="umwelt", kind="idea")
    post_obs(http, field, area, 3, status="draft")  # a draft is not waiting
    fid = insert_finding(engine, area, 4, "Mehr Bänke am Platz", ["mobilitaet", "gemeinwesen"])
    listed = queue(http, planner, quarter=area.slug)
    assert listed["total"] == 3
    by_id = {i["id"]: i for i in listed["items"]}
    assert by_id[a]["type"] == "observation" and by_id[a]["state"] == "review"
    assert by_id[fid]["type"] == "finding" and by_id[fid]["layers"] == ["mobilitaet", "gemeinwesen"]
    assert queue(http, planner, quarter=area.slug, layer="mobilitaet")["total"] == 2
    assert queue(http, planner, quarter=area.slug, kind="idea")["total"] == 2
    assert queue(http, planner, quarter=area.slug, type="finding")["total"] == 1
    assert queue(http, planner, quarter=area.slug, author=field.name)["total"] == 2
    assert queue(http, planner, quarter=area.slug, until="2000-01-01")["total"] == 0
    counts = http.get("/api/review/counts", headers=planner.auth).json()
    mine = counts["quarters"][area.slug]
    assert (mine["observations"], mine["findings"], mine["waiting"]) == (2, 1, 3)
    assert mine["layers"]["mobilitaet"]["waiting"] == 2
    assert mine["layers"]["gemeinwesen"]["findings"] == 1
    summary = http.get("/api/workspace/summary", headers=planner.auth).json()
    row = next(q for q in summary["quarters"] if q["slug"] == area.slug)
    assert row["waiting"] == 3 and summary["total"]["waiting"] == counts["total"]["waiting"]
    bad = http.get("/api/review", params={"state": "bogus"}, headers=planner.auth)
    assert_error(bad, 400, "invalid_filter")


def test_state_machine_with_required_comments_and_history(
    http: httpx.Client, engine: Engine, area: Area, workspace_team: WorkspaceTeam
) -> None:
    field, planner = workspace_team.field, workspace_team.planner
    oid = post_obs(http, field, area, 10)
    url = f"/api/review/observation/{oid}/decision"
    for action in ("reject", "request_changes"):
        body = assert_error(
            http.post(url, json={"action": action, "note": "  "}, headers=planner.auth),
            400, "note_required",
        )  # fmt: skip
        assert "Kommentar" in body["message_de"] and "comment" in body["message_en"]
    assert events(engine, oid) == []
    assert_error(http.post(url, json={"action": "publish"}, headers=field.auth), 403,
                 "role_forbidden")  # fmt: skip
    assert_error(http.get("/api/review", headers=field.auth), 403, "role_forbidden")
    assert_error(http.get("/api/review"), 401, "token_required")
    asked = http.post(url, json={"action": "request_changes", "note": "Foto fehlt"},
                      headers=planner.auth)  # fmt: skip
    assert asked.status_code == 200 and asked.json()["state"] == "changes_requested"
    again = http.post(url, json={"action": "request_changes", "note": "x"}, headers=planner.auth)
    assert_error(again, 409, "transition_forbidden")
    # the field team sees the note and resends with a fix
    states = http.get("/api/review/mine", params={"ids": oid}, headers=field.auth).json()
    assert [(s["state"], s["note"]) for s in states] == [("changes_requested", "Foto fehlt")]
    fixed = http.patch(f"/api/observations/{oid}", json={"title": "Mit Foto", "version": 2},
                       headers=field.auth)  # fmt: skip
    assert fixed.status_code == 200 and fixed.json()["status"] == "review", fixed.text
    rejected = http.post(url, json={"action": "reject", "note": "Doppelt erfasst"},
                         headers=planner.auth)  # fmt: skip
    assert rejected.json()["state"] == "rejected"
    assert events(engine, oid) == [
        ("review", "changes_requested", "Foto fehlt"),
        ("changes_requested", "review", ""),
        ("review", "rejected", "Doppelt erfasst"),
    ]
    history = http.get(f"/api/review/observation/{oid}", headers=planner.auth).json()["history"]
    assert [h["account"] for h in history] == ["Test planner", "Test field", "Test planner"]
    states = http.get("/api/review/mine", params={"ids": oid}, headers=field.auth).json()
    assert states[0]["state"] == "rejected" and states[0]["note"] == "Doppelt erfasst"
    assert http.get(f"/api/observations/{oid}").status_code == 404


def test_a_change_to_a_published_entry_waits_while_the_public_keeps_the_published_version(
    http: httpx.Client, engine: Engine, area: Area, workspace_team: WorkspaceTeam
) -> None:
    field, planner = workspace_team.field, workspace_team.planner
    oid = post_obs(http, field, area, 20, title="Alter Titel")
    publish(http, planner, oid)
    where = area.point(20)
    assert tile_titles(http, "mobilitaet", where)[oid] == "Alter Titel"
    moved = [where[0] + 0.0001, where[1] + 0.0001]
    patch = {"title": "Neuer Titel", "geometry": {"type": "Point", "coordinates": moved},
             "version": 2}  # fmt: skip
    r = http.patch(f"/api/observations/{oid}", json=patch, headers=field.auth)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "published" and r.json()["pending"]["state"] == "review"
    # public outputs: the published version
    public = http.get(f"/api/observations/{oid}").json()
    assert public["title"] == "Alter Titel" and public["geometry"]["coordinates"] == where
    assert tile_titles(http, "mobilitaet", where)[oid] == "Alter Titel"
    assert ogc_titles(http, "mobilitaet", area)[oid] == "Alter Titel"
    export = http.get(f"/api/exports/{area.slug}/alle.geojson")
    if export.status_code == 200:
        titles = {str(f["properties"].get("id")): f["properties"].get("title")
                  for f in export.json()["features"]}  # fmt: skip
        assert titles[oid] == "Alter Titel"
    # the queue shows the proposal
    item = next(i for i in queue(http, planner, quarter=area.slug)["items"] if i["id"] == oid)
    assert item["pending_revision"] and item["title"] == "Neuer Titel"
    detail = http.get(f"/api/review/observation/{oid}", headers=planner.auth).json()
    assert detail["title"] == "Alter Titel" and detail["state"] == "review"
    assert detail["pending"]["changes"]["title"] == "Neuer Titel"
    assert detail["pending"]["changes"]["geometry"]["coordinates"] == moved
    publish(http, planner, oid)
    public = http.get(f"/api/observations/{oid}").json()
    assert public["title"] == "Neuer Titel" and public["geometry"]["coordinates"] == moved
    assert tile_titles(http, "mobilitaet", moved)[oid] == "Neuer Titel"
    assert ogc_titles(http, "mobilitaet", area)[oid] == "Neuer Titel"
    assert events(engine, oid)[-2:] == [("published", "review", ""), ("review", "published", "")]

    # a rejected change is discarded: the published version stays
    http.patch(f"/api/observations/{oid}", json={"title": "Unsinn", "version": 3},
               headers=field.auth)  # fmt: skip
    r = http.post(
        f"/api/review/observation/{oid}/decision",
        json={"action": "reject", "note": "Titel passt nicht"},
        headers=planner.auth,
    )
    assert r.status_code == 200 and r.json()["state"] == "published"
    assert r.json()["pending"] is None
    assert http.get(f"/api/observations/{oid}").json()["title"] == "Neuer Titel"
    mine = http.get("/api/review/mine", params={"ids": oid}, headers=field.auth).json()[0]
    assert (mine["state"], mine["note"], mine["note_status"]) == (
        "published",
        "Titel passt nicht",
        "rejected",
    )


def test_a_finding_edit_waits_and_api_findings_keeps_the_published_statement(
    http: httpx.Client, engine: Engine, area: Area, workspace_team: WorkspaceTeam
) -> None:
    planner = workspace_team.planner
    fid = insert_finding(engine, area, 30, "Spielplatz zu klein", ["gemeinwesen"])
    r = http.post(f"/api/review/finding/{fid}/decision", json={"action": "publish"},
                  headers=planner.auth)  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "published"
    edit = {"text": "Spielplatz an der Schule zu klein", "kind": "problem", "version": 2}
    r = http.patch(f"/api/review/finding/{fid}", json=edit, headers=planner.auth)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "review" and r.json()["pending"]["changes"]["kind"] == "problem"
    public = http.get(f"/api/findings/{fid}").json()
    assert public["statement"] == "Spielplatz zu klein" and public["kind"] == "idea"
    r = http.post(f"/api/review/finding/{fid}/decision", json={"action": "publish"},
                  headers=planner.auth)  # fmt: skip
    assert r.status_code == 200, r.text
    public = http.get(f"/api/findings/{fid}").json()
    assert public["statement"] == "Spielplatz an der Schule zu klein"
    assert public["kind"] == "problem"
    rating = http.patch(f"/api/review/finding/{fid}", json={"rating": 1, "version": 3},
                        headers=planner.auth)  # fmt: skip
    assert_error(rating, 400, "not_for_findings")


def test_planner_edits_and_moves_before_publishing(
    http: httpx.Client, engine: Engine, area: Area, workspace_team: WorkspaceTeam
) -> None:
    planner = workspace_team.planner
    oid = post_obs(http, workspace_team.field, area, 40)
    moved = area.point(41)
    edit = {
        "title": "Korrigiert",
        "text": "Neu",
        "layer": "umwelt",
        "kind": "strength",
        "rating": 2,
        "geometry": {"type": "Point", "coordinates": moved},
        "version": 1,
    }
    r = http.patch(f"/api/review/observation/{oid}", json=edit, headers=planner.auth)
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["title"], got["text"], got["layer"], got["kind"], got["rating"]) == (
        "Korrigiert",
        "Neu",
        "umwelt",
        "strength",
        2,
    )
    assert got["geometry"]["coordinates"] == moved and got["pending"] is None
    stale = http.patch(f"/api/review/observation/{oid}", json={"title": "x", "version": 1},
                       headers=planner.auth)  # fmt: skip
    assert_error(stale, 409, "version_conflict")
    outside = {"geometry": {"type": "Point", "coordinates": [2.35, 48.85]}, "version": 2}
    r = http.patch(f"/api/review/observation/{oid}", json=outside, headers=planner.auth)
    assert r.status_code == 400 and r.json()["message_en"]
    publish(http, planner, oid)
    assert ogc_titles(http, "umwelt", area)[oid] == "Korrigiert"


def test_bulk_over_everything_a_filter_matches(
    http: httpx.Client, engine: Engine, workspace_team: WorkspaceTeam
) -> None:
    area = make_area(engine, 2)
    field, planner = workspace_team.field, workspace_team.planner
    ids = [post_obs(http, field, area, i) for i in range(6)]
    others = [post_obs(http, field, area, 10 + i, layer="umwelt") for i in range(2)]
    flt = {"quarter": area.slug, "layer": "mobilitaet"}
    assert queue(http, planner, **flt)["total"] == 6
    refused = http.post("/api/review/bulk", json={"action": "reject", "filter": flt},
                        headers=planner.auth)  # fmt: skip
    assert_error(refused, 400, "note_required")
    assert queue(http, planner, **flt)["total"] == 6  # nothing half-done
    both = http.post("/api/review/bulk", json={"action": "publish", "ids": ids, "filter": flt},
                     headers=planner.auth)  # fmt: skip
    assert both.status_code in (400, 422)
    r = http.post("/api/review/bulk", json={"action": "publish", "filter": flt},
                  headers=planner.auth)  # fmt: skip
    assert r.json() == {"matched": 6, "moved": 6, "skipped": 0}, r.text
    assert queue(http, planner, quarter=area.slug)["total"] == 2
    assert all(events(engine, i) == [("review", "published", "")] for i in ids)
    assert set(ids) <= set(ogc_titles(http, "mobilitaet", area))
    # a selection: assign a layer, then request changes with a comment
    r = http.post("/api/review/bulk", json={"action": "assign_layer", "layer": "wohnen",
                                            "ids": others}, headers=planner.auth)  # fmt: skip
    assert r.json()["moved"] == 2, r.text
    assert queue(http, planner, quarter=area.slug, layer="wohnen")["total"] == 2
    r = http.post("/api/review/bulk", json={"action": "request_changes", "note": "Ort prüfen",
                                            "ids": others + ids}, headers=planner.auth)  # fmt: skip
    assert r.json() == {"matched": 8, "moved": 2, "skipped": 6}  # published ones are skipped
    assert events(engine, others[0])[-1] == ("review", "changes_requested", "Ort prüfen")
    unknown = http.post("/api/review/bulk", json={"action": "assign_layer", "layer": "nix",
                                                  "ids": others}, headers=planner.auth)  # fmt: skip
    assert_error(unknown, 400, "unknown_layer")
    field_bulk = http.post("/api/review/bulk", json={"action": "publish", "filter": flt},
                           headers=field.auth)  # fmt: skip
    assert_error(field_bulk, 403, "role_forbidden")


def test_restricted_planner_sees_and_moves_only_its_scope(
    http: httpx.Client, engine: Engine, workspace_team: WorkspaceTeam
) -> None:
    area = make_area(engine, 3)
    field = workspace_team.field
    inside = [post_obs(http, field, area, i) for i in range(3)]
    outside = post_obs(http, field, area, 5, layer="umwelt")
    published_out = post_obs(http, field, area, 6, layer="umwelt")
    publish(http, workspace_team.planner, published_out)
    restricted = add_member(engine, "planner", "frg")
    r = http.patch(f"/api/admin/accounts/{restricted.name}", headers=workspace_team.admin.auth,
                   json={"layers": ["mobilitaet"], "quarters": [area.slug]})  # fmt: skip
    assert r.status_code == 200, r.text
    listed = queue(http, restricted, quarter=area.slug)
    assert {i["id"] for i in listed["items"]} == set(inside)
    counts = http.get("/api/review/counts", headers=restricted.auth).json()
    assert counts["total"]["waiting"] == 3 and list(counts["quarters"]) == [area.slug]
    assert_error(http.get(f"/api/review/observation/{outside}", headers=restricted.auth),
                 404, "not_found")  # fmt: skip
    r = http.post(f"/api/review/observation/{published_out}/decision",
                  json={"action": "reject", "note": "weg"}, headers=restricted.auth)  # fmt: skip
    assert_error(r, 403, "outside_scope")
    r = http.post("/api/review/bulk", json={"action": "publish", "filter": {"quarter": area.slug}},
                  headers=restricted.auth)  # fmt: skip
    assert r.json()["moved"] == 3
    r = http.post("/api/review/bulk", json={"action": "publish", "ids": [outside]},
                  headers=restricted.auth)  # fmt: skip
    assert r.json() == {"matched": 0, "moved": 0, "skipped": 0}
    assert queue(http, workspace_team.planner, quarter=area.slug)["total"] == 1
    assign = http.post(
        "/api/review/bulk",
        json={"action": "assign_layer", "layer": "umwelt", "ids": inside},
        headers=restricted.auth,
    )
    assert_error(assign, 403, "outside_scope")


def test_reimport_of_a_published_entry_becomes_a_pending_revision(
    http: httpx.Client, engine: Engine, workspace_team: WorkspaceTeam
) -> None:
    area = make_area(engine, 4)
    planner = workspace_team.planner

    def feature(nr: str, title: str, i: int) -> dict:
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": area.point(i)},
                "properties": {"nr": nr, "layer": "mobilitaet", "kind": "problem",
                               "title": title}}  # fmt: skip

    def post(content: bytes) -> dict:
        r = http.post("/api/imports", files={"file": ("a.geojson", content, "application/json")},
                      data={"status": "published", "id_column": "nr", "quarter": area.slug},
                      headers=planner.auth)  # fmt: skip
        assert r.status_code == 200, r.text
        return r.json()

    assert (
        post(geojson(feature("A1", "Ampel defekt", 1), feature("A2", "Bordstein", 2)))["inserted"]
        == 2
    )
    with engine.connect() as conn:
        oid = str(
            conn.execute(
                text("SELECT id FROM observation WHERE title = 'Ampel defekt' AND quarter_id = :q"),
                {"q": area.quarter_id},
            ).scalar_one()
        )
    report = post(geojson(feature("A1", "Ampel repariert", 1), feature("A2", "Bordstein", 2)))
    assert report["updated"] == 1
    assert http.get(f"/api/observations/{oid}").json()["title"] == "Ampel defekt"
    assert ogc_titles(http, "mobilitaet", area)[oid] == "Ampel defekt"
    item = queue(http, planner, quarter=area.slug)["items"]
    assert [(i["id"], i["title"], i["pending_revision"]) for i in item] == [
        (oid, "Ampel repariert", True)
    ]
    detail = http.get(f"/api/review/observation/{oid}", headers=planner.auth).json()
    assert detail["pending"]["source"] == "import"
    publish(http, planner, oid)
    assert http.get(f"/api/observations/{oid}").json()["title"] == "Ampel repariert"
