"""The OGC API collection "massnahmen", read by OWSLib as QGIS and GDAL users would."""

from __future__ import annotations

from owslib.ogcapi.features import Features

from tests.programme.conftest import Programme, assert_refusal, create


def test_owslib_reads_published_measures_with_progress(
    http, live_server, programme: Programme
) -> None:  # type: ignore[no-untyped-def]
    x, y = programme.inside
    point = {"type": "Point", "coordinates": [x, y]}
    parent = create(http, programme, title="OGC Familie", geometry=point)
    create(
        http,
        programme,
        title="OGC Teil 1",
        parent_id=parent["id"],
        progress=20,
        geometry=point,
        weight=3,
    )
    create(http, programme, title="OGC Teil 2", parent_id=parent["id"], progress=60, geometry=point)
    create(
        http,
        programme,
        title="OGC Entwurf",
        parent_id=parent["id"],
        progress=0,
        geometry=point,
        published=False,
    )
    create(http, programme, title="OGC ohne Ort")
    api = Features(f"{live_server.url}/ogc")
    assert "massnahmen" in api.feature_collections()
    assert api.collection("massnahmen")["title"].startswith("Maßnahmen")
    first = api.collection_items("massnahmen", quarter=programme.quarter, limit=2)
    matched = first["numberMatched"]
    features = list(first["features"])
    while len(features) < matched:
        page = api.collection_items(
            "massnahmen", quarter=programme.quarter, limit=2, offset=len(features)
        )
        features += page["features"]
    titles = {f["properties"]["title"]: f for f in features}
    assert {"OGC Familie", "OGC Teil 1", "OGC Teil 2"} <= set(titles)
    assert "OGC Entwurf" not in titles and "OGC ohne Ort" not in titles
    family = titles["OGC Familie"]["properties"]
    assert family["progress"] == 30.0 and family["progress_basis"] == "children"  # (3*20+60)/4
    assert titles["OGC Teil 1"]["properties"]["weight"] == 3
    assert titles["OGC Teil 1"]["geometry"]["coordinates"] == [round(x, 7), round(y, 7)]
    one = api.collection_item("massnahmen", titles["OGC Teil 2"]["id"])
    assert one["properties"]["progress"] == 60
    planned = api.collection_items("massnahmen", quarter=programme.quarter, phase="planung")
    assert planned["numberMatched"] == matched  # all were made in the phase Planung


def test_ogc_collection_refuses_bad_parameters_and_hides_drafts(http, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    x, y = programme.inside
    draft = create(
        http,
        programme,
        title="Verborgen",
        published=False,
        geometry={"type": "Point", "coordinates": [x, y]},
    )
    base = "/ogc/collections/massnahmen/items"
    assert_refusal(http.get(f"{base}/{draft['id']}"), 404, "not_found")
    seen = http.get(f"{base}/{draft['id']}", headers=programme.auth())
    assert seen.status_code == 200 and seen.json()["properties"]["title"] == "Verborgen"
    assert_refusal(http.get(base, params={"farbe": "rot"}), 400, "unknown_parameter")
    assert_refusal(http.get(base, params={"phase": "fertig"}), 400, "invalid_phase")
    assert_refusal(http.get(base, params={"limit": "-1"}), 400, "invalid_limit")
    assert_refusal(http.get(base, params={"bbox": "1,2,3"}), 400, "invalid_bbox")
    assert_refusal(http.get(f"{base}/kein-uuid"), 404, "not_found")
    inside = http.get(
        base,
        params={"bbox": f"{x - 0.01},{y - 0.01},{x + 0.01},{y + 0.01}"},
        headers=programme.auth(),
    ).json()
    assert any(f["id"] == draft["id"] for f in inside["features"])
    assert http.get("/ogc/collections", params={"f": "html"}).status_code == 200
