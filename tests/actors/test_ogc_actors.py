"""The OGC API collection "akteure", read by OWSLib as QGIS and GDAL users would; tiles."""

from __future__ import annotations

import mapbox_vector_tile
import morecantile
from owslib.ogcapi.features import Features

from tests.actors.conftest import assert_refusal, create_actor
from tests.programme.conftest import Programme


def test_owslib_reads_published_actors_with_offers(http, live_server, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    x, y = programme.inside
    create_actor(
        http,
        programme,
        name="OGC Verein",
        kind="verein",
        tags={"amenity": "social_facility", "social_facility:for": "migrant"},
        offers=[
            {"what": "Sprachcafé", "for_whom": "Zugewanderte", "opening_hours": "We 16:00-18:00"}
        ],
    )
    create_actor(http, programme, name="OGC Entwurf", published=False)
    create_actor(http, programme, name="OGC ohne Ort", location=None)
    api = Features(f"{live_server.url}/ogc")
    assert "akteure" in api.feature_collections()
    assert api.collection("akteure")["title"] == "Akteure & Angebote"
    items = api.collection_items("akteure", quarter=programme.quarter, limit=1000)
    names = {f["properties"]["name"]: f for f in items["features"]}
    assert "OGC Verein" in names and "OGC Entwurf" not in names and "OGC ohne Ort" not in names
    verein = names["OGC Verein"]
    assert verein["properties"]["offers"] == "Sprachcafé (Zugewanderte; We 16:00-18:00)"
    assert verein["properties"]["tag:social_facility:for"] == "migrant"
    assert verein["properties"]["kind_label"] == "Verein"
    assert verein["geometry"]["coordinates"] == [round(x, 7), round(y, 7)]
    one = api.collection_item("akteure", verein["id"])
    assert one["properties"]["name"] == "OGC Verein"
    found = api.collection_items("akteure", quarter=programme.quarter, q="sprachcaf")
    assert [f["properties"]["name"] for f in found["features"]] == ["OGC Verein"]
    base = "/ogc/collections/akteure/items"
    assert_refusal(http.get(base, params={"farbe": "rot"}), 400, "unknown_parameter")
    assert_refusal(http.get(base, params={"kind": "verband"}), 400, "invalid_kind")
    assert_refusal(http.get(f"{base}/kein-uuid"), 404, "not_found")


def test_vector_tiles_hold_the_public_view(http, programme: Programme) -> None:  # type: ignore[no-untyped-def]
    made = create_actor(http, programme, name="Kacheltreff")
    x, y = programme.inside
    t = morecantile.tms.get("WebMercatorQuad").tile(x, y, 16)
    url = f"/tiles/akteure/16/{t.x}/{t.y}.mvt"
    tile = http.get(url, params={"quarter": programme.quarter})
    assert tile.status_code == 200
    layer = mapbox_vector_tile.decode(tile.content)["akteure"]
    props = [f["properties"] for f in layer["features"] if f["properties"]["id"] == made["id"]]
    assert props and props[0]["name"] == "Kacheltreff" and props[0]["offers"] == "Sprechstunde"
    again = http.get(
        url, params={"quarter": programme.quarter}, headers={"If-None-Match": tile.headers["etag"]}
    )
    assert again.status_code == 304
    empty = http.get("/tiles/akteure/16/0/0.mvt")
    assert empty.status_code == 204
    assert_refusal(http.get("/tiles/akteure/3/9/1.mvt"), 400, "invalid_tile")
    tj = http.get("/tiles/akteure/tilejson.json").json()
    assert tj["vector_layers"][0]["id"] == "akteure"
