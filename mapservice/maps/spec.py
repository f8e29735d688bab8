"""What the folium part of a map page depends on, and what it gives back — plain data.

Kept apart from :mod:`mapservice.maps.folium_map` so that the page code (and every server
worker that imports it) can name basemaps and map specs without importing folium, branca,
numpy and requests; folium is loaded only when a page is actually rendered.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Basemap:
    id: str
    label: str
    url: str
    attribution: str


@dataclass(frozen=True)
class MapParts:
    """The rendered map, to be placed into the page: links for <head>, the div, the script."""

    head: str
    body: str
    script: str


@dataclass(frozen=True)
class MapSpec:
    """Everything the folium part of a page depends on; its JSON form is the cache key."""

    bbox: tuple[float, float, float, float]
    outline: dict[str, Any]
    bases: list[Basemap]
    layers: list[dict[str, Any]]
    texts: dict[str, str]
    asset_urls: dict[str, str]

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
