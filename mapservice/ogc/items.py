"""Items of a collection: one page (or one feature) built in PostGIS, links added here.

The features arrive as one UTF-8 byte string from the database and are framed with the
members OGC wants (``numberReturned``, ``numberMatched``, ``links``) without being parsed.
``next`` links use a keyset cursor (the last id), so deep pages stay as cheap as the first
(OFFSET paging is still accepted). ``numberMatched`` is counted in the same snapshot as the
first page and cached per data version, so it equals what paging yields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from mapservice.access import Viewer
from mapservice.catalog import Layer
from mapservice.ogc.cql import Condition
from mapservice.ogc.crs import BBox, OutputCrs, supported
from mapservice.ogc.params import CRS84, Cursor, feature_id, not_found_feature
from mapservice.ogc.sdg import with_sdg
from mapservice.tiles.filters import Filters
from mapservice.tiles.queries import fill, json_row
from mapservice.tiles.runtime import Runtime
from mapservice.tiles.sources import Source, check_filters, source_for, version_key

_COUNTS_MAX = 4096


@cache
def _template(name: str) -> str:
    return resources.files("mapservice.ogc").joinpath(f"sql/{name}.sql").read_text("utf-8")


@dataclass(frozen=True)
class ItemsQuery:
    """A validated items request."""

    layer: Layer
    viewer: Viewer
    filters: Filters
    bbox: BBox | None
    limit: int
    offset: int
    cursor: Cursor | None
    crs: OutputCrs
    condition: Condition | None = None

    def filter_key(self) -> tuple[Any, ...]:
        """The filter's identity for the count cache (its SQL and bound values)."""
        if self.condition is None:
            return ()
        values = json.dumps(self.condition.params, sort_keys=True, default=str)
        return (self.condition.sql, values)


@dataclass(frozen=True)
class Page:
    """One page: the features as JSON text bytes, and what is needed for the links."""

    features: bytes
    returned: int
    matched: int | None
    more: bool
    last: str | None
    offset: int
    version: str


def _slots(source: Source, crs: OutputCrs) -> dict[str, str]:
    return {
        "geometry": crs.geometry_sql("r.geom"),
        "select": source.select_list(),
        "from": source.from_sql,
        "where": source.where,
        "json_row": json_row(source.prop_names()),
        "id": source.id_sql,
        "id_type": source.id_type,
    }


@lru_cache(maxsize=512)
def _items_sql(
    slots: tuple[tuple[str, str], ...], envelope: str | None, after: bool, count: bool
) -> str:
    values = dict(slots)
    geom, ident = values.pop("geom"), values["id"]
    values["bbox"] = f" AND ST_Intersects({geom}, {envelope})" if envelope else ""
    values["after"] = f" AND {ident} > %(after)s::{values['id_type']}" if after else ""
    values["matched"] = (
        f"(SELECT count(*) FROM (SELECT 1 FROM {values['from']} WHERE {values['where']}"
        f"{values['bbox']} LIMIT %(count_cap1)s::int) c)"
        if count
        else "NULL::bigint"
    )
    return fill(_template("items"), values)


async def items_page(rt: Runtime, q: ItemsQuery) -> Page:
    """The page ``q`` asks for, with the number of all matches when it is cheap enough."""
    check_filters(q.layer, q.viewer, q.filters)
    source = with_sdg(with_condition(source_for(q.layer, q.viewer, q.filters), q.condition))
    versions = await rt.versions.snapshot()
    count_key = (
        "count", q.layer.id, versions.get(version_key(q.layer), "0"), source.scope,
        q.filters.key(), q.bbox, q.filter_key(),
    )  # fmt: skip
    known = rt.memo.get(count_key)
    slots = tuple({**_slots(source, q.crs), "geom": source.geom}.items())
    envelope = q.bbox.envelope_sql if q.bbox else None
    sql = _items_sql(slots, envelope, q.cursor is not None, known is None)
    cap = rt.settings.count_cap
    params: dict[str, Any] = {
        **source.params,
        "limit": q.limit,
        "limit1": q.limit + 1,
        "offset": 0 if q.cursor else q.offset,
        "after": q.cursor.after if q.cursor else None,
        "count_cap1": cap + 1,
        "version_key": version_key(q.layer),
    }
    if q.bbox is not None:
        params.update(q.bbox.params())
    features, returned, more, last, matched, version = await rt.fetchone(sql, params, prepare=False)
    if matched is None:
        matched = known
    elif matched <= cap:
        if len(rt.memo) >= _COUNTS_MAX:
            rt.memo.clear()
        rt.memo[(*count_key[:2], str(version), *count_key[3:])] = int(matched)
    else:
        matched = None  # above the cap: leave numberMatched out rather than count forever
    start = q.cursor.offset if q.cursor else q.offset
    return Page(bytes(features), int(returned), matched, bool(more), last, start, str(version))


def page_body(page: Page, links: list[dict[str, Any]]) -> bytes:
    """Frame the features with the FeatureCollection members; the features are not parsed."""
    tail: dict[str, Any] = {"numberReturned": page.returned}
    if page.matched is not None:
        tail["numberMatched"] = page.matched
    tail["timeStamp"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    tail["links"] = links
    rest = json.dumps(tail, ensure_ascii=False, separators=(",", ":"))[1:]
    return b'{"type":"FeatureCollection","features":[' + page.features + b"]," + rest.encode()


def with_condition(source: Source, condition: Condition | None) -> Source:
    """``source`` narrowed by a translated CQL2 filter (its values stay bound parameters)."""
    if condition is None:
        return source
    where = f"({source.where}) AND {condition.sql}"
    return replace(source, where=where, params={**source.params, **condition.params})


async def one_item(
    rt: Runtime, layer: Layer, viewer: Viewer, raw_id: str, crs: OutputCrs | None = None
) -> dict[str, Any]:
    """The feature ``raw_id`` if it exists and the viewer may see it, else 404."""
    source = with_sdg(source_for(layer, viewer))
    fid = feature_id(raw_id, source.id_type)
    sql = fill(_template("item"), _slots(source, crs or supported()[CRS84]))
    rows = await rt.fetchall(sql, {**source.params, "fid": fid})
    if not rows:
        raise not_found_feature(raw_id)
    feature: dict[str, Any] = json.loads(rows[0][0])
    return feature
