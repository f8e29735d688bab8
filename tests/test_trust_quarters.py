"""Issue 12, part 2: geometries near their quarter, bounded quarter names, token lifetimes,
Shapefile parts — each refused with German + English text and nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from tests.capture_fixtures import X0, X1, Y0, Y1, Team, observation_body
from tests.conftest import count
from tests.test_trust_input import assert_refused

EUROPE = {
    "type": "Polygon",
    "coordinates": [[[-10, 35], [30, 35], [30, 65], [-10, 65], [-10, 35]]],
}
# 0.001° of latitude ≈ 111 m: a square reaching ≈ 220 m (area: allowed) or 1.1 km (refused)
# south of the Frankfurt test quarter.


def _square(reach_deg: float) -> dict:
    x0, x1 = X0 + 0.002, X0 + 0.004
    y0, y1 = Y0 - reach_deg, Y0 + 0.002
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1],
                                                [x0, y0]]]}  # fmt: skip


@pytest.mark.parametrize("with_quarter", [True, False])
def test_polygon_over_europe_is_refused(http, team: Team, engine: Engine, with_quarter) -> None:  # type: ignore[no-untyped-def]
    before = count(engine, "observation")
    extra = {"quarter": team.quarter} if with_quarter else {}
    body = observation_body(geometry=EUROPE, **extra)
    response = http.post("/api/observations", json=body, headers=Team.auth(team.field))
    refusal = assert_refused(
        response, "outside_given_quarter" if with_quarter else "outside_quarter"
    )
    assert "km über das Quartier" in refusal["message_de"]
    assert "500 m" in refusal["message_de"] and "500 m" in refusal["message_en"]
    assert count(engine, "observation") == before


def test_area_may_reach_500_m_beyond_the_quarter(http, team: Team, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    near = observation_body(geometry=_square(0.002), quarter=team.quarter)
    response = http.post("/api/observations", json=near, headers=Team.auth(team.field))
    assert response.status_code == 201, response.text
    far = observation_body(geometry=_square(0.010), quarter=team.quarter)
    response = http.post("/api/observations", json=far, headers=Team.auth(team.field))
    body = assert_refused(response, "outside_given_quarter")
    reach = body["message_en"].split("reaches ")[1].split(" beyond")[0]
    assert reach.endswith(" m") and 1000 < float(reach[:-2].replace(",", "")) < 1200


def test_patch_to_a_huge_geometry_is_refused(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    created = http.post("/api/observations", json=observation_body(),
                        headers=Team.auth(team.field)).json()  # fmt: skip
    response = http.patch(
        f"/api/observations/{created['id']}", json={"version": 1, "geometry": EUROPE},
        headers=Team.auth(team.field),
    )  # fmt: skip
    assert_refused(response, "outside_quarter")
    stored = http.get(f"/api/observations/{created['id']}", headers=Team.auth(team.field)).json()
    assert stored["geometry"]["type"] == "Point" and stored["version"] == 1


def test_track_may_start_km_away_but_not_cross_the_country(http, team: Team) -> None:  # type: ignore[no-untyped-def]
    walk = http.post(
        "/api/walkthroughs",
        json={"quarter": team.quarter, "title": "Vom Bahnhof", "started_at": "2026-04-12T10:00Z"},
        headers=Team.auth(team.field),
    ).json()
    url = f"/api/walkthroughs/{walk['id']}/track"
    start, end = [X0 - 0.03, Y0 + 0.004], [X0 + 0.005, Y0 + 0.004]  # from 2.1 km west
    station = {"type": "LineString", "coordinates": [start, end]}
    assert http.put(url, json=station, headers=Team.auth(team.field)).status_code == 200
    to_berlin = {"type": "LineString", "coordinates": [[13.4, 52.5], [X0 + 0.005, Y0 + 0.004]]}
    body = assert_refused(http.put(url, json=to_berlin, headers=Team.auth(team.field)),
                          "outside_given_quarter")  # fmt: skip
    assert "5.000 m" in body["message_de"] and "5,000 m" in body["message_en"]
    stored = http.get(url.removesuffix("/track"), headers=Team.auth(team.field)).json()
    assert stored["track"]["coordinates"][0][0] == pytest.approx(X0 - 0.03)


def test_bulk_import_refuses_the_europe_polygon(http, team: Team, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    before = count(engine, "observation")
    features = [
        {"type": "Feature", "geometry": EUROPE,
         "properties": {"layer": "mobilitaet", "kind": "problem", "title": "Europa"}},
        {"type": "Feature", "geometry": _square(0.002),
         "properties": {"layer": "mobilitaet", "kind": "idea", "title": "Nah"}},
    ]  # fmt: skip
    content = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    response = http.post(
        "/api/imports",
        files={"file": ("europa.geojson", content, "application/geo+json")},
        data={"quarter": team.quarter},
        headers=Team.auth(team.planner),
    )
    report = response.json()
    assert response.status_code in (400, 422), response.text
    assert "outside_quarter" in json.dumps(report)
    assert count(engine, "observation") == before


# -- quarter names ---------------------------------------------------------------------------
def _quarter_body(name: str, city: str = "Frankfurt") -> dict:
    ring = [[X0, Y0], [X1, Y0], [X1, Y1], [X0, Y1], [X0, Y0]]
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"name": name, "city": city}}  # fmt: skip


@pytest.mark.parametrize(("name", "city"), [("Q" * 10_000, "F"), ("Q" * 121, "F"),
                                             ("   ", "F"), ("Quartier", "S" * 121)])  # fmt: skip
def test_quarter_name_is_bounded(http, team: Team, engine: Engine, name: str, city: str) -> None:  # type: ignore[no-untyped-def]
    before = count(engine, "quarter")
    slug = f"namen-{uuid.uuid4().hex[:8]}"
    response = http.put(f"/api/quarters/{slug}", json=_quarter_body(name, city),
                        headers=Team.auth(team.admin))  # fmt: skip
    assert_refused(response, "quarter_properties")
    assert count(engine, "quarter") == before


def test_quarter_name_of_120_is_accepted(http, team: Team, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    slug = f"namen-{uuid.uuid4().hex[:8]}"
    response = http.put(f"/api/quarters/{slug}", json=_quarter_body("Q" * 120),
                        headers=Team.auth(team.admin))  # fmt: skip
    assert response.status_code == 201, response.text
    assert response.json()["properties"]["name"] == "Q" * 120
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM quarter WHERE slug = :s"), {"s": slug})


@pytest.mark.parametrize("name", ["Q" * 121, " ", ""])
def test_database_refuses_bad_quarter_names_too(engine: Engine, name: str) -> None:
    with pytest.raises(IntegrityError, match="ck_quarter_name_length"), engine.begin() as conn:
        conn.execute(
            text("INSERT INTO quarter (slug, name, city, boundary) VALUES (:s, :n, 'X', "
                 "ST_Multi(ST_MakeEnvelope(1, 1, 2, 2, 4326)))"),
            {"s": f"db-{uuid.uuid4().hex[:8]}", "n": name},
        )  # fmt: skip


# -- tokens ----------------------------------------------------------------------------------
def _karte(database_url: str, monkeypatch: pytest.MonkeyPatch, *args: str):  # type: ignore[no-untyped-def]
    from mapservice.cli import app

    monkeypatch.setenv("KARTE_DATABASE_URL", database_url)
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def _karte_process(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The real ``karte`` entry point (``main``: what a user's shell runs) in a process."""
    env = {**os.environ, "KARTE_DATABASE_URL": database_url, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", "from mapservice.cli import main; main()", *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("days", ["-5", "-1", "100000000"])
def test_token_days_are_bounded(database_url: str, engine: Engine, monkeypatch, days: str) -> None:  # type: ignore[no-untyped-def]
    account = f"tok-{uuid.uuid4().hex[:6]}"
    assert _karte(database_url, monkeypatch, "accounts", "add", account).exit_code == 0
    result = _karte_process(database_url, "tokens", "create", account, "--days", days)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "unbegrenzt" in output and "unlimited" in output and "Traceback" not in output
    where = f"account_id = (SELECT id FROM account WHERE name = '{account}')"
    assert count(engine, "token", where) == 0


def test_create_token_refuses_negative_days(engine: Engine) -> None:
    from mapservice.access import create_account, create_token
    from mapservice.errors import InvalidInput

    with engine.begin() as conn:
        name = f"tok-{uuid.uuid4().hex[:6]}"
        create_account(conn, name, "field")
        with pytest.raises(InvalidInput) as err:
            create_token(conn, name, days=-5)
    assert "-5" in err.value.message_de and "-5" in err.value.message_en


# -- Shapefile parts -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shapefile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shp")
    frame = gpd.GeoDataFrame(
        {"title": ["Bank"], "kind": ["idea"], "layer": ["mobilitaet"]},
        geometry=[Point((X0 + X1) / 2, (Y0 + Y1) / 2)], crs=4326,
    )  # fmt: skip
    frame.to_file(folder / "bank.shp")
    return folder / "bank.shp"


def test_cli_import_of_a_dbf_is_a_clear_error(
    database_url: str, engine: Engine, team: Team, shapefile: Path
) -> None:
    before = count(engine, "observation")
    result = _karte_process(database_url, "import", str(shapefile.with_suffix(".dbf")),
                            "--quarter", team.quarter)  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert "Teil eines Shapefiles" in output and "part of a Shapefile" in output
    assert count(engine, "observation") == before


def _zip(folder: Path, shapefile: Path, parts: tuple[str, ...]) -> bytes:
    path = folder / "parts.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for ext in parts:
            archive.write(shapefile.with_suffix(ext), f"bank{ext}")
    return path.read_bytes()


@pytest.mark.parametrize(
    ("parts", "missing"),
    [((".shp", ".dbf", ".prj"), "bank.shx"), ((".shp", ".shx", ".prj"), "bank.dbf"),
     ((".dbf", ".prj"), ".shp")],
)  # fmt: skip
def test_zip_without_shx_is_refused(
    http, team: Team, engine: Engine, shapefile: Path, tmp_path: Path, parts, missing
) -> None:  # type: ignore[no-untyped-def]
    before = count(engine, "observation")
    content = _zip(tmp_path, shapefile, parts)
    response = http.post(
        "/api/imports", files={"file": ("bank.zip", content, "application/zip")},
        data={"quarter": team.quarter}, headers=Team.auth(team.planner),
    )  # fmt: skip
    body = assert_refused(response, "shapefile_incomplete")
    assert missing in body["message_de"] and missing in body["message_en"]
    assert count(engine, "observation") == before


def test_complete_zip_still_imports(http, team: Team, engine: Engine, shapefile, tmp_path) -> None:  # type: ignore[no-untyped-def]
    content = _zip(tmp_path, shapefile, (".shp", ".shx", ".dbf", ".prj"))
    before = count(engine, "observation")
    response = http.post(
        "/api/imports", files={"file": ("bank.zip", content, "application/zip")},
        data={"quarter": team.quarter}, headers=Team.auth(team.planner),
    )  # fmt: skip
    assert response.status_code in (200, 201), response.text
    assert count(engine, "observation") == before + 1
