"""How layers look on the map: kind colours and shapes, layer glyphs, dimension accents.

Kind drives colour (Okabe–Ito, from the layer files) *and* shape plus symbol, so a
colour-blind reader or a grey-scale print still tells a problem from a strength. The layer
drives the glyph inside the marker. Glyph names in ``layers/*.toml`` are our own vocabulary;
``fa_class`` maps them onto the self-hosted Font Awesome (free, solid) icon font.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mapservice.catalog import Catalog, Dimension, Kind, Layer, LayerSource
from mapservice.maps.i18n import Lang

#: Okabe–Ito fallbacks, used only where no layer declares kind colours (never in practice).
KIND_COLOURS = {
    Kind.STRENGTH: "#009E73",
    Kind.PROBLEM: "#D55E00",
    Kind.POTENTIAL: "#E69F00",
    Kind.IDEA: "#0072B2",
}
#: A shape per kind (CSS class in karte.css), the second channel besides colour.
KIND_SHAPES = {
    Kind.STRENGTH: "circle",
    Kind.PROBLEM: "diamond",
    Kind.POTENTIAL: "square",
    Kind.IDEA: "drop",
}
#: The kind symbol shown in legends and marker badges when a layer names none.
KIND_SYMBOLS = {
    Kind.STRENGTH: "check",
    Kind.PROBLEM: "exclamation",
    Kind.POTENTIAL: "arrow-up-right",
    Kind.IDEA: "lightbulb",
}
DIMENSION_ACCENTS = {
    Dimension.ECOLOGICAL: "#1A7F6E",
    Dimension.ECONOMIC: "#56677D",
    Dimension.SOCIAL: "#7A4E9C",
}
#: Our glyph names that Font Awesome spells differently (or lacks).
FA_ALIASES = {
    "arrow-up-right": "arrow-trend-up",
    "shield": "shield-halved",
    "playground": "child-reaching",
}
#: Where the tiles stop getting more detailed: deeper zooms reuse these tiles (overzoom).
NATIVE_MAX_ZOOM = 16


def fa_class(glyph: str) -> str:
    """``"tree"`` → ``"fa-tree"``; our names that Font Awesome spells differently are mapped."""
    return "fa-" + FA_ALIASES.get(glyph, glyph)


def kind_entries(layers: Iterable[Layer], lang: Lang) -> list[dict[str, str]]:
    """The four kinds with label, colour, shape and symbol, in the order people read them."""
    sample = next((layer for layer in layers if layer.kind_coloured), None)
    out = []
    for kind in Kind:
        colour = sample.style.color_for(kind) if sample else KIND_COLOURS[kind]
        entry = sample.legend.get(kind.value) if sample else None
        symbol = entry.symbol if entry and entry.symbol else KIND_SYMBOLS[kind]
        out.append(
            {
                "id": kind.value,
                "label": kind.label(lang),
                "color": colour,
                "shape": KIND_SHAPES[kind],
                "symbol": fa_class(symbol),
            }
        )
    return out


def layer_group(layer: Layer) -> str:
    """Sidebar group: a dimension for thematic layers, else "more" or "reference"."""
    if layer.source == LayerSource.OBSERVATIONS:
        return layer.dimension.value
    return "reference" if layer.source == LayerSource.REFERENCE else "more"


def layer_config(layer: Layer, lang: Lang) -> dict[str, Any]:
    """What the browser needs to fetch, draw and explain one layer (kept small: it is inline)."""
    style = layer.style
    config: dict[str, Any] = {
        "id": layer.id,
        "title": layer.title(lang),
        "source": layer.source.value,
        "dimension": layer.dimension.value,
        "kindColoured": layer.kind_coloured,
        "icon": fa_class(layer.icon),
        "minZoom": layer.min_zoom,
        "nativeMaxZoom": min(layer.max_zoom, NATIVE_MAX_ZOOM),
        "clusterBelow": layer.cluster_below_zoom,
        "popup": list(layer.popup_fields),
        "stroke": style.stroke_color,
        "weight": style.stroke_width,
        "fillOpacity": style.fill_opacity,
    }
    if style.colors:
        config["colors"] = {kind.value: colour for kind, colour in style.colors.items()}
    if style.fill_color:
        config["fill"] = style.fill_color
    if style.dash_array:
        config["dash"] = style.dash_array
    if style.palette:
        config["palette"] = list(style.palette)
    if layer.attribution:
        config["attribution"] = layer.attribution
    return config


def default_layers(catalog: Catalog) -> list[str]:
    """Shown when the URL names none: every observation layer (the Karte der Nachhaltigkeit
    itself); findings, tracks and reference data are one click away."""
    return [layer.id for layer in catalog if layer.source == LayerSource.OBSERVATIONS]
