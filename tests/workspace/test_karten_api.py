"""Karten section, JSON API over real HTTP: saved map views (/api/workspace/views).

Create, list, read, rename, change, delete; every field's bad values (names, layers, filters,
extent, overlays with bad URLs) answered 400 in German and English with nothing written;
rights: field teams and the public refused, planners see and change their own views, admins
all, a planner restricted to quarters only works in those.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.conftest import count
from tests.workspace.conftest import Member, WorkspaceTeam, add_member

Q = "bochum-hamme"
API = "/api/workspace/views"
WMS = {
    "type": "wms",
    "url": "https://geo.example.org/wms?map=isek",
    "layers": "isek_gebiete",
    "title": "ISEK-Gebiete",
}


def body(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "quarter": Q,
        "layers": ["gruen-freiraum", "referenz-schulen"],
        "filters": {"kinds": ["problem", "idea"], "from": "2024-01-01", "to": "2026-12-31"},
        "extent": {"lat": 51.4905, "lon": 7.1942, "zoom": 16},
        "overlays": [WMS],
        **extra,
    }


def create(http: Any, member: Member, data: dict[str, Any]) -> dict[str, Any]:
    response = http.post(API, json=data, headers=member.auth)
    assert response.status_code == 201, response.text
    return response.json()


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    data = response.json()
    assert data["code"] == code, data
    assert data["message_de"] and data["message_en"] and data["message_de"] != data["message_en"]
    return data


def test_create_list_get_rename_update_delete(
    http: Any, demo_loaded: Any, workspace_team: WorkspaceTeam, engine: Engine
) -> None:
    planner = workspace_team.planner
    view = create(http, planner, body("Grün und Schulen 2026"))
    assert len(view["id"]) == 10 and view["id"].isalnum()
    assert view["quarter"] == Q and view["owner"] == planner.name
    assert view["layers"] == ["gruen-freiraum", "referenz-schulen"]  # catalogue order
    assert view["filters"] == {
        "kinds": ["problem", "idea"],
        "from": "2024-01-01",
        "to": "2026-12-31",
    }
    assert view["extent"] == {"lat": 51.4905, "lon": 7.1942, "zoom": 16}
    assert view["overlays"] == [{**WMS, "opacity": 0.8}]
    assert view["links"] == {
        "map": f"/maps/{Q}?ansicht={view['id']}",
        "embed": f"/embed/{Q}?ansicht={view['id']}",
    }
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT name, owner, layers, zoom, overlays FROM map_view WHERE id = :i"),
            {"i": view["id"]},
        ).one()
    assert row.name == "Grün und Schulen 2026" and row.zoom == 16
    assert row.overlays[0]["origin"] == "https://geo.example.org"

    listed = http.get(API, headers=planner.auth).json()["views"]
    assert view["id"] in [v["id"] for v in listed]
    assert http.get(API, params={"quarter": "dortmund-marten"}, headers=planner.auth).json()[
        "views"
    ] == [v for v in listed if v["quarter"] == "dortmund-marten"]
    assert http.get(f"{API}/{view['id']}", headers=planner.auth).json() == view

    renamed = http.patch(f"{API}/{view['id']}", json={"name": "ISEK 2026"}, headers=planner.auth)
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "ISEK 2026"
    assert renamed.json()["layers"] == view["layers"]  # the rest stays
    changed = http.patch(
        f"{API}/{view['id']}",
        json={"layers": ["aussagen"], "extent": None, "overlays": [], "filters": {}},
        headers=planner.auth,
    ).json()
    assert changed["layers"] == ["aussagen"] and changed["extent"] is None
    assert changed["overlays"] == [] and changed["filters"] == {}

    assert http.delete(f"{API}/{view['id']}", headers=planner.auth).status_code == 204
    assert count(engine, "map_view", f"id = '{view['id']}'") == 0
    refused(http.get(f"{API}/{view['id']}", headers=planner.auth), 404, "unknown_view")
    refused(http.delete(f"{API}/{view['id']}", headers=planner.auth), 404, "unknown_view")


def test_sql_meta_characters_in_the_name_are_stored_literally(
    http: Any, demo_loaded: Any, workspace_team: WorkspaceTeam, engine: Engine
) -> None:
    name = 'x\'); DROP TABLE map_view; -- 100% "Grün" <b>&amp;</b>'
    view = create(http, workspace_team.planner, body(name, overlays=[]))
    assert view["name"] == name
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT name FROM map_view WHERE id = :i"), {"i": view["id"]}
        ).scalar_one()
    assert stored == name
    assert count(engine, "map_view") >= 1  # the table is still there


def test_same_name_twice_in_a_quarter_is_a_conflict(
    http: Any, demo_loaded: Any, workspace_team: WorkspaceTeam, engine: Engine
) -> None:
    planner = workspace_team.planner
    create(http, planner, body("Doppelt"))
    before = count(engine, "map_view")
    refused(http.post(API, json=body("Doppelt"), headers=planner.auth), 409, "view_name_taken")
    assert count(engine, "map_view") == before
    other = create(http, planner, body("Doppelt", quarter="dortmund-marten"))  # other quarter
    second = create(http, planner, body("Doppelt 2"))
    refused(
        http.patch(f"{API}/{second['id']}", json={"name": "Doppelt"}, headers=planner.auth),
        409,
        "view_name_taken",
    )
    assert other["quarter"] == "dortmund-marten"


BAD_FIELDS = [
    ({"name": ""}, "view_name_missing"),
    ({"name": "   "}, "view_name_missing"),
    ({"name": "x" * 121}, "view_name_too_long"),
    ({"name": "Zeile\neins"}, "view_name_characters"),
    ({"name": 42}, "view_name_missing"),
    ({"quarter": "atlantis"}, "unknown_quarter"),
    ({"quarter": ""}, "view_quarter_missing"),
    ({"layers": ["gibt-es-nicht"]}, "unknown_layer"),
    ({"layers": "gruen-freiraum"}, "view_layers_invalid"),
    ({"layers": [1, 2]}, "view_layers_invalid"),
    ({"filters": {"kinds": ["disaster"]}}, "view_kinds_invalid"),
    ({"filters": {"dimensions": ["kulturell"]}}, "view_dimensions_invalid"),
    ({"filters": {"from": "31.12.2024"}}, "view_date_invalid"),
    ({"filters": {"to": "2024-02-30"}}, "view_date_invalid"),
    ({"filters": {"from": "2025-01-01", "to": "2024-01-01"}}, "view_period_order"),
    ({"filters": {"status": "draft"}}, "view_filters"),
    ({"filters": "kinds=problem"}, "view_filters"),
    ({"extent": {"lat": 51.49, "lon": 7.19, "zoom": 3}}, "view_extent_invalid"),
    ({"extent": {"lat": 95, "lon": 7.19, "zoom": 15}}, "view_extent_invalid"),
    ({"extent": {"lat": 51.49, "lon": 7.19}}, "view_extent_invalid"),
    ({"extent": {"lat": "51", "lon": 7.19, "zoom": 15}}, "view_extent_invalid"),
    ({"extent": {"lat": 51.49, "lon": 7.19, "zoom": 15.5}}, "view_extent_invalid"),
    ({"overlays": {"type": "wms"}}, "overlays_not_list"),
    ({"overlays": [WMS] * 6}, "overlays_too_many"),
]
BAD_OVERLAYS = [
    ({"url": "ftp://geo.example.org/wms"}, "overlay_url_scheme"),
    ({"url": "javascript:alert(1)"}, "overlay_url_scheme"),
    ({"url": "data:image/png;base64,AAAA"}, "overlay_url_scheme"),
    ({"url": "file:///etc/passwd"}, "overlay_url_scheme"),
    ({"url": "https://user:secret@geo.example.org/wms"}, "overlay_url_credentials"),
    ({"url": "https://token@geo.example.org/wms"}, "overlay_url_credentials"),
    ({"url": "https://geo.example.org/" + "a" * 2000}, "overlay_url_too_long"),
    ({"url": ""}, "overlay_url_missing"),
    ({"url": "https://geo.example.org/w ms"}, "overlay_url_characters"),
    ({"url": 'https://geo.example.org/wms"; script-src *'}, "overlay_url_characters"),
    ({"url": "https://geo;example.org/wms"}, "overlay_url_host"),
    ({"url": "https:///wms"}, "overlay_url_host"),
    ({"url": "https://*.example.org/wms"}, "overlay_url_host"),
    ({"url": "https://geo.example.org:99999/wms"}, "overlay_url_invalid"),
    ({"url": "https://geo.example.org/wms#x"}, "overlay_url_fragment"),
    ({"type": "wfs"}, "overlay_type"),
    ({"layers": ""}, "overlay_wms_layers"),
    ({"layers": "isek gebiete"}, "overlay_wms_layers"),
    (
        {"type": "wmts", "layers": None, "url": "https://t.example.org/wmts"},
        "overlay_wmts_template",
    ),
    (
        {"type": "wmts", "layers": None, "url": "https://{s}.tile.example.org/{z}/{x}/{y}.png"},
        "overlay_url_subdomains",
    ),
    (
        {"type": "oapif", "layers": None, "url": "https://ogc.example.org/collections"},
        "overlay_oapif_items",
    ),
    (
        {"type": "oapif", "url": "https://ogc.example.org/collections/a/items"},
        "overlay_layers_not_wms",
    ),
    ({"title": "x" * 121}, "overlay_title"),
    ({"opacity": 0}, "overlay_opacity"),
    ({"opacity": "hoch"}, "overlay_opacity"),
    ({"style": "red"}, "overlay_unknown_field"),
]


@pytest.mark.parametrize(
    ("change", "code"),
    BAD_FIELDS + [({"overlays": [{**WMS, **c}]}, code) for c, code in BAD_OVERLAYS],
)
def test_every_bad_field_is_a_400_in_german_and_english_and_nothing_is_written(
    http: Any,
    demo_loaded: Any,
    workspace_team: WorkspaceTeam,
    engine: Engine,
    change: dict[str, Any],
    code: str,
) -> None:
    before = count(engine, "map_view")
    data = {**body("Fehlerhaft"), **change}
    refused(http.post(API, json=data, headers=workspace_team.planner.auth), 400, code)
    assert count(engine, "map_view") == before
    if (
        "overlays" in change
        and isinstance(change["overlays"], list)
        and len(change["overlays"]) == 1
    ):
        checked = http.post(
            f"{API}/check-overlay",
            json={"overlay": change["overlays"][0]},
            headers=workspace_team.planner.auth,
        )
        refused(checked, 400, code)


def test_missing_name_or_quarter_and_unknown_keys(
    http: Any, demo_loaded: Any, workspace_team: WorkspaceTeam, engine: Engine
) -> None:
    auth = workspace_team.planner.auth
    before = count(engine, "map_view")
    refused(http.post(API, json={"quarter": Q}, headers=auth), 400, "view_name_missing")
    refused(http.post(API, json={"name": "Ohne"}, headers=auth), 400, "view_quarter_missing")
    refused(
        http.post(API, json={**body("X"), "status": "draft"}, headers=auth), 400, "invalid_input"
    )
    assert count(engine, "map_view") == before


def test_non_public_layers_cannot_be_shared() -> None:
    """Every layer of the repository is public; a hidden one must be refused (no save)."""
    from mapservice.access import Viewer
    from mapservice.catalog import Catalog, load_catalog
    from mapservice.errors import InvalidInput
    from mapservice.workspace.views.fields import check_layers

    catalog = load_catalog()
    hidden = catalog.get("gruen-freiraum").model_copy(update={"public": False})
    others = [layer for layer in catalog if layer.id != "gruen-freiraum"]
    with pytest.raises(InvalidInput) as refusal:
        check_layers(["gruen-freiraum"], Catalog([hidden, *others]), Viewer("planner"))
    assert refusal.value.code == "view_layer_not_public"
    assert "öffentlich" in refusal.value.message_de and "public" in refusal.value.message_en


def test_rights_public_field_other_planner_admin(
    http: Any, demo_loaded: Any, workspace_team: WorkspaceTeam, engine: Engine
) -> None:
    team = workspace_team
    mine = create(http, team.planner, body("Nur meine"))
    refused(http.get(API), 401, "token_required")
    refused(http.post(API, json=body("Öffentlich")), 401, "token_required")
    refused(http.get(API, headers=team.field.auth), 403, "role_forbidden")
    refused(http.post(API, json=body("Feld"), headers=team.field.auth), 403, "role_forbidden")
    refused(
        http.post(f"{API}/check-overlay", json={"overlay": WMS}, headers=team.field.auth),
        403,
        "role_forbidden",
    )

    other = add_member(engine, "planner", "kv")
    assert mine["id"] not in [v["id"] for v in http.get(API, headers=other.auth).json()["views"]]
    refused(http.get(f"{API}/{mine['id']}", headers=other.auth), 403, "not_your_view")
    refused(
        http.patch(f"{API}/{mine['id']}", json={"name": "Gekapert"}, headers=other.auth),
        403,
        "not_your_view",
    )
    refused(http.delete(f"{API}/{mine['id']}", headers=other.auth), 403, "not_your_view")
    assert count(engine, "map_view", f"id = '{mine['id']}' AND name = 'Nur meine'") == 1

    admin_list = http.get(API, headers=team.admin.auth).json()["views"]
    assert mine["id"] in [v["id"] for v in admin_list]
    renamed = http.patch(
        f"{API}/{mine['id']}", json={"name": "Vom Admin umbenannt"}, headers=team.admin.auth
    )
    assert renamed.json()["name"] == "Vom Admin umbenannt"
    assert renamed.json()["owner"] == team.planner.name  # the owner stays
    assert http.delete(f"{API}/{mine['id']}", headers=team.admin.auth).status_code == 204


def test_restricted_planner_works_in_its_quarters_only(
    http: Any, demo_loaded: Any, engine: Engine
) -> None:
    planner = add_member(engine, "planner", "kvr")
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE account SET quarters = ARRAY[(SELECT id FROM quarter WHERE slug = :q)], "
                "layers = ARRAY['gruen-freiraum', 'referenz-schulen'] WHERE name = :n"
            ),
            {"q": Q, "n": planner.name},
        )
    view = create(http, planner, body("Meine Ecke"))
    before = count(engine, "map_view")
    refused(
        http.post(
            API, json=body("Fremdes Quartier", quarter="dortmund-marten"), headers=planner.auth
        ),
        403,
        "outside_scope",
    )
    refused(
        http.post(API, json=body("Fremde Ebene", layers=["mobilitaet"]), headers=planner.auth),
        403,
        "outside_scope",
    )
    refused(
        http.patch(
            f"{API}/{view['id']}", json={"quarter": "dortmund-marten"}, headers=planner.auth
        ),
        403,
        "outside_scope",
    )
    assert count(engine, "map_view") == before
    listed = http.get(API, headers=planner.auth).json()["views"]
    assert [v["quarter"] for v in listed] == [Q]
