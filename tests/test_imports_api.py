"""The planner endpoint ``POST /api/imports`` over real HTTP: report, refusals, limits, roles."""

from __future__ import annotations

import json
import uuid
import zipfile
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from mapservice.access import create_account, create_token
from tests.capture_fixtures import Team
from tests.conftest import count
from tests.test_imports_support import Place, counts, place_fixture  # noqa: F401


@pytest.fixture(autouse=True)
def _quarter(place: Place) -> Place:
    return place


def _geojson(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _point(i: int, **props: object) -> dict:
    base = {"layer": "barrierefreiheit", "kind": "problem", "title": f"Stufe {i}"}
    geometry = {"type": "Point", "coordinates": list(Place.point(i))}
    return {"type": "Feature", "geometry": geometry, "properties": {**base, **props}}


def _post(
    http: httpx.Client, token: str | None, content: bytes, name: str = "datei.geojson", **form: str
) -> httpx.Response:
    headers = Team.auth(token) if token else {}
    files = {"file": (name, content, "application/octet-stream")}
    return http.post("/api/imports", files=files, data=form, headers=headers)


def test_planner_imports_a_file_and_gets_the_report(
    http: httpx.Client, team: Team, engine: Engine
) -> None:
    content = _geojson(_point(300), _point(301, title="Bordstein"))
    response = _post(http, team.planner, content, status="review")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["inserted"] == 2 and report["written"] and report["format"] == "geojson"
    assert report["summary_de"].startswith("2 gelesen, 2 neu")
    assert count(engine, "observation", "title = 'Bordstein' AND status = 'review'") == 1
    with engine.connect() as conn:
        author = conn.execute(text("SELECT author FROM observation WHERE title = 'Bordstein'"))
        assert author.scalar_one().startswith("planner-")
    again = _post(http, team.planner, content).json()
    assert (again["inserted"], again["existing"]) == (0, 2)


def test_refused_file_answers_400_with_rows_and_writes_nothing(
    http: httpx.Client, team: Team, engine: Engine
) -> None:
    before = counts(engine)
    content = _geojson(_point(310), _point(311, rating=9), _point(312, layer="weltraum"))
    response = _post(http, team.planner, content)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_refused" and body["message_de"] and body["message_en"]
    refused = {r["row"]: r for r in body["report"]["refused"]}
    assert {k: v["code"] for k, v in refused.items()} == {2: "rating_range", 3: "unknown_layer"}
    assert refused[3]["message_de"].startswith("Unbekannte Themenebene")
    assert body["report"]["written"] is False and counts(engine) == before
    skipped = _post(http, team.planner, content, skip_invalid="true")
    assert skipped.status_code == 200 and skipped.json()["inserted"] == 1


def test_dry_run_over_http_writes_nothing(http: httpx.Client, team: Team, engine: Engine) -> None:
    before = counts(engine)
    response = _post(http, team.planner, _geojson(_point(320)), dry_run="true")
    assert response.status_code == 200 and response.json()["dry_run"] is True
    assert counts(engine) == before


def test_fifty_megabytes_are_refused_with_413(
    http: httpx.Client, team: Team, engine: Engine
) -> None:
    before = counts(engine)
    response = _post(http, team.planner, b"x" * (50 * 1024 * 1024), name="gross.csv")
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "too_large" and "MB" in body["message_de"] and body["message_en"]
    assert counts(engine) == before


def test_wrong_expired_and_field_tokens(http: httpx.Client, team: Team, engine: Engine) -> None:
    content = _geojson(_point(330))
    anonymous = _post(http, None, content)
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "token_required"
    wrong = _post(http, "karte_falsch", content)
    assert wrong.status_code == 401 and wrong.json()["code"] == "token_invalid"
    field = _post(http, team.field, content)
    assert field.status_code == 403 and field.json()["code"] == "role_forbidden"
    assert field.json()["message_de"] and field.json()["message_en"]
    name = f"planner-old-{uuid.uuid4().hex[:6]}"
    with engine.begin() as conn:
        create_account(conn, name, "planner")
        old = create_token(conn, name, days=1)
        conn.execute(
            text(
                "UPDATE token SET expires_at = now() - interval '1 hour' "
                "WHERE account_id = (SELECT id FROM account WHERE name = :n)"
            ),
            {"n": name},
        )
    expired = _post(http, old, content)
    assert expired.status_code == 401 and expired.json()["code"] == "token_expired"
    assert count(engine, "observation", "title = 'Stufe 330'") == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quarter", "x'; DROP TABLE observation;--"),
        ("layer", "umwelt' OR '1'='1"),
        ("crs", "4326; DROP TABLE quarter"),
        ("format", "geojson'--"),
        ("dry_run", "1 OR 1=1"),
        ("walkthrough", "'; SELECT pg_sleep(10);--"),
        ("admin", "true"),
    ],
)
def test_sql_meta_characters_in_form_options_are_refused(
    http: httpx.Client, team: Team, engine: Engine, field: str, value: str
) -> None:
    before = counts(engine)
    response = _post(http, team.planner, _geojson(_point(340)), **{field: value})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] in ("invalid_option", "unknown_crs")
    assert body["message_de"] and body["message_en"]
    assert counts(engine) == before


def test_missing_file_field(http: httpx.Client, team: Team) -> None:
    response = http.post("/api/imports", data={"format": "csv"}, headers=Team.auth(team.planner))
    assert response.status_code == 400 and response.json()["code"] == "no_file"


def test_upload_keeps_only_the_base_name_of_the_file(http: httpx.Client, team: Team) -> None:
    content = _geojson(_point(350))
    response = _post(http, team.planner, content, name="../../etc/passwd\x07.geojson")
    assert response.status_code == 200, response.text
    name = response.json()["file"]
    assert "/" not in name and name.startswith("passwd") and name.endswith(".geojson")


def test_zipped_shapefile_upload_as_reference_layer(
    http: httpx.Client, team: Team, engine: Engine, tmp_path: Path
) -> None:
    """A browser uploads one file: a Shapefile comes as a ZIP with its .prj, .dbf, .shx."""
    bochum = Path(__file__).resolve().parents[1] / "data" / "bochum-opendata"
    archive = tmp_path / "kitas.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            zipped.write(bochum / f"bochum_daycare_centers.{ext}", f"kitas.{ext}")
    response = _post(http, team.admin, archive.read_bytes(), name="kitas.zip",
                     layer="referenz-kitas")  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["target"] == "reference" and body["crs"] == "EPSG:25832" and body["read"] == 195
    assert count(engine, "reference_feature", "source = 'import:kitas.zip'") == 195
