"""Queryables and CQL2 ``filter`` of the OGC collection ``massnahmen`` (Features Part 3).

The same allow-list mechanism as the layers' collections (mapservice.ogc.queryables,
mapservice.ogc.cql): a name that is not listed here cannot reach SQL, every literal is a
bound parameter. Two things are particular to measures:

- ``layer``, ``dimension`` and ``quarter`` are lists (a measure may serve several themes,
  dimensions and quarters): ``dimension = 'sozial'`` means "has that dimension";
- ``progress`` is the *figure* a reader sees (weighted mean of the children on parents,
  mapservice.programme.progress), not the stored hand value. It is computed in Python for
  the viewer's visible measures and handed to SQL as two bound arrays, so a filter
  ``progress >= 50`` selects exactly the measures whose shown figure is at least 50.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection

from mapservice.access import Viewer
from mapservice.ogc.filter_params import FILTER_PARAMS, items_condition
from mapservice.ogc.queryables import Queryable, _q, property_schemas
from mapservice.programme.measures import figures
from mapservice.programme.vocab import DIMENSIONS, PHASES, STATES

_QUARTERS = (
    "ARRAY(SELECT qq.slug FROM measure_quarter qm JOIN quarter qq ON qq.id = qm.quarter_id "
    "WHERE qm.measure_id = m.id)"
)
_PROGRESS = (
    "(SELECT f.v FROM unnest(CAST(:fig_ids AS uuid[]), CAST(:fig_vals AS float8[])) "
    "AS f(id, v) WHERE f.id = m.id)"
)
_DAY = "(m.{0}::timestamp AT TIME ZONE 'UTC')"
_BIND = re.compile(r"%\((cql_\d+)\)s::([a-z0-9_]+(?:\[\])?)")


def _list(name: str, sql: str, title: str, **extra: Any) -> Queryable:
    schema = {"type": "array", "title": title, "items": {"type": "string", **extra}}
    return Queryable(name, sql, "string", schema, array=True)


def measure_queryables() -> dict[str, Queryable]:
    """Name → queryable; the same for every viewer (visibility is applied around it)."""
    found = [
        _q("geometry", "m.geom", "geometry", "Geometrie / geometry"),
        _q("phase", "m.phase", "string", "Phase", enum=list(PHASES)),
        _q("status", "m.status", "string", "Status", enum=list(STATES)),
        _q("progress", _PROGRESS, "number", "Fortschritt % / progress", minimum=0, maximum=100),
        _q("weight", "m.weight", "number", "Gewicht / weight"),
        _list("dimension", "m.dimensions", "Dimension", enum=list(DIMENSIONS)),
        _list("layer", "m.layer_ids", "Themenebene / layer"),
        _list("quarter", _QUARTERS, "Quartier / quarter"),
        _q("start_date", _DAY.format("start_date"), "timestamp", "Beginn / start"),
        _q("end_date", _DAY.format("end_date"), "timestamp", "Ende / end"),
        _q("title", "m.title", "string", "Titel / title"),
        _q("reference", "m.reference", "string", "Nummer / reference"),
        _q("responsible", "m.responsible", "string", "Verantwortlich / responsible"),
    ]
    return {q.name: q for q in found}


def queryables_document(root: str) -> dict[str, Any]:
    """JSON Schema of the queryables (``/ogc/collections/massnahmen/queryables``)."""
    return {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": f"{root}/collections/massnahmen/queryables",
        "type": "object",
        "title": "Maßnahmen (Handlungsprogramm)",
        "properties": property_schemas(
            measure_queryables(),
            ["Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"],
        ),
        "additionalProperties": False,
    }


def measure_condition(
    conn: Connection, viewer: Viewer, query: dict[str, str]
) -> tuple[str, dict[str, Any]] | None:
    """``filter`` / ``filter-lang`` / ``filter-crs`` → (SQL over ``m``, params), or None.

    A bad filter is a 400 with a German and an English message (mapservice.ogc.cql)."""
    wanted = {k: v for k, v in query.items() if k in FILTER_PARAMS}
    if not wanted:
        return None
    condition = items_condition(wanted, measure_queryables())
    if condition is None:
        return None
    # the translator binds psycopg-style (%(cql_0)s::text); the measures run on SQLAlchemy
    sql = _BIND.sub(lambda m: f"CAST(:{m[1]} AS {m[2]})", condition.sql)
    params = dict(condition.params)
    if ":fig_ids" in sql:
        figs = {k: f.value for k, f in figures(conn, viewer).items() if f.value is not None}
        params["fig_ids"] = list(figs)
        params["fig_vals"] = list(figs.values())
    return sql, params
