"""Quarters in the administration: a boundary from a GeoJSON or GeoPackage file, renaming.

The file is read by the import code's GDAL reader (:func:`read_geofile`: CRS from the file,
checked against the coordinates); all its polygons become one MultiPolygon, which then goes
through the same checks as ``PUT /api/quarters/{slug}`` (:func:`put_quarter`: in the CRS's
area, valid, Polygon/MultiPolygon only). Nothing is written when any check fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping
from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.capture.quarters import QuarterIn, get_quarter, put_quarter
from mapservice.errors import InvalidInput, NotFound

#: What a boundary file may be; GeoJSON without a CRS member is WGS84 (RFC 7946).
SUFFIXES = {".geojson", ".json", ".gpkg"}
MAX_BOUNDARY_BYTES = 20 * 1024 * 1024


def list_admin_quarters(conn: Connection, viewer: Viewer) -> list[dict[str, Any]]:
    """Every quarter with area and how many observations and findings it holds."""
    viewer.require("admin")
    rows = conn.execute(
        text(
            "SELECT q.slug, q.name, q.city, q.synthetic, "
            "round((ST_Area(q.boundary::geography) / 1e6)::numeric, 3)::float AS area_km2, "
            "(SELECT count(*) FROM observation o WHERE o.quarter_id = q.id) AS observations, "
            "(SELECT count(*) FROM finding f WHERE f.quarter_id = q.id) AS findings "
            "FROM quarter q ORDER BY q.city, q.name"
        )
    ).mappings()
    return [dict(r) for r in rows]


def check_suffix(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(
            f"Grenzdatei '{filename[:80]}': erwartet wird GeoJSON (.geojson, .json) oder "
            "GeoPackage (.gpkg).",
            f"Boundary file '{filename[:80]}': expected GeoJSON (.geojson, .json) or "
            "GeoPackage (.gpkg).",
            code="boundary_format",
        )
    return suffix


def boundary_from_file(path: Path, filename: str) -> tuple[dict[str, Any], int]:
    """The union of the file's polygons as GeoJSON geometry, and the file's EPSG code."""
    from mapservice.capture.imports.geofile import read_geofile

    frame, epsg = read_geofile(path, filename, epsg=None)
    geoms = [g for g in frame.geometry if g is not None and not g.is_empty]
    polygons = [g for g in geoms if g.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons or len(polygons) != len(geoms):
        kinds = sorted({g.geom_type for g in geoms}) or ["-"]
        raise InvalidInput(
            f"Die Grenzdatei braucht Flächen (Polygon/MultiPolygon), gefunden: {', '.join(kinds)}.",
            f"The boundary file needs areas (Polygon/MultiPolygon), found: {', '.join(kinds)}.",
            code="boundary_not_polygons",
        )
    merged = shapely.union_all(polygons) if len(polygons) > 1 else polygons[0]
    return mapping(merged), epsg


def save_quarter(
    conn: Connection,
    viewer: Viewer,
    slug: str,
    *,
    name: str,
    city: str,
    geometry: dict[str, Any],
    epsg: int,
    description: str = "",
) -> tuple[dict[str, Any], bool]:
    """Create the quarter or replace its boundary (and names); returns (summary, created)."""
    body = QuarterIn(
        geometry=geometry,
        properties={"name": name, "city": city, "description": description},
        crs=f"EPSG:{epsg}",
        repair=True,
    )
    _, created = put_quarter(conn, viewer, slug, body)
    return quarter_summary(conn, slug), created


def quarter_summary(conn: Connection, slug: str) -> dict[str, Any]:
    feature = get_quarter(conn, slug)
    props = feature["properties"]
    return {**props, "bbox": feature["bbox"]}


def rename_quarter(
    conn: Connection, viewer: Viewer, slug: str, *, name: str | None, city: str | None
) -> dict[str, Any]:
    viewer.require("admin")
    if name is not None and not name.strip():
        raise InvalidInput(
            "Der Name darf nicht leer sein.", "The name may not be empty.", code="quarter_name"
        )
    done = conn.execute(
        text(
            "UPDATE quarter SET name = coalesce(:n, name), city = coalesce(:c, city) "
            "WHERE slug = :s"
        ),
        {"n": name.strip()[:200] if name else None, "c": city.strip()[:200] if city else None,
         "s": slug},
    )  # fmt: skip
    if done.rowcount != 1:
        raise NotFound(
            f"Quartier '{slug[:64]}' nicht gefunden.",
            f"Quarter '{slug[:64]}' not found.",
            code="unknown_quarter",
        )
    return quarter_summary(conn, slug)
