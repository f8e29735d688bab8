"""The geometry type(s) a collection really holds, told the ways OGC clients read them.

A client creates its layer before it has read every feature: GDAL's OAPIF driver guesses the
type from the first page of items unless the collection says it, so a layer whose first items
were points (or a mix of Polygon and MultiPolygon) came out as "Point" or "Unknown" in QGIS.
The types are those of the features the caller may see (``tiles.extent``: one aggregate
with the extent, cached per data version), falling back to what the layer's TOML allows while
it is empty. They are stated

- in the queryables and in the feature schema (OGC API Features Part 5, ``/schema``): the
  ``geometry`` property with ``x-ogc-role: primary-geometry`` and ``format: geometry-…``
  (``geometry-polygon-or-multipolygon``, ``geometry-any`` …);
- in a GML application schema (``/schema.xsd``, linked as ``describedby`` with an XML media
  type), which is what GDAL reads to set the layer's geometry type. It declares the geometry
  only, so GDAL still takes the attribute fields from the GeoJSON items.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import quoteattr

from mapservice.catalog import Layer

_POINT = {"POINT"}
_MULTIPOINT = {"MULTIPOINT"}
_LINE = {"LINESTRING"}
_MULTILINE = {"MULTILINESTRING"}
_POLYGON = {"POLYGON"}
_MULTIPOLYGON = {"MULTIPOLYGON"}

#: Sets of PostGIS geometry types → (Part 5 format, GML property type).
_KINDS: tuple[tuple[set[str], str, str], ...] = (
    (_POINT, "geometry-point", "gml:PointPropertyType"),
    (_MULTIPOINT, "geometry-multipoint", "gml:MultiPointPropertyType"),
    (_POINT | _MULTIPOINT, "geometry-point-or-multipoint", "gml:MultiPointPropertyType"),
    (_LINE, "geometry-linestring", "gml:LineStringPropertyType"),
    (_MULTILINE, "geometry-multilinestring", "gml:MultiCurvePropertyType"),
    (_LINE | _MULTILINE, "geometry-linestring-or-multilinestring", "gml:MultiCurvePropertyType"),
    (_POLYGON, "geometry-polygon", "gml:PolygonPropertyType"),
    (_MULTIPOLYGON, "geometry-multipolygon", "gml:MultiSurfacePropertyType"),
    (_POLYGON | _MULTIPOLYGON, "geometry-polygon-or-multipolygon", "gml:MultiSurfacePropertyType"),
)
TITLE_CASE = {
    "POINT": "Point", "MULTIPOINT": "MultiPoint", "LINESTRING": "LineString",
    "MULTILINESTRING": "MultiLineString", "POLYGON": "Polygon", "MULTIPOLYGON": "MultiPolygon",
    "GEOMETRYCOLLECTION": "GeometryCollection",
}  # fmt: skip

ANY = ("geometry-any", "gml:GeometryPropertyType")


def geometry_types(layer: Layer, found: tuple[str, ...]) -> list[str]:
    """The types the visible features have; while there are none, those the layer allows."""
    if found:
        return sorted({t.upper() for t in found})
    return sorted({str(t).upper() for t in layer.geometry_types})


def _kind(types: list[str]) -> tuple[str, str]:
    wanted = set(types)
    for allowed, fmt, gml in _KINDS:
        if wanted == allowed:
            return fmt, gml
    return ANY


def geometry_format(types: list[str]) -> str:
    """The Part 5 ``format`` of the geometry property for these types."""
    return _kind(types)[0]


def geometry_property(types: list[str], title: str) -> dict[str, Any]:
    """The JSON Schema of the primary geometry (Part 5)."""
    return {
        "title": title,
        "format": geometry_format(types),
        "x-ogc-role": "primary-geometry",
        "x-geometry-types": [TITLE_CASE.get(t, t) for t in types],
    }


def schema_document(
    root: str, layer: Layer, properties: dict[str, dict[str, Any]], lang: str = "de"
) -> dict[str, Any]:
    """The feature schema (Part 5, ``/collections/{id}/schema``)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{root}/collections/{layer.id}/schema",
        "type": "object",
        "title": layer.title(lang),
        "properties": properties,
    }


def xsd_document(layer: Layer, types: list[str]) -> str:
    """A GML 3.2 application schema declaring the collection's geometry property."""
    gml_type = _kind(types)[1]
    name = quoteattr(layer.id)
    type_name = quoteattr(f"karte:{layer.id}Type")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:gml="http://www.opengis.net/gml/3.2" '
        'xmlns:karte="urn:karte-der-nachhaltigkeit" '
        'targetNamespace="urn:karte-der-nachhaltigkeit" elementFormDefault="qualified" '
        'version="1.0">\n'
        '  <xs:import namespace="http://www.opengis.net/gml/3.2" '
        'schemaLocation="http://schemas.opengis.net/gml/3.2.1/gml.xsd"/>\n'
        f"  <xs:element name={name} type={type_name} "
        'substitutionGroup="gml:AbstractFeature"/>\n'
        f"  <xs:complexType name={quoteattr(f'{layer.id}Type')}>\n"
        "    <xs:complexContent>\n"
        '      <xs:extension base="gml:AbstractFeatureType">\n'
        "        <xs:sequence>\n"
        f'          <xs:element name="geometry" type="{gml_type}" minOccurs="0"/>\n'
        "        </xs:sequence>\n"
        "      </xs:extension>\n"
        "    </xs:complexContent>\n"
        "  </xs:complexType>\n"
        "</xs:schema>\n"
    )
