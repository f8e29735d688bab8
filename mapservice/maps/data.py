"""What a map page knows about a quarter: outline, counts per layer and kind, walkthroughs.

Counts and the list view are built from ``tiles.sources.source_for`` fragments, so they obey
exactly the visibility rules of the tiles (the public sees published items and generalised
finding geometry only) — the numbers beside a layer always match what the map can draw.
Results are cached per data version (``layer_version``, bumped by every write), so a warm
page costs one tiny version read instead of counting a large table again.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from mapservice.access import Viewer
from mapservice.catalog import Layer
from mapservice.db.models import GROUPS, KINDS
from mapservice.maps.db import Db, suffixed
from mapservice.tiles.filters import Filters
from mapservice.tiles.sources import applicable_filters, check_filters, source_for

QUARTER_SQL = """
SELECT q.id, q.slug, q.name, q.city, q.description, q.synthetic,
       ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b),
       ST_AsGeoJSON(ST_SimplifyPreserveTopology(
         q.boundary, greatest(ST_XMax(b) - ST_XMin(b), ST_YMax(b) - ST_YMin(b)) / 2500), 6),
       ST_X(a), ST_Y(a)
  FROM quarter q, LATERAL (SELECT Box2D(q.boundary) AS b, ST_PointOnSurface(q.boundary) AS a) e
 WHERE q.slug = %(slug)s::text
"""
QUARTERS_SQL = "SELECT slug, name, city FROM quarter ORDER BY city, name"
WALKS_SQL = """
SELECT w.id::text, w.title, w.started_at, w.residents, w.multipliers, w.experts,
       w.administration, ST_X(s), ST_Y(s)
  FROM walkthrough w, LATERAL ST_StartPoint(ST_GeometryN(w.track, 1)) s  -- first recording
 WHERE w.quarter_id = %(qid)s::int ORDER BY w.started_at, w.id LIMIT 500
"""
INTERVIEWS_SQL = """
SELECT participant_group, count(*) FROM interview WHERE quarter_id = %(qid)s::int GROUP BY 1
"""
AS_OF_SQL = """
SELECT greatest(o.updated, (SELECT max(updated_at) FROM finding
                             WHERE quarter_id = %(qid)s::int AND status = 'published'),
                (SELECT max(started_at) FROM walkthrough WHERE quarter_id = %(qid)s::int)),
       o.first, o.last
  FROM (SELECT max(updated_at) AS updated, min(observed_at) AS first, max(observed_at) AS last
          FROM observation WHERE quarter_id = %(qid)s::int AND status = 'published') o
"""
ROUNDS_SQL = (
    "SELECT label FROM walk_round WHERE quarter_id = %(qid)s::int ORDER BY period_from, label"
)
KIND_RANK = "CASE {k} " + " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(KINDS)) + " END"


@dataclass(frozen=True)
class Quarter:
    id: int
    slug: str
    name: str
    city: str
    description: str
    synthetic: bool
    bbox: tuple[float, float, float, float]  # west, south, east, north
    outline: dict[str, Any]
    #: Where georeferencing puts statements about the whole quarter (ST_PointOnSurface).
    anchor: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class Walk:
    id: str
    title: str
    started_at: datetime | None
    groups: dict[str, int]
    start: tuple[float, float] | None  # lon, lat of the track's first point


@dataclass(frozen=True)
class Facts:
    """Quarter figures that do not depend on layers: walkthroughs, interviews, currency."""

    walks: list[Walk]
    interviews: dict[str, int]
    as_of: datetime | None
    first: datetime | None = None  # earliest and latest published observation
    last: datetime | None = None
    rounds: tuple[str, ...] = ()  # Begehungsrunden, oldest first (two or more: a change map)

    def participants(self) -> dict[str, int]:
        return {g: sum(w.groups.get(g, 0) for w in self.walks) for g in GROUPS}


@dataclass
class MapsData:
    """Queries of the map pages with a small per-data-version cache (one per app)."""

    db: Db
    cache: OrderedDict[Any, Any] = field(default_factory=OrderedDict)
    max_entries: int = 512

    def _remember(self, key: Any, value: Any) -> Any:
        self.cache[key] = value
        if len(self.cache) > self.max_entries:
            self.cache.popitem(last=False)
        return value

    async def quarter(self, slug: str) -> Quarter | None:
        rows = await self.db.fetchall(QUARTER_SQL, {"slug": slug})
        if not rows:
            return None
        qid, slug, name, city, desc, synthetic, x0, y0, x1, y1, outline, ax, ay = rows[0]
        return Quarter(
            qid,
            slug,
            name,
            city,
            desc or "",
            bool(synthetic),
            (x0, y0, x1, y1),
            json.loads(outline),
            (ax, ay),
        )

    async def quarter_names(self) -> list[tuple[str, str, str]]:
        return [tuple(r) for r in await self.db.fetchall(QUARTERS_SQL, {})]  # type: ignore[misc]

    async def facts(self, quarter: Quarter) -> Facts:
        versions = await self.db.versions()
        key = ("facts", quarter.id, tuple(sorted(versions.items())))
        if key in self.cache:
            return self.cache[key]
        params = {"qid": quarter.id}
        walks = [
            Walk(
                wid,
                title,
                started,
                dict(zip(GROUPS, (r, m, e, a), strict=True)),
                (sx, sy) if sx is not None else None,
            )
            for wid, title, started, r, m, e, a, sx, sy in await self.db.fetchall(WALKS_SQL, params)
        ]
        interviews = dict(await self.db.fetchall(INTERVIEWS_SQL, params))
        as_of, first, last = (await self.db.fetchall(AS_OF_SQL, params))[0]
        groups = {g: interviews.get(g, 0) for g in GROUPS}
        rounds = tuple(r[0] for r in await self.db.fetchall(ROUNDS_SQL, params))
        return self._remember(key, Facts(walks, groups, as_of, first, last, rounds))

    async def counts(
        self, layers: list[Layer], viewer: Viewer, filters: Filters
    ) -> dict[str, dict[str, int]]:
        """Visible features per layer and kind (``"all"`` for layers without kinds)."""
        if not layers:
            return {}
        versions = await self.db.versions()
        sources = [
            source_for(layer, viewer, filters_for(layer, viewer, filters)) for layer in layers
        ]
        key = (
            "counts",
            tuple(sorted(versions.items())),
            filters.key(),
            tuple((s.layer.id, s.scope) for s in sources),
        )
        if key in self.cache:
            return self.cache[key]
        parts, params = [], {}
        for n, source in enumerate(sources):
            kind = source.kind or "NULL::text"
            text = (
                f"SELECT %(lid)s::text, {kind}, count(*) FROM {source.from_sql} "
                f"WHERE {source.where} GROUP BY 2"
            )
            sql, p = suffixed(text, {**source.params, "lid": source.layer.id}, n)
            parts.append(sql)
            params.update(p)
        out: dict[str, dict[str, int]] = {layer.id: {} for layer in layers}
        for layer_id, kind, n in await self.db.fetchall(" UNION ALL ".join(parts), params):
            out[layer_id][kind or "all"] = int(n)
        return self._remember(key, out)

    async def list_rows(
        self,
        layers: list[Layer],
        viewer: Viewer,
        filters: Filters,
        limit: int,
        kinds: list[str] | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """The list view: visible features of ``layers``, sorted by kind, at most ``limit``.

        ``kinds`` keeps features of those kinds (and features without a kind, such as
        walkthrough tracks and reference data), like the map's kind filter does.
        """
        if not layers:
            return [], 0
        parts, params = [], {}
        for n, layer in enumerate(layers):
            source = source_for(layer, viewer, filters_for(layer, viewer, filters))
            names = source.prop_names()
            props = ", ".join(f"'{name}', s.\"{name}\"" for name in names)
            kind = "s.kind" if "kind" in names else "NULL::text"
            text = (
                f"SELECT %(lid)s::text AS layer, {kind} AS kind, json_build_object({props}) AS p,"
                f" s.geom FROM (SELECT {source.select_list()} FROM {source.from_sql}"
                f" WHERE {source.where}) s"
            )
            sql, p = suffixed(text, {**source.params, "lid": layer.id}, n)
            parts.append(sql)
            params.update(p)
        sql = f"""
        WITH u AS ({" UNION ALL ".join(parts)}),
        top AS (SELECT u.*, count(*) OVER () AS total FROM u
                 WHERE u.kind IS NULL OR u.kind = ANY(%(kinds)s::text[])
                 ORDER BY {KIND_RANK.format(k="u.kind")} NULLS LAST,
                          coalesce(u.p->>'title', u.p->>'statement', u.p->>'name'), u.p->>'id'
                 LIMIT %(limit)s::int)
        SELECT t.layer, t.kind, t.p, ST_X(pt), ST_Y(pt), GeometryType(t.geom), t.total,
               (SELECT g.name FROM gazetteer_entry g WHERE g.kind = 'street'
                 ORDER BY g.geom <-> pt LIMIT 1)
          FROM top t, LATERAL ST_PointOnSurface(t.geom) pt
        """
        params["limit"] = limit
        params["kinds"] = list(KINDS) if kinds is None else [k for k in kinds if k in KINDS]
        result = await self.db.fetchall(sql, params)
        rows = []
        for layer_id, kind, props, x, y, gtype, _total, street in result:
            props = props if isinstance(props, dict) else json.loads(props)
            rows.append(row_of(layer_id, kind, props, x, y, gtype, street))
        return rows, int(result[0][6]) if result else 0


def row_of(
    layer: str, kind: str | None, p: dict[str, Any], x: float, y: float, gtype: str, street: Any
) -> dict[str, Any]:
    """One list row: what to read (title, place, date) and where to pan (lon, lat)."""
    title = p.get("title") or p.get("statement") or p.get("name") or ""
    return {
        "id": str(p.get("id")),
        "layer": layer,
        "kind": kind,
        "title": title,
        "place": p.get("place_text") or p.get("address") or "",
        "street": street or "",
        "date": (p.get("observed_at") or p.get("started_at") or "")[:10],
        "lon": round(x, 6),
        "lat": round(y, 6),
        "geometry": geometry_class(gtype),
    }


def geometry_class(gtype: str | None) -> str:
    """``POINT``/``MULTILINESTRING``/… → "point", "line" or "area" (what the list says)."""
    name = (gtype or "").upper()
    return "point" if "POINT" in name else "line" if "LINE" in name else "area"


def filters_for(layer: Layer, viewer: Viewer, filters: Filters) -> Filters:
    """The page's filters as far as ``layer`` understands them (tracks have no status …).

    A page filters many layers at once; a filter one layer lacks is simply not applied to
    it, where a tile request for that layer alone would be refused.
    """
    usable = applicable_filters(layer, viewer) | {"quarter"}
    kept = replace(
        filters,
        kind=filters.kind if "kind" in usable else None,
        walkthrough=filters.walkthrough if "walkthrough" in usable else None,
        status=filters.status if "status" in usable else None,
        since=filters.since if "datetime" in usable else None,
        until=filters.until if "datetime" in usable else None,
    )
    check_filters(layer, viewer, kept)
    return kept
