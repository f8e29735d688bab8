"""The map's style of each exported layer, written into the GeoPackage for QGIS.

QGIS reads a GeoPackage's ``layer_styles`` table (its own convention, also used by GDAL's
QGIS-aware tools) and applies the row marked ``useAsDefault`` when the layer is opened. We
build the QML (QGIS's style XML) and an SLD (SE 1.1, for other clients) from the layer's TOML
style (:class:`mapservice.catalog.model.LayerStyle`):

- layers coloured by kind → a categorised renderer on ``kind`` with the shared kind colours
  and the German legend labels;
- walkthrough routes → a dashed line in the first palette colour (the map's muted grey);
- everything else (reference layers) → one symbol in the layer's fill colour.

The symbol type follows the table's geometry (marker, line or fill); a table with mixed
geometries gets the type most of its rows have. Widths are given in pixels in the TOML; QGIS
draws in millimetres (1 px ≈ 0.26 mm at 96 dpi).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from mapservice.catalog import Layer

PX_MM = 0.26
CREATE = """
CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
  styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))
"""
SYMBOL_TYPES = {0: "marker", 1: "line", 3: "fill", 4: "marker", 5: "line", 6: "fill"}


def symbol_type(type_ids: Iterable[int]) -> str:
    """marker / line / fill for shapely type ids (the most frequent wins; none → marker)."""
    counts = Counter(SYMBOL_TYPES.get(int(t), "marker") for t in type_ids)
    return counts.most_common(1)[0][0] if counts else "marker"


def _rgba(colour: str, alpha: float = 1.0) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"{r},{g},{b},{round(alpha * 255)}"


def _option(name: str, value: object) -> str:
    return f'<Option name={quoteattr(name)} type="QString" value={quoteattr(str(value))}/>'


def _symbol_layer(layer: Layer, kind: str, colour: str) -> str:
    style = layer.style
    width = round(max(style.stroke_width, 0.1) * PX_MM, 2)
    if kind == "marker":
        opts = [_option("name", "circle"), _option("color", _rgba(colour, style.fill_opacity)),
                _option("outline_color", _rgba(style.stroke_color)),
                _option("outline_width", width), _option("outline_width_unit", "MM"),
                _option("size", 3.2), _option("size_unit", "MM")]  # fmt: skip
        cls = "SimpleMarker"
    elif kind == "line":
        dash = style.dash_array.replace(",", " ").split() if style.dash_array else []
        opts = [_option("line_color", _rgba(colour)), _option("line_width", width),
                _option("line_width_unit", "MM"), _option("capstyle", "round"),
                _option("use_custom_dash", 1 if dash else 0),
                _option("customdash", ";".join(dash) or "5;2"),
                _option("customdash_unit", "Pixel")]  # fmt: skip
        cls = "SimpleLine"
    else:
        opts = [_option("color", _rgba(colour, style.fill_opacity)), _option("style", "solid"),
                _option("outline_color", _rgba(style.stroke_color)),
                _option("outline_width", width), _option("outline_width_unit", "MM")]  # fmt: skip
        cls = "SimpleFill"
    return (
        f'<layer class="{cls}" enabled="1" pass="0" locked="0">'
        f'<Option type="Map">{"".join(opts)}</Option></layer>'
    )


def _symbol(layer: Layer, kind: str, name: str, colour: str) -> str:
    return (
        f'<symbol type="{kind}" name={quoteattr(name)} alpha="1" clip_to_extent="1" '
        f'force_rhr="0">{_symbol_layer(layer, kind, colour)}</symbol>'
    )


def _categories(layer: Layer) -> list[tuple[str, str, str]]:
    """(value, label, colour) per kind for kind-coloured layers, else empty."""
    colours = layer.style.colors
    if not (layer.kind_coloured and colours):
        return []
    out = []
    for kind, colour in colours.items():
        entry = layer.legend.get(kind)  # type: ignore[call-overload]
        label = entry.de if entry is not None else str(kind)
        out.append((str(getattr(kind, "value", kind)), label, colour))
    return out


def _single_colour(layer: Layer) -> str:
    if layer.style.palette:
        return layer.style.palette[0]
    return layer.style.color_for()


def qml(layer: Layer, kind: str) -> str:
    """A QGIS 3 style document (symbology only)."""
    categories = _categories(layer)
    if categories:
        cats = "".join(
            f'<category symbol="{i}" value={quoteattr(v)} label={quoteattr(label)} render="true"/>'
            for i, (v, label, _) in enumerate(categories)
        )
        symbols = "".join(_symbol(layer, kind, str(i), c) for i, (_, _, c) in enumerate(categories))
        renderer = (
            '<renderer-v2 type="categorizedSymbol" attr="kind" symbollevels="0" '
            'enableorderby="0" forceraster="0">'
            f"<categories>{cats}</categories><symbols>{symbols}</symbols></renderer-v2>"
        )
    else:
        renderer = (
            '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" '
            f'forceraster="0"><symbols>{_symbol(layer, kind, "0", _single_colour(layer))}'
            "</symbols></renderer-v2>"
        )
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis version="3.28.0" styleCategories="Symbology">{renderer}'
        f"<layerGeometryType>{ {'marker': 0, 'line': 1, 'fill': 2}[kind] }</layerGeometryType>"
        "</qgis>\n"
    )


def _se_symbolizer(layer: Layer, kind: str, colour: str) -> str:
    style = layer.style
    stroke = (
        f'<se:Stroke><se:SvgParameter name="stroke">{style.stroke_color}</se:SvgParameter>'
        f'<se:SvgParameter name="stroke-width">{style.stroke_width}</se:SvgParameter>'
        "</se:Stroke>"
    )
    fill = (
        f'<se:Fill><se:SvgParameter name="fill">{colour}</se:SvgParameter>'
        f'<se:SvgParameter name="fill-opacity">{style.fill_opacity}</se:SvgParameter></se:Fill>'
    )
    if kind == "marker":
        return (
            "<se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>circle"
            f"</se:WellKnownName>{fill}{stroke}</se:Mark><se:Size>12</se:Size></se:Graphic>"
            "</se:PointSymbolizer>"
        )
    if kind == "line":
        dash = (
            f'<se:SvgParameter name="stroke-dasharray">{escape(style.dash_array)}</se:SvgParameter>'
            if style.dash_array
            else ""
        )
        return (
            f'<se:LineSymbolizer><se:Stroke><se:SvgParameter name="stroke">{colour}'
            f'</se:SvgParameter><se:SvgParameter name="stroke-width">{style.stroke_width}'
            f"</se:SvgParameter>{dash}</se:Stroke></se:LineSymbolizer>"
        )
    return f"<se:PolygonSymbolizer>{fill}{stroke}</se:PolygonSymbolizer>"


def sld(layer: Layer, kind: str) -> str:
    """The same style as SLD 1.1 / Symbology Encoding."""
    categories = _categories(layer)
    if categories:
        rules = "".join(
            f"<se:Rule><se:Name>{escape(label)}</se:Name><ogc:Filter><ogc:PropertyIsEqualTo>"
            f"<ogc:PropertyName>kind</ogc:PropertyName><ogc:Literal>{escape(v)}</ogc:Literal>"
            f"</ogc:PropertyIsEqualTo></ogc:Filter>{_se_symbolizer(layer, kind, c)}</se:Rule>"
            for v, label, c in categories
        )
    else:
        rules = (
            f"<se:Rule><se:Name>{escape(layer.title_de)}</se:Name>"
            f"{_se_symbolizer(layer, kind, _single_colour(layer))}</se:Rule>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" '
        'xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc">'
        f"<NamedLayer><se:Name>{escape(layer.id)}</se:Name><UserStyle>"
        f"<se:Name>{escape(layer.title_de)}</se:Name><se:FeatureTypeStyle>{rules}"
        "</se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>\n"
    )


def write_styles(path: Path, styled: Iterable[tuple[Layer, str]]) -> int:
    """Add one default style row per (layer, symbol type) to the GeoPackage at ``path``."""
    rows = list(styled)
    with sqlite3.connect(path) as db:
        db.execute(CREATE)
        columns = dict(db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
        for layer, kind in rows:
            db.execute("DELETE FROM layer_styles WHERE f_table_name = ?", (layer.id,))
            db.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui) VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, 'karte', NULL)",
                (layer.id, columns.get(layer.id, "geom"), layer.title_de, qml(layer, kind),
                 sld(layer, kind), f"Stil der Karte der Nachhaltigkeit: {layer.title_de} / "
                 f"map style: {layer.title_en}"),
            )  # fmt: skip
        db.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
            "description, last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
            "'QGIS-Stile / QGIS styles', strftime('%Y-%m-%dT%H:%M:%fZ','now'))"
        )
    return len(rows)
