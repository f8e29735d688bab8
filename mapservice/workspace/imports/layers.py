"""Reference layers planners create while importing ("Sportstätten", "ISEK-Gebiete").

A new layer is the same definition a ``layers/*.toml`` file holds — validated by the same
model, neutral grey like every reference layer, with the source the planner names as its
attribution — stored in ``planner_layer`` and added to the running catalogue. Another API
worker learns of it the first time the id is asked for (:attr:`Catalog.on_miss` reads the
row), so tiles and OGC API serve it at once on every worker. Only ids with the ``ref-``
prefix are looked up, so a mistyped layer id in a tile URL costs no query.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from mapservice.access import Viewer
from mapservice.catalog import Catalog, Layer
from mapservice.errors import Conflict, Forbidden, InvalidInput

PREFIX = "ref-"
MISS_TTL_S = 30.0  # an unknown ref- id is asked for again after this long


def slug(title: str) -> str:
    """ "Sportstätten Hamme" → "sportstaetten-hamme" (the layer id after the prefix)."""
    folded = title.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    folded = folded.replace("ß", "ss")
    ascii_ = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")[:36].strip("-")


def definition(layer_id: str, title_de: str, title_en: str, attribution: str,
               public: bool) -> dict[str, Any]:  # fmt: skip
    """The layer as a layers/*.toml file would declare it."""
    return {
        "id": layer_id, "source": "reference", "title_de": title_de, "title_en": title_en,
        "description_de": f"Referenzdaten, im Arbeitsbereich importiert: {title_de}.",
        "description_en": f"Reference data imported in the workspace: {title_en}.",
        "dimension": "sozial", "geometry_types": ["Point", "LineString", "Polygon",
                                                 "MultiPolygon"],
        "public": public, "min_zoom": 11, "max_zoom": 20, "icon": "map-pin",
        "popup_fields": ["name", "address", "category"], "attribution": attribution,
        "style": {"fill_color": "#8C8C8C", "stroke_color": "#5A5A5A", "stroke_width": 1.0,
                  "fill_opacity": 0.7},
        "legend": {"feature": {"de": title_de, "en": title_en, "symbol": "map-pin"}},
    }  # fmt: skip


def _text(value: Any, name_de: str, name_en: str, limit: int = 80) -> str:
    value = " ".join(str(value or "").split())
    if not value or len(value) > limit:
        raise InvalidInput(
            f"{name_de}: 1–{limit} Zeichen angeben.", f"{name_en}: give 1–{limit} characters.",
            code="invalid_layer",
        )  # fmt: skip
    return value


def create_layer(engine: Engine, catalog: Catalog, viewer: Viewer, body: dict[str, Any]) -> Layer:
    """Create a planner's reference layer from ``{title_de, title_en?, attribution, public}``."""
    viewer.require("planner", "admin")
    if viewer.layers is not None:  # an account kept to some layers does not add new ones
        raise Forbidden(
            "Ihr Konto ist auf bestimmte Ebenen beschränkt und kann keine neuen anlegen.",
            "Your account is restricted to certain layers and cannot create new ones.",
            code="layer_forbidden",
        )
    title_de = _text(body.get("title_de"), "Titel", "Title")
    title_en = _text(body.get("title_en") or title_de, "Titel (englisch)", "Title (English)")
    attribution = _text(body.get("attribution"), "Quelle", "Source", 200)
    public = body.get("public", False)
    if not isinstance(public, bool):
        raise InvalidInput("public: true oder false.", "public: true or false.",
                           code="invalid_layer")  # fmt: skip
    stem = slug(title_de)
    if len(stem) < 2:
        raise InvalidInput(
            "Titel braucht mindestens zwei Buchstaben oder Ziffern.",
            "The title needs at least two letters or digits.", code="invalid_layer",
        )  # fmt: skip
    layer_id = PREFIX + stem
    data = definition(layer_id, title_de, title_en, attribution, public)
    try:
        layer = Layer.model_validate(data)
    except ValidationError as exc:  # e.g. a title of only spaces after folding
        raise InvalidInput(f"Ebene ungültig: {exc.errors()[0]['msg'][:120]}",
                           f"Invalid layer: {exc.errors()[0]['msg'][:120]}",
                           code="invalid_layer") from None  # fmt: skip
    if layer_id in catalog:
        raise _exists(layer_id)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO planner_layer (id, definition, created_by) "
                     "VALUES (:i, CAST(:d AS jsonb), :b)"),
                {"i": layer_id, "d": json.dumps(data), "b": viewer.name},
            )  # fmt: skip
    except IntegrityError:
        raise _exists(layer_id) from None
    catalog.add(layer)
    return layer


def _exists(layer_id: str) -> Conflict:
    return Conflict(f"Die Ebene {layer_id} gibt es schon.", f"Layer {layer_id} exists already.",
                    code="layer_exists")  # fmt: skip


def load_layers(engine: Engine, catalog: Catalog) -> int:
    """Add every stored planner layer to ``catalog``; returns how many there are."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT definition FROM planner_layer ORDER BY id")).all()
    except SQLAlchemyError:  # not migrated yet (``karte serve`` before ``karte db upgrade``)
        return 0
    for (data,) in rows:
        catalog.add(Layer.model_validate(data))
    return len(rows)


def install(catalog: Catalog, engine: Engine) -> None:
    """Load the planner layers now and look up unknown ``ref-`` ids when asked for."""
    misses: dict[str, float] = {}

    def on_miss(layer_id: str) -> Layer | None:
        if not layer_id.startswith(PREFIX) or len(layer_id) > 40:
            return None
        if time.monotonic() - misses.get(layer_id, -MISS_TTL_S) < MISS_TTL_S:
            return None
        try:
            with engine.connect() as conn:
                data = conn.execute(text("SELECT definition FROM planner_layer WHERE id = :i"),
                                    {"i": layer_id}).scalar()  # fmt: skip
        except SQLAlchemyError:
            data = None
        if data is None:
            if len(misses) > 10_000:
                misses.clear()
            misses[layer_id] = time.monotonic()
            return None
        return Layer.model_validate(data)

    load_layers(engine, catalog)
    catalog.on_miss = on_miss
