"""The layer's Sustainable Development Goals in the OGC API: item property, queryable, metadata.

A layer's goals (``sdg = [..]`` in its TOML file) hold for every feature of the layer, so
the item property is a constant array written into the SQL from the validated catalogue
(numbers 1–17 only, never client text). A filter ``sdg = 11`` therefore keeps all of a
layer's features or none, and PostgreSQL folds it before it reads a row.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mapservice.catalog import Layer
from mapservice.catalog.sdg import goals
from mapservice.tiles.sources import Prop, Source

SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {"type": "integer", "minimum": 1, "maximum": 17},
    "title": "Nachhaltigkeitsziele (SDG) / Sustainable Development Goals",
    "description": "Die UN-Nachhaltigkeitsziele der Ebene (1–17); filterbar mit sdg = 11, "
    "sdg IN (3, 11) oder A_OVERLAPS(sdg, [3, 11]). / The layer's UN goals (1–17).",
}


def sdg_sql(layer: Layer) -> str:
    """The goals as an ``int[]`` literal, e.g. ``'{3,11,15}'::int[]``."""
    return "'{" + ",".join(str(int(n)) for n in layer.sdg) + "}'::int[]"


def with_sdg(source: Source) -> Source:
    """``source`` with the item property ``sdg`` (OGC items only; tiles keep their fields)."""
    if any(p.name == "sdg" for p in source.props):
        return source
    return replace(source, props=(*source.props, Prop("sdg", sdg_sql(source.layer))))


def collection_sdg(layer: Layer) -> dict[str, Any]:
    """Members of a collection document: ``sdg`` (goals with titles) and ``keywords``."""
    known = goals()
    return {
        "sdg": [known[n].as_json() for n in layer.sdg],
        "keywords": [f"SDG {n}" for n in layer.sdg]
        + [known[n].title_de for n in layer.sdg]
        + [known[n].title_en for n in layer.sdg],
    }
