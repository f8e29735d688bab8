"""Milestones and links to evidence: linking never changes the linked entry's state."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, text

from tests.capture_fixtures import observation_body
from tests.programme.conftest import Programme, assert_refusal, create


def _observation(http, programme: Programme, status: str) -> str:  # type: ignore[no-untyped-def]
    body = observation_body(
        geometry={"type": "Point", "coordinates": list(programme.inside)},
        quarter=programme.quarter,
        title=f"Beobachtung {status}",
    )
    made = http.post("/api/observations", json=body, headers=programme.auth("field"))
    assert made.status_code == 201, made.text
    if status != "review":
        moved = http.post(
            f"/api/observations/{made.json()['id']}/moderation",
            json={"status": status},
            headers=programme.auth(),
        )
        assert moved.status_code == 200, moved.text
    return made.json()["id"]


def _finding(engine: Engine, programme: Programme, status: str) -> str:
    iid, fid = uuid.uuid4(), uuid.uuid4()
    x, y = programme.inside
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO interview (id, quarter_id, held_on, participant_group, "
                "pseudonym) VALUES (:i, :q, '2026-04-01', 'residents', 'B1')"
            ),
            {"i": iid, "q": programme.quarter_id},
        )
        conn.execute(
            text(
                "INSERT INTO finding (id, interview_id, quarter_id, statement, layer_ids, kind, "
                "geom, public_geom, status) VALUES (:f, :i, :q, 'Zu wenig Bänke am Platz', "
                "ARRAY['gemeinwesen'], 'problem', ST_SetSRID(ST_MakePoint(:x, :y), 4326), "
                "ST_SetSRID(ST_MakePoint(:x, :y), 4326), :s)"
            ),
            {"f": fid, "i": iid, "q": programme.quarter_id, "x": x, "y": y, "s": status},
        )
    return str(fid)


def _state(engine: Engine, table: str, rid: str) -> tuple:
    with engine.connect() as conn:
        return tuple(
            conn.execute(
                text(f"SELECT status, version, updated_at FROM {table} WHERE id = :i"), {"i": rid}
            ).one()
        )


def test_linking_keeps_the_linked_entries_states(http, programme: Programme, engine) -> None:  # type: ignore[no-untyped-def]
    measure = create(http, programme, title="Mehr Bänke")
    links = f"/api/measures/{measure['id']}/links"
    entries = {
        ("observation", _observation(http, programme, "review")),
        ("observation", _observation(http, programme, "published")),
        ("finding", _finding(engine, programme, "draft")),
        ("finding", _finding(engine, programme, "published")),
    }
    before = {rid: _state(engine, kind, rid) for kind, rid in entries}
    for kind, rid in entries:
        made = http.post(
            links, json={f"{kind}_id": rid, "reason": "Anlass"}, headers=programme.auth()
        )
        assert made.status_code == 201, made.text
    again = http.post(
        links,
        json={
            "observation_id": next(r for k, r in entries if k == "observation"),
            "reason": "neue Begründung",
        },
        headers=programme.auth(),
    )
    assert again.status_code == 200
    after = {rid: _state(engine, kind, rid) for kind, rid in entries}
    assert after == before  # status, version and updated_at untouched
    planner = http.get(links, headers=programme.auth()).json()
    assert len(planner["observations"]) == 2 and len(planner["findings"]) == 2
    public = http.get(links).json()  # the public sees published evidence only
    assert [o["status"] for o in public["observations"]] == ["published"]
    assert [f["status"] for f in public["findings"]] == ["published"]
    # from an observation: which measures answer it
    published_obs = public["observations"][0]["observation_id"]
    answered = http.get(f"/api/observations/{published_obs}/measures").json()
    assert [m["id"] for m in answered["items"]] == [measure["id"]]
    via_query = http.get("/api/measures", params={"observation": published_obs}).json()
    assert via_query["total"] == 1
    hidden_obs = next(
        rid for kind, rid in entries if kind == "observation" and rid != published_obs
    )
    assert_refusal(http.get(f"/api/observations/{hidden_obs}/measures"), 404)
    finding = public["findings"][0]["finding_id"]
    assert http.get(f"/api/findings/{finding}/measures").json()["total"] == 1
    # unlinking leaves the entry alone too
    link_id = planner["observations"][0]["link_id"]
    assert http.delete(f"{links}/{link_id}", headers=programme.auth()).status_code == 204
    assert {rid: _state(engine, kind, rid) for kind, rid in entries} == before


def test_a_draft_measure_does_not_show_on_its_evidence(http, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    obs = _observation(http, programme, "published")
    draft = create(http, programme, title="Geheimer Entwurf", published=False)
    http.post(
        f"/api/measures/{draft['id']}/links", json={"observation_id": obs}, headers=programme.auth()
    )
    assert http.get(f"/api/observations/{obs}/measures").json()["total"] == 0
    assert (
        http.get(f"/api/observations/{obs}/measures", headers=programme.auth()).json()["total"] == 1
    )
    assert_refusal(http.get(f"/api/measures/{draft['id']}/links"), 404, "unknown_measure")


def test_bad_links_are_refused(http, programme: Programme, engine) -> None:  # type: ignore[no-untyped-def]
    measure = create(http, programme)
    links = f"/api/measures/{measure['id']}/links"
    obs = _observation(http, programme, "published")
    fid = _finding(engine, programme, "published")
    both = http.post(
        links, json={"observation_id": obs, "finding_id": fid}, headers=programme.auth()
    )
    assert_refusal(both, 400, "link_target")
    assert_refusal(http.post(links, json={}, headers=programme.auth()), 400, "link_target")
    ghost = http.post(links, json={"observation_id": str(uuid.uuid4())}, headers=programme.auth())
    assert_refusal(ghost, 400, "unknown_target")
    long = http.post(
        links, json={"observation_id": obs, "reason": "x" * 501}, headers=programme.auth()
    )
    assert_refusal(long, 400, "invalid_input")
    assert_refusal(http.post(links, json={"observation_id": obs}), 401)
    assert_refusal(http.delete(f"{links}/999999999", headers=programme.auth()), 404, "unknown_link")
    assert http.get(links, headers=programme.auth()).json() == {"observations": [], "findings": []}


def test_milestones_make_the_public_sachstand(http, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    measure = create(http, programme, title="Mit Sachstand")
    url = f"/api/measures/{measure['id']}/milestones"
    for day, title in (
        ("2026-01-10", "Auftakt"),
        ("2026-03-05", "Entwurf vorgestellt"),
        ("2099-01-01", "Eröffnung geplant"),
    ):
        made = http.post(
            url,
            json={"on_date": day, "title": title, "text": f"{title}."},
            headers=programme.auth(),
        )
        assert made.status_code == 201, made.text
    timeline = http.get(url).json()
    assert [m["title"] for m in timeline] == ["Auftakt", "Entwurf vorgestellt", "Eröffnung geplant"]
    got = http.get(f"/api/measures/{measure['id']}").json()
    assert got["sachstand"]["title"] == "Entwurf vorgestellt"  # the latest not in the future
    first = timeline[0]["id"]
    changed = http.patch(
        f"{url}/{first}", json={"title": "Auftakt im Stadtteilbüro"}, headers=programme.auth()
    )
    assert changed.json()["title"] == "Auftakt im Stadtteilbüro"
    assert_refusal(
        http.post(url, json={"on_date": "2026-13-01", "title": "x"}, headers=programme.auth()),
        400,
        "invalid_input",
    )
    assert_refusal(
        http.post(url, json={"on_date": "2026-01-01", "title": ""}, headers=programme.auth()),
        400,
        "invalid_input",
    )
    assert_refusal(
        http.post(
            url, json={"on_date": "2026-01-01", "title": "x"}, headers=programme.auth("field")
        ),
        403,
        "role_forbidden",
    )
    assert http.delete(f"{url}/{first}", headers=programme.auth()).status_code == 204
    assert_refusal(http.delete(f"{url}/{first}", headers=programme.auth()), 404)
    assert len(http.get(url).json()) == 2
