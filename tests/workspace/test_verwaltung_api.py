"""Administration API over real HTTP: accounts, rights, tokens, quarters from files."""

from __future__ import annotations

import uuid
from pathlib import Path

import geopandas as gpd
import httpx
import pytest
from shapely.geometry import Point, box
from sqlalchemy import Engine, text

from tests.conftest import count
from tests.workspace.conftest import PASSWORD, WorkspaceTeam


def uid() -> str:
    return uuid.uuid4().hex[:6]


def assert_error(r: httpx.Response, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code, body
    assert body["message_de"] and body["message_en"]


def test_only_admins_reach_the_administration(
    http: httpx.Client, workspace_team: WorkspaceTeam
) -> None:
    assert_error(http.get("/api/admin/accounts"), 401, "token_required")
    for member in (workspace_team.planner, workspace_team.field):
        assert_error(http.get("/api/admin/accounts", headers=member.auth), 403, "role_forbidden")
        assert_error(
            http.post(
                "/api/admin/tokens", json={"account": member.name, "days": 5}, headers=member.auth
            ),
            403,
            "role_forbidden",
        )
    r = http.get("/api/admin/accounts", headers=workspace_team.admin.auth)
    assert r.status_code == 200
    names = {a["name"]: a for a in r.json()}
    planner = names[workspace_team.planner.name]
    assert planner["role"] == "planner" and planner["has_password"] is True
    assert planner["layers"] is None and planner["quarters"] is None


def test_create_change_disable_an_account(
    http: httpx.Client, engine: Engine, workspace_team: WorkspaceTeam
) -> None:
    auth = workspace_team.admin.auth
    name = f"neu-{uid()}"
    r = http.post(
        "/api/admin/accounts",
        headers=auth,
        json={
            "name": name,
            "role": "planner",
            "display_name": "Neue Planerin",
            "password": PASSWORD,
            "layers": ["mobilitaet", "umwelt"],
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["layers"] == ["mobilitaet", "umwelt"] and r.json()["quarters"] is None
    assert_error(
        http.post("/api/admin/accounts", headers=auth, json={"name": name, "role": "planner"}),
        409,
        "account_exists",
    )
    signed = http.post("/api/auth/login", json={"account": name, "password": PASSWORD}).json()
    session = {"Authorization": f"Bearer {signed['token']}"}
    assert http.get("/api/auth/me", headers=session).json()["layers"] == ["mobilitaet", "umwelt"]

    r = http.patch(
        f"/api/admin/accounts/{name}", headers=auth, json={"role": "field", "layers": None}
    )
    assert r.status_code == 200 and r.json()["role"] == "field" and r.json()["layers"] is None
    r = http.patch(f"/api/admin/accounts/{name}", headers=auth, json={"disabled": True})
    assert r.json()["disabled"] is True
    assert_error(http.get("/api/auth/me", headers=session), 401, "token_revoked")
    assert_error(
        http.post("/api/auth/login", json={"account": name, "password": PASSWORD}),
        401,
        "account_disabled",
    )
    http.patch(f"/api/admin/accounts/{name}", headers=auth, json={"disabled": False})
    r = http.put(
        f"/api/admin/accounts/{name}/password",
        headers=auth,
        json={"password": "ganz-anderes-Passwort"},
    )
    assert r.status_code == 200
    ok = http.post("/api/auth/login", json={"account": name, "password": "ganz-anderes-Passwort"})
    assert ok.status_code == 200 and ok.json()["account"]["role"] == "field"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"role": "chef"}, "unknown_role"),
        ({"role": "planner", "password": "kurz"}, "password_too_short"),
        ({"role": "planner", "layers": ["gibtsnicht"]}, "unknown_layer"),
        ({"role": "planner", "quarters": ["nirgendwo"]}, "unknown_quarter"),
        ({"role": "planner", "extra": 1}, "invalid_input"),
    ],
)
def test_bad_accounts_are_refused_and_nothing_is_written(
    http: httpx.Client, engine: Engine, workspace_team: WorkspaceTeam, body: dict, code: str
) -> None:
    name = f"kaputt-{uid()}"
    r = http.post(
        "/api/admin/accounts", headers=workspace_team.admin.auth, json={"name": name, **body}
    )
    assert_error(r, 400, code)
    assert count(engine, "account", f"name = '{name}'") == 0


def test_an_admin_cannot_lock_themself_out(
    http: httpx.Client, workspace_team: WorkspaceTeam
) -> None:
    admin = workspace_team.admin
    for change in ({"disabled": True}, {"role": "planner"}):
        assert_error(
            http.patch(f"/api/admin/accounts/{admin.name}", headers=admin.auth, json=change),
            409,
            "self_lockout",
        )
    assert_error(
        http.patch("/api/admin/accounts/niemand-da", headers=admin.auth, json={"role": "planner"}),
        404,
        "unknown_account",
    )


def test_tokens_created_used_listed_and_revoked(
    http: httpx.Client, workspace_team: WorkspaceTeam
) -> None:
    auth, field = workspace_team.admin.auth, workspace_team.field
    r = http.post(
        "/api/admin/tokens",
        headers=auth,
        json={"account": field.name, "days": 30, "label": "Tablet Hamme"},
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["token"].startswith("karte_") and made["state"] == "active"
    assert made["last_used_at"] is None and made["kind"] == "api"
    headers = {"Authorization": f"Bearer {made['token']}"}
    assert http.get("/api/auth/me", headers=headers).json()["account"] == field.name
    listed = http.get("/api/admin/tokens", headers=auth, params={"account": field.name}).json()
    mine = next(t for t in listed if t["id"] == made["id"])
    assert "token" not in mine and mine["label"] == "Tablet Hamme"
    assert mine["last_used_at"] is not None  # noted at its first use
    r = http.post(f"/api/admin/tokens/{made['id']}/revoke", headers=auth)
    assert r.json()["state"] == "revoked"
    assert_error(http.get("/api/auth/me", headers=headers), 401, "token_revoked")
    active = http.get("/api/admin/tokens", headers=auth, params={"account": field.name}).json()
    assert made["id"] not in {t["id"] for t in active}
    every = http.get(
        "/api/admin/tokens", headers=auth, params={"account": field.name, "all": "true"}
    ).json()
    assert made["id"] in {t["id"] for t in every}
    for days in (0, 4000):
        assert_error(
            http.post(
                "/api/admin/tokens", headers=auth, json={"account": field.name, "days": days}
            ),
            400,
            "token_days",
        )
    assert_error(
        http.post("/api/admin/tokens", headers=auth, json={"account": "niemand-da", "days": 3}),
        404,
        "unknown_account",
    )
    assert_error(http.post("/api/admin/tokens/999999/revoke", headers=auth), 404, "unknown_token")


def _geojson(tmp_path: Path, geom: object, crs: str = "EPSG:4326", name: str = "g.geojson") -> Path:
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[geom], crs=crs)
    path = tmp_path / name
    frame.to_file(path, driver="GPKG" if name.endswith(".gpkg") else "GeoJSON")
    return path


def upload(http: httpx.Client, auth: dict, slug: str, path: Path, **fields: str) -> httpx.Response:
    with open(path, "rb") as handle:
        return http.post(
            f"/api/admin/quarters/{slug}/boundary",
            headers=auth,
            files={"file": (path.name, handle.read())},
            data={"name": "Testviertel", "city": "Bochum", **fields},
        )


def test_quarter_from_geojson_then_geopackage_in_25832_then_renamed(
    http: httpx.Client, engine: Engine, workspace_team: WorkspaceTeam, tmp_path: Path
) -> None:
    auth, slug = workspace_team.admin.auth, f"viertel-{uid()}"
    r = upload(http, auth, slug, _geojson(tmp_path, box(7.30, 51.40, 7.31, 51.41)))
    assert r.status_code == 200, r.text
    assert r.json()["created"] is True and r.json()["source_epsg"] == 4326
    assert r.json()["bbox"] == pytest.approx([7.30, 51.40, 7.31, 51.41], abs=1e-6)
    # the same quarter from a GeoPackage in ETRS89 / UTM 32N: two squares, replaced
    utm = gpd.GeoSeries([box(7.32, 51.42, 7.33, 51.43)], crs=4326).to_crs(25832).iloc[0]
    gpkg = _geojson(tmp_path, utm, crs="EPSG:25832", name="grenze.gpkg")
    r = upload(http, auth, slug, gpkg, name="Neues Viertel")
    assert r.status_code == 200, r.text
    assert r.json()["created"] is False and r.json()["source_epsg"] == 25832
    assert r.json()["name"] == "Neues Viertel"
    assert r.json()["bbox"] == pytest.approx([7.32, 51.42, 7.33, 51.43], abs=1e-4)
    r = http.patch(f"/api/admin/quarters/{slug}", headers=auth, json={"name": "Umbenannt"})
    assert r.json()["name"] == "Umbenannt" and r.json()["city"] == "Bochum"
    public = http.get(f"/api/quarters/{slug}").json()
    assert public["properties"]["name"] == "Umbenannt"
    listed = http.get("/api/admin/quarters", headers=auth).json()
    assert any(q["slug"] == slug and q["area_km2"] > 0.5 for q in listed)


def test_bad_boundary_files_are_refused_and_nothing_changes(
    http: httpx.Client, engine: Engine, workspace_team: WorkspaceTeam, tmp_path: Path
) -> None:
    auth, slug = workspace_team.admin.auth, f"viertel-{uid()}"
    points = _geojson(tmp_path, Point(7.3, 51.4), name="punkte.geojson")
    assert_error(upload(http, auth, slug, points), 400, "boundary_not_polygons")
    text_file = tmp_path / "grenze.txt"
    text_file.write_text("kein geo")
    assert_error(upload(http, auth, slug, text_file), 400, "boundary_format")
    broken = tmp_path / "kaputt.geojson"
    broken.write_text("{ nicht json")
    assert_error(upload(http, auth, slug, broken), 400, "file_unreadable")
    empty = tmp_path / "leer.geojson"
    empty.write_text("")
    assert_error(upload(http, auth, slug, empty), 400, "file_empty")
    far = _geojson(tmp_path, box(7.3, 51.4, 7.31, 51.41), name="ok.geojson")
    assert_error(upload(http, auth, "Böser Slug", far), 400, "invalid_slug")
    assert count(engine, "quarter", f"slug = '{slug}'") == 0
    assert_error(upload(http, workspace_team.planner.auth, slug, far), 403, "role_forbidden")
    assert_error(
        http.patch(f"/api/admin/quarters/{slug}", headers=auth, json={"name": "x"}),
        404,
        "unknown_quarter",
    )
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM quarter WHERE slug = :s"), {"s": slug}).scalar()
            == 0
        )
