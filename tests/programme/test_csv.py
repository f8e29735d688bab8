"""CSV export and import in one format: idempotent round trip, one edit → one update,
per-row refusals with line numbers and nothing half-written."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import Engine, text

from tests.conftest import count
from tests.programme.conftest import Programme, assert_refusal, create, new_quarter


@pytest.fixture()
def own(engine: Engine, programme: Programme) -> Programme:
    """A fresh quarter per test, so its export holds exactly what the test made."""
    slug, qid, inside = new_quarter(engine, "CSV-Quartier")
    return Programme(slug, qid, inside, programme.team, programme.restricted)


def _programme(http, p: Programme) -> list[dict]:  # type: ignore[no-untyped-def]
    x, y = p.inside
    family = create(
        http,
        p,
        title="Familie, mit Komma",
        reference="1",
        dimensions=["sozial"],
        description='Zeile 1\nZeile 2 mit "Anführungszeichen"',
    )
    project = create(
        http,
        p,
        title="Projekt",
        reference="1.1",
        parent_id=family["id"],
        weight=2.5,
        budget=12500.5,
        layers=["mobilitaet", "umwelt"],
        geometry={"type": "LineString", "coordinates": [[x, y], [x + 0.001, y]]},
    )
    sub = create(
        http,
        p,
        title="Teilprojekt",
        reference="1.1.1",
        parent_id=project["id"],
        progress=30,
        start_date="2026-02-01",
        end_date="2026-09-30",
        published=False,
        geometry={"type": "Point", "coordinates": [x, y]},
    )
    return [family, project, sub]


def _export(http, p: Programme) -> str:  # type: ignore[no-untyped-def]
    response = http.get("/api/measures/export.csv", params={"quarter": p.quarter}, headers=p.auth())
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    return response.text


def _import(http, p: Programme, content: str, **params):  # type: ignore[no-untyped-def]
    return http.post(
        "/api/measures/import",
        content=content.encode(),
        params=params,
        headers={**p.auth(), "Content-Type": "text/csv"},
    )


def _versions(engine: Engine, p: Programme) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT m.external_id, m.version FROM measure m JOIN "
                "measure_quarter mq ON mq.measure_id = m.id WHERE "
                "mq.quarter_id = :q"
            ),
            {"q": p.quarter_id},
        ).all()
    return dict(rows)


def test_round_trip_changes_nothing_and_one_edit_updates_one(http, own: Programme, engine) -> None:  # type: ignore[no-untyped-def]
    made = _programme(http, own)
    exported = _export(http, own)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 3
    assert rows[2]["parent_external_id"] == made[1]["external_id"]
    assert rows[1]["progress_computed"] == "30" and rows[1]["weight"] == "2.5"
    versions = _versions(engine, own)
    for _ in range(2):  # importing the same file twice: nothing changes, both times
        report = _import(http, own, exported)
        assert report.status_code == 200, report.text
        body = report.json()
        assert (body["read"], body["created"], body["updated"], body["unchanged"]) == (3, 0, 0, 3)
        assert "0 geändert" in body["summary_de"]
    assert _versions(engine, own) == versions
    assert _export(http, own) == exported
    # edit one row: exactly that measure is updated
    rows[2]["status"] = "verzögert"  # a German label is read as the id
    rows[2]["end_date"] = "31.12.2026"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    report = _import(http, own, out.getvalue()).json()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 2)
    after = _versions(engine, own)
    changed = [ext for ext in after if after[ext] != versions[ext]]
    assert changed == [made[2]["external_id"]]
    got = http.get(f"/api/measures/{made[2]['id']}", headers=own.auth()).json()
    assert got["status"] == "verzoegert" and got["end_date"] == "2026-12-31"
    assert _import(http, own, out.getvalue()).json()["updated"] == 0


def test_a_file_creates_a_tree_and_moves_parents_without_cycles(
    http, own: Programme, engine
) -> None:  # type: ignore[no-untyped-def]
    q = own.quarter
    content = (
        "external_id,title,quarters,parent_external_id,progress,weight,phase,published\n"
        f"K-{q}-3,Teil,{q},K-{q}-2,50,,Umsetzung,ja\n"  # the parent comes later in the file
        f"K-{q}-2,Projekt,{q},K-{q}-1,,,planung,ja\n"
        f"K-{q}-1,Familie,{q},,,,idee,ja\n"
    )
    report = _import(http, own, content).json()
    assert report["created"] == 3 and report["written"] is True
    listed = http.get("/api/measures/tree", params={"quarter": q}).json()["items"]
    assert listed[0]["title"] == "Familie" and listed[0]["progress"] == 50
    assert listed[0]["items"][0]["items"][0]["phase"] == "umsetzung"
    # swap: the family goes under the former leaf, which becomes the root – one valid tree
    swapped = f"external_id,parent_external_id\nK-{q}-1,K-{q}-3\nK-{q}-3,\nK-{q}-2,K-{q}-3\n"
    report = _import(http, own, swapped)
    assert report.status_code == 200, report.text
    assert report.json()["updated"] == 3
    tree = http.get("/api/measures/tree", params={"quarter": q}).json()["items"]
    assert [n["title"] for n in tree] == ["Teil"]
    assert sorted(n["title"] for n in tree[0]["items"]) == ["Familie", "Projekt"]
    assert tree[0]["progress"] is None  # its children have no figure; its own 50 is not used
    # a figure typed on a parent is refused: it is computed
    typed = f"external_id,progress\nK-{q}-3,70\n"
    body = assert_refusal(_import(http, own, typed), 400, "import_refused")
    assert [(r["row"], r["code"]) for r in body["report"]["refused"]] == [(2, "progress_computed")]
    # a cycle in a file is refused with the row
    cycle = f"external_id,parent_external_id\nK-{q}-3,K-{q}-1\n"
    body = assert_refusal(_import(http, own, cycle), 400, "import_refused")
    assert [(r["row"], r["code"]) for r in body["report"]["refused"]] == [(2, "measure_cycle")]
    assert "Zyklus" in body["report"]["refused"][0]["message_de"]


def test_refused_rows_are_listed_and_nothing_is_written(http, own: Programme, engine) -> None:  # type: ignore[no-untyped-def]
    q = own.quarter
    good = f"G-{q}"
    content = (
        "external_id,title,quarters,phase,status,progress,start_date,end_date,budget,"
        "geometry_wkt,parent_external_id,dimensions,layers,published\n"
        f"{good},Gut,{q},idee,laeuft,10,,,,,,,,true\n"  # line 2
        f"B1-{q},Phase falsch,{q},fertig,laeuft,,,,,,,,,true\n"  # line 3
        f"B2-{q},Zu viel,{q},idee,laeuft,150,,,,,,,,true\n"  # line 4
        f"B3-{q},Datum,{q},idee,laeuft,,2026-05-01,2026-04-01,,,,,,true\n"  # line 5
        f"B4-{q},WKT,{q},idee,laeuft,,,,,POINT(1 2,,,,true\n"  # line 6
        f"B5-{q},Eltern,{q},idee,laeuft,,,,,,FEHLT,,,true\n"  # line 7
        f"B6-{q},Quartier,nirgendwo,idee,laeuft,,,,,,,,,true\n"  # line 8
        f"{good},Doppelt,{q},idee,laeuft,,,,,,,,,true\n"  # line 9
        f"B7-{q},,{q},idee,laeuft,,,,,,,,,true\n"  # line 10: no title
        f"B8-{q},Budget,{q},idee,laeuft,,,,-3,,,,,true\n"  # line 11
        f"B9-{q},Dim,{q},idee,laeuft,,,,,,,kulturell,,true\n"  # line 12
        f"B10-{q},Ebene,{q},idee,laeuft,,,,,,,,keine,true\n"  # line 13
        f"B11-{q},Flag,{q},idee,laeuft,,,,,,,,,vielleicht\n"  # line 14
    )
    before = count(engine, "measure")
    refused = _import(http, own, content)
    body = assert_refusal(refused, 400, "import_refused")
    got = {r["row"]: r["code"] for r in body["report"]["refused"]}
    assert got == {
        3: "unknown_phase",
        4: "out_of_range",
        5: "end_before_start",
        6: "geometry_malformed",
        8: "unknown_quarter",
        9: "duplicate_id",
        10: "title_missing",
        11: "out_of_range",
        12: "unknown_dimension",
        13: "unknown_layer",
        14: "invalid_flag",
    }
    for r in body["report"]["refused"]:
        assert r["message_de"] and r["message_en"] and r["message_de"] != r["message_en"]
    assert body["report"]["written"] is False
    assert count(engine, "measure") == before
    # the parent check runs once the rows themselves are fine
    parent_only = content.splitlines()[0] + "\n" + content.splitlines()[6] + "\n"
    body = assert_refusal(_import(http, own, parent_only), 400, "import_refused")
    assert [(r["row"], r["code"]) for r in body["report"]["refused"]] == [(2, "unknown_parent")]
    assert count(engine, "measure") == before


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("titel,quartier\nx,y\n", "csv_columns"),
        ("external_id,title,colour\nA,B,C\n", "csv_columns"),
        ("", "no_file"),
    ],
    ids=["German headers", "unknown column", "empty"],
)
def test_a_file_that_does_not_fit_is_refused_whole(http, own: Programme, content, code) -> None:  # type: ignore[no-untyped-def]
    assert_refusal(_import(http, own, content), 400, code)


def test_import_rights_and_encoding(http, own: Programme) -> None:  # type: ignore[no-untyped-def]
    content = f"external_id,title,quarters\nR-{own.quarter},Recht,{own.quarter}\n"
    assert_refusal(http.post("/api/measures/import", content=content.encode()), 401)
    field = http.post("/api/measures/import", content=content.encode(), headers=own.auth("field"))
    assert_refusal(field, 403, "role_forbidden")
    kept = http.post(
        "/api/measures/import",
        content=content.encode(),
        headers={"Authorization": f"Bearer {own.restricted}"},
    )
    body = assert_refusal(kept, 400, "import_refused")
    assert body["report"]["refused"][0]["code"] == "outside_scope"
    latin = http.post(
        "/api/measures/import", content="external_id\nÄ\n".encode("latin-1"), headers=own.auth()
    )
    assert_refusal(latin, 400, "not_utf8")
    dry = _import(http, own, content, dry_run="true").json()
    assert dry["created"] == 1 and dry["written"] is False
    assert (
        http.get("/api/measures", params={"quarter": own.quarter}, headers=own.auth()).json()[
            "total"
        ]
        == 0
    )
    # semicolons (a German spreadsheet's CSV) and a multipart upload work too
    semi = content.replace(",", ";")
    multi = http.post(
        "/api/measures/import",
        files={"file": ("m.csv", semi.encode(), "text/csv")},
        headers=own.auth(),
    )
    assert multi.status_code == 200, multi.text
    assert multi.json()["created"] == 1
