"""The layer catalogue: thematic layers declared in `layers/*.toml`, validated on load.

    >>> from mapservice.catalog import load_catalog
    >>> catalog = load_catalog()            # the repository's layers/ folder
    >>> catalog.get("gruen-freiraum").title("de")
    'Grün & Freiraum'

Other packages import the vocabulary from here (`Kind`, `Dimension`, `LayerSource`)
so that tiles, maps and the API agree on one spelling of each value.
"""

from mapservice.catalog.loader import Catalog, UnknownLayer, default_layers_dir, load_catalog
from mapservice.catalog.model import (
    Dimension,
    Kind,
    Layer,
    LayerSource,
    LayerStyle,
    LegendEntry,
)
from mapservice.catalog.problems import CatalogError, CatalogProblem

__all__ = [
    "Catalog",
    "CatalogError",
    "CatalogProblem",
    "Dimension",
    "Kind",
    "Layer",
    "LayerSource",
    "LayerStyle",
    "LegendEntry",
    "UnknownLayer",
    "default_layers_dir",
    "load_catalog",
]
