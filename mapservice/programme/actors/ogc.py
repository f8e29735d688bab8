"""The OGC API Features collection ``akteure``: actors with a visible place, as GeoJSON.

Built like ``massnahmen`` (:mod:`mapservice.programme.ogc`) from the same service function
as ``/api/actors``, so the consent rule of :mod:`.reads` holds here too: a feature carries
only the fields the actor consented to, and an actor without consent to its place is no
feature at all. Offers are flattened to text (``offers``: "what (for whom; when)" joined by
" | ") so QGIS and GDAL can show them as one attribute.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection

from mapservice.access import Viewer
from mapservice.errors import InvalidInput, NotFound
from mapservice.programme.actors.reads import (
    ActorFilter,
    field_sql,
    get_actor,
    list_actors,
    visible_sql,
)
from mapservice.programme.actors.vocab import KINDS
from mapservice.programme.ogc import (
    _bbox,
    _choice,
    _int,
    collection_doc,
    extent,
    feature_page,
    located_or_404,
)

COLLECTION = "akteure"
TITLE = "Akteure & Angebote"
DESCRIPTION = (
    "Wer im Quartier organisiert und berät (QM-Büro, Vereine, Initiativen, Einrichtungen, "
    "Kümmerer*innen) und was angeboten wird; nur Felder mit Einwilligung zur "
    "Veröffentlichung. / Who organises and advises in the quarter and what they offer; "
    "only fields consented to publication."
)
PARAMS = frozenset({"f", "limit", "offset", "bbox", "quarter", "kind", "q"})
PROPERTIES = (
    "external_id",
    "osm_id",
    "name",
    "kind",
    "kind_label",
    "description",
    "address",
    "phone",
    "email",
    "website",
    "quarters",
    "synthetic",
)


def offers_text(offers: list[dict[str, Any]]) -> str:
    parts = []
    for o in offers:
        extra = "; ".join(x for x in (o.get("for_whom"), o.get("opening_hours")) if x)
        parts.append(f"{o['what']} ({extra})" if extra else o["what"])
    return " | ".join(parts)


def collection(root: str, conn: Connection | None = None, viewer: Viewer | None = None) -> dict:
    bbox = None
    if conn is not None and viewer is not None:
        geom = field_sql(viewer)["location"]
        bbox = extent(conn, geom, f"actor a WHERE {visible_sql(viewer)}")
    return collection_doc(root, COLLECTION, TITLE, DESCRIPTION, bbox)


def check_params(query: dict[str, str]) -> None:
    unknown = sorted(set(query) - PARAMS)
    if unknown:
        names = ", ".join(unknown)[:200]
        raise InvalidInput(
            f"Unbekannte Parameter: {names} (möglich: {', '.join(sorted(PARAMS))}).",
            f"Unknown parameters: {names} (possible: {', '.join(sorted(PARAMS))}).",
            code="unknown_parameter",
        )
    if query.get("f", "json") not in ("json", "geojson"):
        raise InvalidInput("Parameter f: nur json.", "Parameter f: json only.", code="invalid_f")
    if len(query.get("q", "")) > 200 or len(query.get("quarter", "")) > 64:
        raise InvalidInput("Parameter zu lang.", "Parameter too long.", code="invalid_input")


def feature(a: dict[str, Any]) -> dict[str, Any]:
    props = {k: a.get(k) for k in PROPERTIES}
    props["offers"] = offers_text(a["offers"])
    props["open_now"] = next((o["open_now"] for o in a["offers"] if o["open_now"]), None)
    props.update({f"tag:{k}": v for k, v in sorted(a["tags"].items())})
    return {"type": "Feature", "id": a["id"], "geometry": a["geometry"], "properties": props}


def items(conn: Connection, viewer: Viewer, root: str, query: dict[str, str]) -> dict[str, Any]:
    check_params(query)
    limit = max(1, _int(query, "limit", 100, 1000))
    offset = _int(query, "offset", 0, 10_000_000)
    flt = ActorFilter(
        quarter=query.get("quarter"),
        kind=_choice(query, "kind", list(KINDS)),
        search=query.get("q") or None,
        located=True,
        bbox=_bbox(query.get("bbox")),
        limit=limit,
        offset=offset,
    )
    rows, matched = list_actors(conn, viewer, flt)
    return feature_page(root, COLLECTION, query, [feature(a) for a in rows], matched, offset)


def item(conn: Connection, viewer: Viewer, raw_id: str) -> dict[str, Any]:
    try:
        found = get_actor(conn, viewer, uuid.UUID(raw_id))
    except (ValueError, NotFound):
        found = None
    return feature(located_or_404(found, raw_id))
