"""The import section's API over real HTTP: preview, jobs with progress, address placement,
upserts by the file's own id column, the per-row report as CSV, and every bad input."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile

import httpx
from sqlalchemy import Engine, text

from mapservice.config import REPO_ROOT
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


def test_preview_of_a_25832_csv_names_columns_crs_encoding_and_key(
    http: httpx.Client, team: Team, hamme: Hamme
) -> None:
    body = _preview(http, team.planner, "gruenflaechen_utm.csv", utm_csv(hamme))
    assert (body["format"], body["encoding"], body["delimiter"]) == ("csv", "ISO-8859-1", ";")
    assert body["columns"] == ["Nr", "Bezeichnung", "Rechtswert", "Hochwert", "Beschreibung"]
    assert body["total_rows"] == 4 and body["rows"][0][1] == "Grünfläche 1"  # decoded right
    assert body["coordinates"] == {"kind": "xy", "x": "Rechtswert", "y": "Hochwert"}
    assert body["crs"]["guess"] == 25832 and body["crs"]["source"] == "values"
    assert [c["epsg"] for c in body["offered_crs"]] == [25832, 4326, 3857, 31466, 31467]
    assert body["id_column"] == "Nr" and body["roles"]["Bezeichnung"] == "title"
    assert "ISO-8859-1" in body["summary_de"] and "EPSG:25832" in body["summary_en"]


def test_preview_guesses_gauss_krueger_and_web_mercator(
    http: httpx.Client, team: Team, hamme: Hamme
) -> None:
    lon, lat = hamme.addresses["Poststraße 10"]
    from mapservice.georef.crs import transformer

    for epsg in (31466, 31467, 3857):
        x, y = transformer(4326, epsg).transform(lon, lat)
        content = f"name;x;y\nA;{x:.2f};{y:.2f}\n".encode()
        body = _preview(http, team.planner, f"punkte_{epsg}.csv", content)
        assert body["crs"]["guess"] == epsg, (epsg, x, y, body["crs"])


def test_preview_of_the_address_only_list(http: httpx.Client, team: Team) -> None:
    body = _preview(http, team.planner, "sportstaetten.csv", sports_csv())
    assert body["encoding"] == "ISO-8859-1" and body["delimiter"] == ";"
    assert body["coordinates"] == {
        "kind": "address",
        "address": None,
        "street": "Straße",
        "number": "Hausnummer",
    }
    assert body["roles"]["Straße"] == "street" and body["id_column"] == "Nr"
    assert body["rows"][4][3] == "Bärendorfer Straße" and body["total_rows"] == 8
    assert "Ortsverzeichnis" in body["summary_de"]


def test_preview_of_a_zipped_shapefile_reads_its_crs(http: httpx.Client, team: Team) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for suffix in ("shp", "shx", "dbf", "prj", "cpg"):
            path = REPO_ROOT / "data" / "bochum-opendata" / f"bochum_playgrounds.{suffix}"
            archive.write(path, path.name)
    response = http.post(
        "/api/imports/preview",
        headers=auth(team.planner),
        files={"file": ("spielplaetze.zip", buffer.getvalue(), "application/zip")},
    )
    body = response.json()
    assert response.status_code == 200 and body["format"] == "shp"
    assert body["crs"]["detected"] == 25832 and body["total_rows"] > 100
    assert "name" in body["columns"] and len(body["rows"]) == 10


def test_a_25832_csv_is_imported_as_a_job_at_the_right_place(
    http: httpx.Client, team: Team, hamme: Hamme, engine: Engine
) -> None:
    job = run_job(
        http,
        team.planner,
        "gruenflaechen_utm.csv",
        utm_csv(hamme),
        quarter=hamme.slug,
        layer="gruen-freiraum",
        kind="strength",
        crs="25832",
    )
    assert job["state"] == "done", job
    result = job["result"]
    assert (result["inserted"], result["crs"], result["key_column"]) == (4, "EPSG:25832", "Nr")
    assert job["done"] == job["total"] == 4 and job["phase"] == "done"
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT title, ST_X(geom) AS lon, ST_Y(geom) AS lat, georef_method, status "
                "FROM observation o JOIN quarter q ON q.id = o.quarter_id "
                "WHERE q.slug = :s AND layer_id = 'gruen-freiraum' ORDER BY title"
            ),
            {"s": hamme.slug},
        ).all()
    assert [r.title for r in rows] == [f"Grünfläche {i}" for i in range(1, 5)]
    for r, spot in zip(rows, UTM_SPOTS, strict=True):
        lon, lat = hamme.addresses[spot]
        assert abs(r.lon - lon) < 1e-6 and abs(r.lat - lat) < 1e-6  # 25832 → 4326 exactly
        assert r.georef_method is None and r.status == "draft"
    listed = http.get(
        "/api/observations",
        params={"quarter": hamme.slug, "layer": "gruen-freiraum"},
        headers=auth(team.planner),
    ).json()
    assert listed["total"] == 4
    public = http.get("/api/observations", params={"quarter": hamme.slug}).json()
    assert public["total"] == 0  # drafts are not public


def test_the_address_only_list_is_refused_per_row_and_writes_nothing(
    http: httpx.Client, team: Team, hamme: Hamme, engine: Engine
) -> None:
    before = count(engine, "observation")
    job = run_job(
        http,
        team.planner,
        "sportstaetten.csv",
        sports_csv(),
        quarter=hamme.slug,
        layer="gemeinwesen",
        kind="strength",
    )
    assert job["state"] == "refused"
    refused = {r["row"]: r for r in job["result"]["refused"]}
    assert {k: v["code"] for k, v in refused.items()} == REFUSED
    assert "Kuhlenkampweg 3" in refused[6]["message_de"]
    assert refused[6]["message_en"].startswith("Address not found in the gazetteer")
    assert refused[7]["message_de"] == "Weder Koordinaten noch Adresse."
    assert job["result"]["written"] is False and count(engine, "observation") == before


def _by_title(engine: Engine, slug: str, layer: str) -> dict[str, dict]:
    with engine.connect() as conn:
        rows = (
            conn.execute(
                text(
                    "SELECT o.id, title, georef_method, ST_X(geom) AS lon, ST_Y(geom) AS lat, "
                    "version "
                    "FROM observation o JOIN quarter q ON q.id = o.quarter_id "
                    "WHERE q.slug = :s AND layer_id = :l"
                ),
                {"s": slug, "l": layer},
            )
            .mappings()
            .all()
        )
    return {r["title"]: dict(r) for r in rows}


def test_address_rows_are_placed_with_their_precision_and_reimports_update(
    http: httpx.Client, team: Team, hamme: Hamme, engine: Engine
) -> None:
    form = {
        "quarter": hamme.slug,
        "layer": "sicherheit",
        "kind": "strength",
        "skip_invalid": "true",
    }
    job = run_job(http, team.planner, "sportstaetten.csv", sports_csv(), **form)
    assert job["state"] == "done", job
    result = job["result"]
    assert result["inserted"] == 6 and result["refused_count"] == 2
    assert result["georef"] == {"address": 5, "street": 1}
    assert {p["row"]: p["method"] for p in result["placed"]} == PLACED
    stored = _by_title(engine, hamme.slug, "sicherheit")
    titles = {int(r[0]): r[1] for r in SPORTS_ROWS}
    assert {titles[row]: m for row, m in PLACED.items()} == {
        t: r["georef_method"] for t, r in stored.items()
    }
    lon, lat = hamme.addresses["Poststraße 10"]
    post = stored["Bezirkssportanlage Poststraße"]
    assert abs(post["lon"] - lon) < 1e-9 and abs(post["lat"] - lat) < 1e-9

    again = run_job(http, team.planner, "sportstaetten.csv", sports_csv(), **form)["result"]
    assert (again["inserted"], again["existing"], again["updated"]) == (0, 6, 0)
    assert len(_by_title(engine, hamme.slug, "sicherheit")) == 6

    edited = [list(r) for r in SPORTS_ROWS]
    edited[1][1] = "Bezirkssportanlage Poststraße (saniert)"
    edited[2][4] = "31"  # Reichsstraße 21 → 31
    changed = run_job(http, team.planner, "sportstaetten.csv", sports_csv(edited), **form)
    assert (changed["result"]["inserted"], changed["result"]["updated"]) == (0, 2)
    after = _by_title(engine, hamme.slug, "sicherheit")
    assert len(after) == 6 and "Bezirkssportanlage Poststraße" not in after
    renamed = after["Bezirkssportanlage Poststraße (saniert)"]
    assert renamed["id"] == post["id"] and renamed["version"] == post["version"] + 1
    moved_lon, moved_lat = hamme.addresses["Reichsstraße 31"]
    assert abs(after["Turnhalle Reichsstraße"]["lon"] - moved_lon) < 1e-9
    assert abs(after["Turnhalle Reichsstraße"]["lat"] - moved_lat) < 1e-9
    untouched = after["Sporthalle Amtsstraße"]
    assert untouched["version"] == stored["Sporthalle Amtsstraße"]["version"]

    report = http.get(changed["report_url"], headers=auth(team.planner))
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    assert "bericht_sportstaetten.csv" in report.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:3] == ["Zeile / row", "Ergebnis / outcome", "Code"]
    by_row = {int(line[0]): line for line in lines[1:]}
    assert by_row[6][2] == "address_not_found" and "Kuhlenkampweg" in by_row[6][5]
    assert (
        by_row[7][2] == "address_missing" and by_row[7][6] == "Neither coordinates nor an address."
    )
    assert by_row[4][3] == "street" and by_row[2][3] == "address"
    assert len(by_row) == 8


def test_a_reference_layer_reimport_updates_changed_rows_and_removes_gone_ones(
    http: httpx.Client, team: Team, hamme: Hamme, engine: Engine
) -> None:
    form = {"quarter": hamme.slug, "layer": "referenz-spielplaetze", "crs": "25832"}
    name = f"gruen_{uuid.uuid4().hex[:6]}.csv"
    first = run_job(http, team.planner, name, utm_csv(hamme), **form)["result"]
    assert (first["target"], first["inserted"], first["key_column"]) == ("reference", 4, "Nr")
    where = f"layer_id = 'referenz-spielplaetze' AND source = 'import:{name}'"
    with engine.connect() as conn:
        ids = dict(
            conn.execute(text(f"SELECT source_key, id FROM reference_feature WHERE {where}")).all()
        )
    assert sorted(ids) == ["G1", "G2", "G3", "G4"]
    same = run_job(http, team.planner, name, utm_csv(hamme), **form)["result"]
    assert (same["inserted"], same["updated"], same["existing"]) == (0, 0, 4)
    titles = ["Grünfläche 1", "Grünfläche 2 (neu angelegt)", "Grünfläche 3"]
    changed = run_job(http, team.planner, name, utm_csv(hamme, titles, UTM_SPOTS[:3]), **form)
    assert (changed["result"]["inserted"], changed["result"]["updated"]) == (0, 1)
    assert "1 " in changed["result"]["notes"][0]["de"]  # G4 removed: no longer in the file
    with engine.connect() as conn:
        after = {
            r.source_key: r
            for r in conn.execute(
                text(
                    "SELECT source_key, id, properties->>'Bezeichnung' AS title "
                    f"FROM reference_feature WHERE {where}"
                )
            )
        }
    assert sorted(after) == ["G1", "G2", "G3"]
    assert after["G2"].title == "Grünfläche 2 (neu angelegt)" and after["G2"].id == ids["G2"]
    assert after["G1"].id == ids["G1"]


def test_the_cli_places_addresses_too(
    hamme: Hamme, database_url: str, tmp_path, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    from tests.test_cli import karte

    path = tmp_path / "sportstaetten.csv"
    path.write_bytes(sports_csv())
    result = karte(
        "import",
        str(path),
        "--quarter",
        hamme.slug,
        "--layer",
        "wohnen",
        "--kind",
        "strength",
        "--skip-invalid",
        KARTE_DATABASE_URL=database_url,
    )
    # --skip-invalid: the refused rows are skipped and said so, the import counts as done
    assert result.returncode == 0, result.stdout + result.stderr
    assert "übersprungen (--skip-invalid)" in result.stdout
    assert "address 5" in result.stdout and "street 1" in result.stdout
    assert "address_not_found" in result.stdout and "Kuhlenkampweg" in result.stdout
    assert "Kennung / id column: Nr" in result.stdout
    named = karte("import", str(path), "--quarter", hamme.slug, "--layer", "bildung", "--kind",
                  "strength", "--skip-invalid", "--id-column", "-", "--address",
                  "Straße+Hausnummer", KARTE_DATABASE_URL=database_url)  # fmt: skip
    assert "address 5" in named.stdout and "Kennung" not in named.stdout  # ids from content
    assert "8 gelesen, 6 neu" in named.stdout
    assert (
        count(
            engine,
            "observation",
            f"layer_id = 'wohnen' AND georef_method = 'street' AND quarter_id = {hamme.id}",
        )
        == 1
    )
