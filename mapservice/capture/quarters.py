"""Quarters: the unit of every map. Admins create them or replace their boundary."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from shapely import wkb
from shapely.geometry import MultiPolygon
from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.capture.geometry import check_world, ensure_valid, parse_geometry
from mapservice.capture.reasons import refuse
from mapservice.errors import InvalidInput, NotFound
from mapservice.georef.crs import geometry_to_wgs84

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,60}$")
NAME_MAX = 120  # also a CHECK constraint on quarter.name and quarter.city (migration 0003)


class QuarterIn(BaseModel):
    """A quarter as a GeoJSON Feature: boundary Polygon/MultiPolygon plus name and city."""

    model_config = ConfigDict(extra="forbid")
    type: str = Field(default="Feature", pattern="^Feature$")
    geometry: dict[str, Any]
    properties: dict[str, Any]
    crs: str = Field(default="EPSG:4326", max_length=32)
    repair: bool = False


SELECT = """
SELECT q.slug, q.name, q.city, q.description, q.synthetic,
       ST_AsGeoJSON(q.boundary, 6)::json AS geometry,
       ST_XMin(q.boundary) AS x0, ST_YMin(q.boundary) AS y0,
       ST_XMax(q.boundary) AS x1, ST_YMax(q.boundary) AS y1,
       round((ST_Area(q.boundary::geography) / 1e6)::numeric, 3)::float AS area_km2
  FROM quarter q
"""


def _feature(row: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": row["slug"],
        "bbox": [row["x0"], row["y0"], row["x1"], row["y1"]],
        "geometry": row["geometry"],
        "properties": {
            "slug": row["slug"], "name": row["name"], "city": row["city"],
            "description": row["description"], "synthetic": row["synthetic"],
            "area_km2": row["area_km2"],
        },
    }  # fmt: skip


def list_quarters(conn: Connection) -> dict[str, Any]:
    rows = conn.execute(text(f"{SELECT} ORDER BY q.city, q.name")).mappings()
    return {"type": "FeatureCollection", "features": [_feature(r) for r in rows]}


def get_quarter(conn: Connection, slug: str) -> dict[str, Any]:
    row = conn.execute(text(f"{SELECT} WHERE q.slug = :s"), {"s": slug}).mappings().first()
    if row is None:
        raise NotFound(
            f"Quartier '{slug[:64]}' nicht gefunden.",
            f"Quarter '{slug[:64]}' not found.",
            code="unknown_quarter",
        )
    return _feature(row)


def put_quarter(conn: Connection, viewer: Viewer, slug: str, body: QuarterIn) -> tuple[dict, bool]:
    """Create the quarter or replace its boundary and names; returns (feature, created)."""
    viewer.require("admin")
    if not SLUG.match(slug):
        raise InvalidInput(
            "Kürzel: 2–61 Zeichen aus a–z, 0–9 und Bindestrich (z. B. bochum-hamme).",
            "Slug: 2–61 characters of a–z, 0–9 and hyphen (e.g. bochum-hamme).",
            code="invalid_slug",
        )
    name, city = body.properties.get("name"), body.properties.get("city")
    if not isinstance(name, str) or not name.strip() or not isinstance(city, str):
        raise InvalidInput(
            "properties.name und properties.city werden gebraucht.",
            "properties.name and properties.city are required.",
            code="quarter_properties",
        )
    if len(name.strip()) > NAME_MAX or len(city.strip()) > NAME_MAX:
        raise InvalidInput(
            f"Name und Stadt eines Quartiers: höchstens {NAME_MAX} Zeichen.",
            f"A quarter's name and city: at most {NAME_MAX} characters.",
            code="quarter_properties",
        )
    geom = geometry_to_wgs84(parse_geometry(body.geometry), body.crs)
    check_world(geom)
    geom = ensure_valid(geom, repair=body.repair)
    if geom.geom_type == "Polygon":
        geom = MultiPolygon([geom])
    if geom.geom_type != "MultiPolygon":
        raise refuse("geometry_type_not_allowed", f"{geom.geom_type} (Polygon, MultiPolygon)")
    description = str(body.properties.get("description", ""))[:2000]
    created = conn.execute(
        text(
            "INSERT INTO quarter (slug, name, city, description, boundary) "
            "VALUES (:s, :n, :c, :d, ST_GeomFromWKB(:g, 4326)) ON CONFLICT (slug) DO UPDATE "
            "SET name = EXCLUDED.name, city = EXCLUDED.city, description = EXCLUDED.description,"
            " boundary = EXCLUDED.boundary RETURNING (xmax = 0)"
        ),
        {"s": slug, "n": name.strip(), "c": city.strip(), "d": description,
         "g": wkb.dumps(geom)},
    ).scalar_one()  # fmt: skip
    return get_quarter(conn, slug), bool(created)
