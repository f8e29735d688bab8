"""Exports per quarter and layer: GeoPackage, GeoJSON, CSV; what planners and the public get."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import httpx
import pyogrio
import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner, Result

from mapservice.catalog import Catalog
from tests.capture_fixtures import Team, observation_body
from tests.test_imports_support import (  # noqa: F401
    Place,
    catalog_fixture,
    csv_file,
    do_import,
    place_fixture,
)


@pytest.fixture(scope="module")
def seeded(
    engine: Engine,
    catalog: Catalog,
    place: Place,
    live_server,
    team: Team,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, str]:
    """In the quarter's layer ``bildung``: a published observation by a field account, a
    draft imported by a planner; a published finding placed at a home address."""
    with httpx.Client(base_url=live_server.url) as http:
        body = observation_body(
            layer="bildung",
            title="Schulweg unsicher",
            geometry={"type": "Point", "coordinates": list(Place.point(400))},
        )
        created = http.post("/api/observations", json=body, headers=Team.auth(team.field))
        assert created.status_code == 201, created.text
        oid = created.json()["id"]
        done = http.post(
            f"/api/observations/{oid}/moderation",
            json={"status": "published"},
            headers=Team.auth(team.planner),
        )
        assert done.status_code == 200
    folder = tmp_path_factory.mktemp("export-seed")
    lon, lat = Place.point(401)
    draft = csv_file(
        folder / "entwurf.csv",
        ["lat", "lon", "title", "kind", "layer"],
        [[lat, lon, "Entwurf Bibliothek", "idea", "bildung"]],
    )
    assert do_import(engine, catalog, draft, quarter=place.slug).written
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO gazetteer_entry (quarter_id, kind, name, street, housenumber, geom, "
                "source) VALUES (:q, 'address', 'Liststraße 12', 'Liststraße', '12', "
                "ST_GeomFromText('POINT(9.1763 48.7722)', 4326), 'import-tests')"
            ),
            {"q": place.id},
        )
        # Neighbours: a home is only published among at least five addresses (k = 5).
        for n in range(14, 30, 2):
            conn.execute(
                text(
                    "INSERT INTO gazetteer_entry (quarter_id, kind, name, street, housenumber, "
                    "geom, source) VALUES (:q, 'address', :name, 'Liststraße', :hn, "
                    "ST_SetSRID(ST_MakePoint(:x, 48.7722), 4326), 'import-tests')"
                ),
                {"q": place.id, "name": f"Liststraße {n}", "hn": str(n),
                 "x": 9.1763 + (n - 12) * 0.00004},
            )  # fmt: skip
    header = ["pseudonym", "gruppe", "datum", "aussage", "ebene", "art", "ort", "status"]
    rows = [
        [
            "E-1",
            "Bewohner*innen",
            "2026-03-02",
            "Vor meiner Haustür parken Lkw.",
            "mobilitaet",
            "Problem",
            "Liststraße 12",
            "published",
        ]
    ]
    findings = csv_file(folder / "aussagen.csv", header, rows, sep=",")
    result = do_import(engine, catalog, findings, quarter=place.slug)
    assert result.written and result.georef == {"address": 1}, result.as_dict()
    return {"published": oid}


def test_planner_geopackage_has_every_row_and_its_columns(
    http: httpx.Client, team: Team, place: Place, engine: Engine, seeded: dict, tmp_path: Path
) -> None:
    response = http.get(f"/api/exports/{place.slug}/bildung.gpkg", headers=Team.auth(team.planner))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geopackage+sqlite3"
    assert "attachment" in response.headers["content-disposition"]
    path = tmp_path / "export.gpkg"
    path.write_bytes(response.content)
    frame = pyogrio.read_dataframe(path, layer="bildung")
    with engine.connect() as conn:
        expected = conn.execute(
            text("SELECT count(*) FROM observation WHERE quarter_id = :q AND layer_id = 'bildung'"),
            {"q": place.id},
        ).scalar_one()
    assert len(frame) == expected == 2
    for column in ("id", "kind", "title", "status", "observed_at", "author", "walkthrough"):
        assert column in frame.columns
    assert frame.crs.to_epsg() == 4326
    assert set(frame["status"]) == {"published", "draft"}


def test_public_geojson_has_no_drafts_and_no_author(
    http: httpx.Client, place: Place, seeded: dict
) -> None:
    response = http.get(f"/api/exports/{place.slug}/bildung.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    features = response.json()["features"]
    assert [f["id"] for f in features] == [seeded["published"]]
    props = features[0]["properties"]
    assert "author" not in props and props["status"] == "published"
    assert "Entwurf" not in response.text and "field-" not in response.text


def test_public_findings_export_shows_the_generalised_place_only(
    http: httpx.Client, team: Team, place: Place, engine: Engine, seeded: dict
) -> None:
    public = http.get(f"/api/exports/{place.slug}/aussagen.geojson").json()["features"]
    planner = http.get(
        f"/api/exports/{place.slug}/aussagen.geojson", headers=Team.auth(team.planner)
    ).json()["features"]
    mine = [f for f in public if "Haustür" in f["properties"]["statement"]]
    exact = [f for f in planner if "Haustür" in f["properties"]["statement"]]
    assert len(mine) == 1 and len(exact) == 1
    assert mine[0]["properties"]["place_text"] is None  # the home address is not published
    assert exact[0]["properties"]["place_text"] == "Liststraße 12"
    assert exact[0]["geometry"]["coordinates"] == pytest.approx([9.1763, 48.7722])
    assert mine[0]["geometry"]["coordinates"] != exact[0]["geometry"]["coordinates"]
    text_all = json.dumps(public) + json.dumps(planner)
    assert "E-1" not in text_all and "pseudonym" not in text_all  # never the interviewee


def test_csv_export_lists_lon_lat_and_wkt(
    http: httpx.Client, team: Team, place: Place, seeded: dict
) -> None:
    response = http.get(f"/api/exports/{place.slug}/bildung.csv", headers=Team.auth(team.planner))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[0]["layer"] == "bildung"
    assert rows[0]["wkt"].startswith("POINT") and float(rows[0]["lon"]) > 9


def test_unknown_quarter_layer_and_format(http: httpx.Client, place: Place) -> None:
    assert http.get("/api/exports/atlantis/bildung.gpkg").status_code == 404
    assert http.get(f"/api/exports/{place.slug}/weltraum.gpkg").status_code == 404
    bad = http.get(f"/api/exports/{place.slug}/bildung.xlsx")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_option"
    sql = http.get(f"/api/exports/{place.slug}/bildung';--.csv")
    assert sql.status_code == 400


def _karte(*args: str) -> Result:
    """The ``karte`` command in this process (a subprocess would cost seconds of imports)."""
    from mapservice.cli import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_cli_import_report_and_export(
    database_url: str, place: Place, seeded: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KARTE_DATABASE_URL", database_url)
    lon, lat = Place.point(410)
    path = csv_file(
        tmp_path / "cli.csv",
        ["lat", "lon", "title", "kind", "layer", "rating"],
        [
            [lat, lon, "CLI gut", "idea", "bildung", 1],
            [lat, lon, "CLI schlecht", "idea", "bildung", 9],
        ],
    )
    refused = _karte("import", str(path), "--quarter", place.slug)
    assert refused.exit_code == 1, refused.output
    assert "rating_range" in refused.stdout and "Bewertung" in refused.stdout
    assert "nichts gespeichert" in refused.stdout
    done = _karte("import", str(path), "--quarter", place.slug, "--skip-invalid")
    # --skip-invalid asked for the refused rows to be skipped: success, and it says how many
    assert done.exit_code == 0 and "1 neu" in done.stdout, done.output
    assert "1 abgelehnte Zeilen übersprungen" in done.stdout
    out = tmp_path / "hamme.gpkg"
    export = _karte("export", place.slug, "--format", "gpkg", "--out", str(out), "--public")
    assert export.exit_code == 0, export.output
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert "bildung" in layers and "aussagen" in layers
    public = pyogrio.read_dataframe(out, layer="bildung")
    assert list(public["title"]) == ["Schulweg unsicher"] and "author" not in public.columns
