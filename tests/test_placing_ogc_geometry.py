"""OGC collections state the geometry types they really hold, so GDAL's OGC API client
creates a polygon layer for polygons (not "Point" from whatever came first) — in the
queryables (``format: geometry-…``, OGC API Features Part 5) and in an XML schema GDAL
reads for the layer type."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from mapservice.config import Settings
from tests.conftest import LiveServer

LAYER = "referenz-isek"
TOML = """
id = "referenz-isek"
source = "reference"
title_de = "Referenz: ISEK-Gebiete"
title_en = "Reference: ISEK areas"
description_de = "Fördergebiete (Test)."
description_en = "Funding areas (test)."
dimension = "sozial"
sdg = [11]
geometry_types = ["Point", "Polygon", "MultiPolygon"]
public = true
min_zoom = 11
max_zoom = 20
icon = "map-pin"
popup_fields = ["name"]
attribution = "Testdaten / test data"

[style]
fill_color = "#8C8C8C"
stroke_color = "#5A5A5A"
stroke_width = 2.0
fill_opacity = 0.35

[legend.area]
de = "Fördergebiet"
en = "Funding area"
symbol = "map-pin"
"""

GDAL_TYPE = """
import json, sys, pyogrio
info = pyogrio.read_info(sys.argv[1])
print(json.dumps([info["geometry_type"], info["features"]]))
"""


def _square(x: float, y: float, d: float = 0.002) -> str:
    return f"(({x} {y}, {x + d} {y}, {x + d} {y + d}, {x} {y + d}, {x} {y}))"


@pytest.fixture(scope="module")
def server(
    settings: Settings, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    layers = tmp_path_factory.mktemp("layers-isek")
    for path in Path(settings.layers_dir).glob("*.toml"):
        shutil.copy(path, layers / path.name)
    (layers / f"{LAYER}.toml").write_text(TOML, encoding="utf-8")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM reference_feature WHERE layer_id = :l"), {"l": LAYER})
        for i in range(14):  # Polygons first, then MultiPolygons: one polygon layer
            x, y = 7.40 + 0.01 * i, 51.40
            wkt = (
                f"POLYGON{_square(x, y)}"
                if i < 12
                else (f"MULTIPOLYGON({_square(x, y)}, {_square(x, y + 0.004)})")
            )
            conn.execute(
                text(
                    "INSERT INTO reference_feature (layer_id, geom, properties, source) "
                    "VALUES (:l, ST_GeomFromText(:g, 4326), :p, 'test')"
                ),
                {"l": LAYER, "g": wkt, "p": json.dumps({"name": f"Gebiet {i}"})},
            )
    with LiveServer(settings.model_copy(update={"layers_dir": layers})) as live:
        yield live.url


def test_gdal_reports_the_polygon_layer_as_polygons(server: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", GDAL_TYPE, f"OAPIF:{server}/ogc/collections/{LAYER}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    geometry_type, features = json.loads(done.stdout.strip().splitlines()[-1])
    print(geometry_type, features)
    assert geometry_type in ("Polygon", "MultiPolygon"), geometry_type


def test_collection_queryables_and_schema_state_the_types(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as http:
        collection = http.get(f"/ogc/collections/{LAYER}").json()
        assert collection["geometryTypes"] == ["MultiPolygon", "Polygon"]
        assert collection["geometryFormat"] == "geometry-polygon-or-multipolygon"
        links = {(x["rel"], x["type"]): x["href"] for x in collection["links"]}
        xsd_url = links[("describedby", "application/xml")]
        schema_url = links[("http://www.opengis.net/def/rel/ogc/1.0/schema",
                            "application/schema+json")]  # fmt: skip
        geometry = http.get(f"/ogc/collections/{LAYER}/queryables").json()["properties"]["geometry"]
        assert geometry["format"] == "geometry-polygon-or-multipolygon"
        assert geometry["x-ogc-role"] == "primary-geometry"
        schema = http.get(schema_url)
        assert schema.headers["content-type"].startswith("application/schema+json")
        assert schema.json()["properties"]["geometry"]["format"] == geometry["format"]
        xsd = http.get(xsd_url)
        assert xsd.headers["content-type"].startswith("application/xml")
        assert 'type="gml:MultiSurfacePropertyType"' in xsd.text
        # An observation layer with points, lines and polygons is "any", as GDAL's Unknown.
        mixed = http.get("/ogc/collections/gruen-freiraum/queryables").json()
        assert mixed["properties"]["geometry"]["format"] == "geometry-any"
        points = http.get("/ogc/collections/referenz-schulen/queryables").json()
        assert points["properties"]["geometry"]["format"] == "geometry-point"
        assert (
            http.get(f"/ogc/collections/{LAYER}/schema.xsd", params={"x": "1"}).status_code == 400
        )
        assert http.get("/ogc/collections/gibt-es-nicht/schema").status_code == 404
