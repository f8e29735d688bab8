"""Turning a submitted geometry into a valid EPSG:4326 shape, or saying exactly why not."""

from __future__ import annotations

from typing import Any

import shapely
from shapely.errors import ShapelyError
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from mapservice.capture.reasons import reason_text, refuse
from mapservice.capture.strict import numeric_coordinates
from mapservice.catalog import Layer
from mapservice.errors import InvalidInput


def parse_geometry(data: dict[str, Any] | Any) -> BaseGeometry:
    """GeoJSON geometry (dict or geojson-pydantic model) → shapely; unreadable → 400.

    Coordinates must be JSON numbers: shapely would read ``"7.2"`` as 7.2. A line of one
    point is GEOS's ``IllegalArgumentException``, reported as unreadable too.
    """
    if hasattr(data, "model_dump"):
        data = data.model_dump(exclude_none=True)
    try:
        numeric_coordinates(data)
        geom = shape(data)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, ShapelyError) as exc:
        raise refuse("geometry_malformed", str(exc)[:200]) from None
    if geom.is_empty:
        raise refuse("geometry_empty")
    coords = shapely.get_coordinates(geom)
    if not shapely.is_valid_input(geom) or not (coords == coords).all():  # NaN check
        raise refuse("geometry_malformed", "NaN")
    return geom


def check_world(geom: BaseGeometry) -> None:
    x0, y0, x1, y1 = geom.bounds
    if x0 < -180 or x1 > 180 or y0 < -90 or y1 > 90:
        raise refuse("outside_world", f"{x0:.5f}, {y0:.5f} – {x1:.5f}, {y1:.5f}")


def ensure_valid(geom: BaseGeometry, *, repair: bool = False) -> BaseGeometry:
    """Refuse an invalid geometry with the location of the problem, or repair on request.

    Repair is opt-in because ``make_valid`` may turn a bow-tie into two triangles: a field
    team should decide whether that is what they drew.
    """
    if geom.is_valid:
        return geom
    if not repair:
        raise invalid_geometry(explain_validity(geom))
    fixed = shapely.make_valid(geom)
    if fixed.geom_type == "GeometryCollection":
        polys = [g for g in fixed.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        fixed = shapely.union_all(polys) if polys else fixed
    if fixed.is_empty or not fixed.is_valid:
        raise refuse("geometry_invalid", explain_validity(geom))
    return fixed


def invalid_geometry(reason: str) -> InvalidInput:
    """The refusal of an invalid geometry, saying where the problem is and how to fix it.

    GEOS' reason ("Self-intersection[7.2 51.4]") is kept for those who know it; the sentence
    around it tells a field team what to do, since a crossing outline is the common case.
    """
    de, en = reason_text("geometry_invalid", reason)
    if reason.startswith("Self-intersection"):
        de += (
            " – die Fläche überschneidet sich selbst. Die Ecken der Reihe nach entlang des"
            " Umrisses setzen, oder mit repair=true senden: Dann wird sie in gültige Teilflächen"
            " zerlegt."
        )
        en += (
            " – the area crosses itself. Set the corners in order along the outline, or send"
            " with repair=true to have it split into valid parts."
        )
    else:
        de += " (mit repair=true wird sie repariert)"
        en += " (send repair=true to have it repaired)"
    return InvalidInput(de, en, code="geometry_invalid")


def check_layer_type(geom: BaseGeometry, layer: Layer) -> None:
    if geom.geom_type not in {str(t) for t in layer.geometry_types}:
        allowed = ", ".join(str(t) for t in layer.geometry_types)
        raise refuse("geometry_type_not_allowed", f"{geom.geom_type} ({layer.id}: {allowed})")


def to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    return dict(mapping(geom))
