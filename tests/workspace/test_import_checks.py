"""The import section's API over real HTTP, part 2: bad input, rights, new reference
layers, previews of GeoJSON/GPX/ODK."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from mapservice.access import create_account, create_token
from tests.capture_fixtures import Team
from tests.conftest import count
from tests.workspace.import_fixtures import (  # noqa: F401
    PLACED,
    REFUSED,
    SPORTS_ROWS,
    UTM_SPOTS,
    Hamme,
    auth,
    hamme_fixture,
    post_job,
    run_job,
    sports_csv,
    utm_csv,
)


def _preview(http: httpx.Client, token: str, name: str, content: bytes, **form: str) -> dict:
    response = http.post(
        "/api/imports/preview",
        files={"file": (name, content, "text/csv")},
        data=form,
        headers=auth(token),
    )
    assert response.status_code == 200, response.text
    return response.json()


# -- bad input -------------------------------------------------------------------------------


def _planner(engine: Engine) -> str:
    name = f"planner2-{uuid.uuid4().hex[:6]}"
    with engine.begin() as conn:
        create_account(conn, name, "planner")
        return create_token(conn, name)


def _assert_error(response: httpx.Response, status: int, code: str) -> None:
    body = response.json()
    assert response.status_code == status, response.text
    assert body["code"] == code and body["message_de"] and body["message_en"]
    assert body["message_de"] != body["message_en"]


def test_bad_requests_are_refused_with_both_languages(
    http: httpx.Client, team: Team, hamme: Hamme, engine: Engine
) -> None:
    before = count(engine, "import_job")
    no_file = http.post(
        "/api/imports/preview",
        data={"x": "a"},
        headers=auth(team.planner),
        files={"other": ("a.txt", b"x")},
    )
    _assert_error(no_file, 400, "invalid_option")
    empty = http.post(
        "/api/imports/jobs",
        data={"layer": "umwelt"},
        headers=auth(team.planner),
        files={"format": (None, "csv")},
    )
    _assert_error(empty, 400, "no_file")
    _assert_error(
        post_job(http, team.planner, "a.csv", b"a;b\n1;2\n", layer="weltraum"), 400, "unknown_layer"
    )
    _assert_error(
        post_job(http, team.planner, "a.csv", b"a;b\n1;2\n", quarter="nirgendwo"),
        400,
        "unknown_quarter",
    )
    _assert_error(
        post_job(http, team.planner, "a.csv", b"a\n1\n", crs="EPSG:99999"), 400, "unknown_crs"
    )
    _assert_error(
        post_job(http, team.planner, "a.csv", b"a\n1\n", status="live"), 400, "invalid_option"
    )
    public = http.post("/api/imports/jobs", files={"file": ("a.csv", b"a\n1\n")})
    _assert_error(public, 401, "token_required")
    _assert_error(post_job(http, team.field, "a.csv", b"a\n1\n"), 403, "role_forbidden")
    _assert_error(
        http.get("/api/imports/jobs/kein-auftrag", headers=auth(team.planner)),
        404,
        "import_not_found",
    )
    assert count(engine, "import_job") == before  # nothing was started


def test_a_file_the_job_cannot_read_fails_with_a_reason_and_writes_nothing(
    http: httpx.Client, team: Team, hamme: Hamme, engine: Engine
) -> None:
    before = count(engine, "observation")
    no_place = b"Titel;Art\nBank fehlt;problem\n"
    job = run_job(http, team.planner, "ohne_ort.csv", no_place, quarter=hamme.slug, layer="umwelt")
    assert job["state"] == "failed" and job["error"]["code"] == "csv_columns_missing"
    assert job["error"]["message_de"].startswith("Keine Koordinatenspalten")
    wrong_key = run_job(
        http,
        team.planner,
        "gruen.csv",
        utm_csv(hamme),
        quarter=hamme.slug,
        layer="umwelt",
        kind="idea",
        crs="25832",
        id_column="Schlüssel",
    )
    assert wrong_key["state"] == "failed" and wrong_key["error"]["code"] == "csv_columns_missing"
    assert "Schlüssel" in wrong_key["error"]["message_en"]
    assert count(engine, "observation") == before
    report = http.get(job["report_url"], headers=auth(team.planner)).content.decode("utf-8-sig")
    assert "csv_columns_missing" in report and "No coordinate columns found" in report


def test_a_job_is_visible_to_its_planner_and_admins_only(
    http: httpx.Client, team: Team, hamme: Hamme
) -> None:
    job = run_job(
        http,
        team.planner,
        "gruen.csv",
        utm_csv(hamme),
        quarter=hamme.slug,
        layer="umwelt",
        kind="idea",
        crs="25832",
        dry_run="true",
    )
    assert job["state"] == "done" and job["result"]["dry_run"] is True
    assert job["result"]["new"] == 4 and job["result"]["inserted"] == 0
    seen = http.get(f"/api/imports/jobs/{job['id']}", headers=auth(team.admin))
    assert seen.status_code == 200 and seen.json()["file"] == "gruen.csv"


@pytest.mark.parametrize("field", ["report.csv", ""])
def test_another_planner_cannot_see_a_job(
    field: str, http: httpx.Client, team: Team, hamme: Hamme, engine: Engine
) -> None:
    job = run_job(
        http,
        team.planner,
        "gruen.csv",
        utm_csv(hamme),
        quarter=hamme.slug,
        layer="umwelt",
        kind="idea",
        crs="25832",
        dry_run="true",
    )
    other = _planner(engine)
    path = f"/api/imports/jobs/{job['id']}" + (f"/{field}" if field else "")
    _assert_error(http.get(path, headers=auth(other)), 404, "import_not_found")


# -- new reference layers --------------------------------------------------------------------


def test_a_new_reference_layer_takes_the_address_list_and_serves_it(
    http: httpx.Client, team: Team, hamme: Hamme, engine: Engine, settings: Any
) -> None:
    title = f"Sportstätten {uuid.uuid4().hex[:4]}"
    created = http.post(
        "/api/imports/layers",
        json={"title_de": title, "title_en": "Sports facilities", "attribution": "Stadt Bochum"},
        headers=auth(team.planner),
    )
    assert created.status_code == 201, created.text
    layer = created.json()
    assert layer["id"].startswith("ref-sportstaetten-") and layer["public"] is False
    listed = http.get("/api/imports/targets", headers=auth(team.planner)).json()
    assert layer["id"] in [entry["id"] for entry in listed["layers"]]

    job = run_job(http, team.planner, "sportstaetten.csv", sports_csv(), quarter=hamme.slug,
                  layer=layer["id"], skip_invalid="true")  # fmt: skip
    result = job["result"]
    assert job["state"] == "done" and result["target"] == "reference"
    assert (result["inserted"], result["refused_count"], result["key_column"]) == (6, 2, "Nr")
    assert {r["row"]: r["code"] for r in result["refused"]} == REFUSED
    with engine.connect() as conn:
        methods = dict(conn.execute(text(
            "SELECT source_key, georef_method FROM reference_feature WHERE layer_id = :l"),
            {"l": layer["id"]}).all())  # fmt: skip
    assert methods == {str(row): method for row, method in PLACED.items()}

    from mapservice.catalog import load_catalog
    from mapservice.workspace.imports.layers import install

    fresh = load_catalog(settings.layers_dir)  # another worker's catalogue, started earlier
    assert layer["id"] not in fresh.ids()
    install(fresh, engine)
    assert fresh.get(layer["id"]).title("de") == title
    lon, lat = hamme.addresses["Poststraße 10"]
    z, n = 16, 2**16
    import math

    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    tile = http.get(f"/tiles/{layer['id']}/{z}/{x}/{y}.geojson", headers=auth(team.planner))
    assert tile.status_code == 200 and tile.json()["features"], tile.text
    hidden = http.get(f"/tiles/{layer['id']}/{z}/{x}/{y}.geojson")
    assert hidden.status_code == 404  # not public: the public does not learn it exists


def test_bad_new_layers_are_refused(http: httpx.Client, team: Team) -> None:
    base = {"title_de": "Kleingärten", "attribution": "Stadt"}
    _assert_error(http.post("/api/imports/layers", json={**base, "title_de": " "},
                            headers=auth(team.planner)), 400, "invalid_layer")  # fmt: skip
    _assert_error(http.post("/api/imports/layers", json={"title_de": "Gärten"},
                            headers=auth(team.planner)), 400, "invalid_layer")  # fmt: skip
    _assert_error(http.post("/api/imports/layers", json={**base, "public": "ja"},
                            headers=auth(team.planner)), 400, "invalid_layer")  # fmt: skip
    _assert_error(http.post("/api/imports/layers", json=base, headers=auth(team.field)), 403,
                  "role_forbidden")  # fmt: skip
    _assert_error(http.post("/api/imports/layers", json=base), 401, "token_required")
    title = f"Kleingärten {uuid.uuid4().hex[:4]}"
    first = http.post("/api/imports/layers", json={**base, "title_de": title},
                      headers=auth(team.planner))  # fmt: skip
    assert first.status_code == 201
    _assert_error(http.post("/api/imports/layers", json={**base, "title_de": title},
                            headers=auth(team.admin)), 409, "layer_exists")  # fmt: skip


def test_the_same_file_into_another_layer_is_a_copy_not_a_move(
    http: httpx.Client, team: Team, hamme: Hamme, engine: Engine
) -> None:
    name = f"kopie_{uuid.uuid4().hex[:6]}.csv"
    for layer in ("leerstand", "lokale-wirtschaft"):
        job = run_job(http, team.planner, name, utm_csv(hamme), quarter=hamme.slug, layer=layer,
                      kind="potential", crs="25832")  # fmt: skip
        assert (job["state"], job["result"]["inserted"]) == ("done", 4), job
    for layer in ("leerstand", "lokale-wirtschaft"):
        assert (
            count(engine, "observation", f"layer_id = '{layer}' AND quarter_id = {hamme.id}") == 4
        )


def test_a_restricted_planner_imports_into_its_layers_and_quarters_only(
    http: httpx.Client, hamme: Hamme, engine: Engine
) -> None:
    name = f"planner-eng-{uuid.uuid4().hex[:6]}"
    with engine.begin() as conn:
        create_account(conn, name, "planner")
        conn.execute(
            text(
                "UPDATE account SET layers = ARRAY['umwelt'], quarters = ARRAY[:q] WHERE name = :n"
            ),
            {"q": hamme.id, "n": name},
        )
        token = create_token(conn, name)
    listed = http.get("/api/imports/targets", headers=auth(token)).json()
    assert [layer["id"] for layer in listed["layers"]] == ["umwelt"]
    assert [q["slug"] for q in listed["quarters"]] == [hamme.slug]
    content = utm_csv(hamme)
    form = {"quarter": hamme.slug, "kind": "idea", "crs": "25832"}
    _assert_error(post_job(http, token, "a.csv", content, layer="mobilitaet", **form), 403,
                  "layer_forbidden")  # fmt: skip
    _assert_error(post_job(http, token, "a.csv", content, **form), 403, "layer_forbidden")
    _assert_error(post_job(http, token, "a.csv", content, layer="umwelt", kind="idea",
                           crs="25832"), 403, "quarter_forbidden")  # fmt: skip
    job = run_job(http, token, f"eng_{uuid.uuid4().hex[:4]}.csv", content, layer="umwelt",
                  **form)  # fmt: skip
    assert job["state"] == "done" and job["result"]["inserted"] == 4
    new_layer = {"title_de": "Meine Ebene", "attribution": "ich"}
    _assert_error(http.post("/api/imports/layers", json=new_layer, headers=auth(token)), 403,
                  "layer_forbidden")  # fmt: skip


GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
 <wpt lat="49.8900" lon="8.0050"><name>Bank kaputt</name><type>Problem</type></wpt>
 <wpt lat="49.8905" lon="8.0060"><name>Schöner Baum</name><type>Stärke</type></wpt>
 <trk><trkseg><trkpt lat="49.8900" lon="8.0050"/><trkpt lat="49.8905" lon="8.0060"/>
 <trkpt lat="49.8910" lon="8.0070"/></trkseg></trk>
</gpx>""".encode()


def test_preview_of_geojson_gpx_and_odk(http: httpx.Client, team: Team, hamme: Hamme) -> None:
    x, y = hamme.utm("Poststraße 10")
    geojson = json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": [{"type": "Feature", "id": 7, "geometry": {"type": "Point",
                      "coordinates": [x, y]}, "properties": {"name": "Kiosk", "nr": 7}}],
    }).encode()  # fmt: skip
    body = _preview(http, team.planner, "kioske.geojson", geojson)
    found = (body["format"], body["crs"]["detected"], body["crs"]["source"])
    assert found == ("geojson", 25832, "file")
    assert body["coordinates"] == {"kind": "geometry", "types": ["Point"]}
    assert body["columns"] == ["name", "nr"] and body["rows"] == [["Kiosk", "7"]]
    assert body["id_column"] == "nr"
    gpx = _preview(http, team.planner, "begehung.gpx", GPX)
    assert (gpx["format"], gpx["target"], gpx["total_rows"]) == ("gpx", "walkthrough", 2)
    assert gpx["coordinates"]["track_points"] == 3 and gpx["rows"][1][0] == "Schöner Baum"
    odk = "SubmissionDate,KEY,ort-Latitude,ort-Longitude,ort-Accuracy,titel\n"
    odk += "2026-04-12T10:00:00Z,uuid:4f1c1c3e-3d4e-4a53-9a0e-2f1f7f0d0b99,49.89,8.005,4,Bank\n"
    body = _preview(http, team.planner, "odk.csv", odk.encode())
    assert body["format"] == "odk" and body["coordinates"]["kind"] in ("lonlat", "geopoint")
    assert body["crs"]["detected"] == 4326 and body["id_column"] == "KEY"


def test_a_job_whose_worker_died_is_reported_lost(
    http: httpx.Client, team: Team, hamme: Hamme, engine: Engine
) -> None:
    job = run_job(http, team.planner, "gruen.csv", utm_csv(hamme), quarter=hamme.slug,
                  layer="umwelt", kind="idea", crs="25832", dry_run="true")  # fmt: skip
    with engine.begin() as conn:
        conn.execute(text("UPDATE import_job SET state = 'running', updated_at = now() - "
                          "interval '20 minutes' WHERE id = :i"), {"i": job["id"]})  # fmt: skip
    lost = http.get(f"/api/imports/jobs/{job['id']}", headers=auth(team.planner)).json()
    assert lost["state"] == "failed" and lost["error"]["code"] == "import_lost"
    assert lost["error"]["message_de"] and lost["error"]["message_en"]


def test_the_report_csv_lists_every_refused_row_of_a_big_file(
    http: httpx.Client, team: Team, hamme: Hamme, engine: Engine
) -> None:
    x, y = hamme.utm("Poststraße 10")
    lines = ["Titel;Art;Bewertung;x;y"] + [f"Bank {i};problem;9;{x};{y}" for i in range(1500)]
    before = count(engine, "observation")
    job = run_job(http, team.planner, "bänke.csv", "\n".join(lines).encode(), quarter=hamme.slug,
                  layer="umwelt", crs="25832")  # fmt: skip
    assert job["state"] == "refused" and job["result"]["refused_count"] == 1500
    report = http.get(job["report_url"], headers=auth(team.planner)).content.decode("utf-8-sig")
    rows = [line for line in report.splitlines()[1:] if line]
    assert len(rows) == 1500 and all(";rating_range;" in line for line in rows)
    assert count(engine, "observation") == before
