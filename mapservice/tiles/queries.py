"""Turn a layer ``Source`` into the SQL text of a tile query, once per layer shape.

The templates in ``sql/`` hold the queries; this module only fills their ``{{…}}`` slots
with fragments from ``sources`` (table, visibility, filters, property lists). The result is
cached per shape, so every request of a shape sends byte-identical SQL text and psycopg's
prepared statement is reused; values (z, x, y, filters …) are always bound parameters.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

from mapservice.db.models import KINDS
from mapservice.tiles.sources import Source
from mapservice.tiles.versions import VERSION_SQL

Format = Literal["mvt", "geojson"]
_SLOT = re.compile(r"\{\{(\w+)\}\}")


@cache
def template(name: str) -> str:
    """The text of ``sql/<name>.sql`` (packaged with the code)."""
    return resources.files("mapservice.tiles").joinpath(f"sql/{name}.sql").read_text("utf-8")


def fill(text: str, slots: dict[str, str]) -> str:
    """Replace every ``{{name}}``; a missing slot is a programming error, so it raises.
    ``{{version}}`` is always the layer's version token (``versions.VERSION_SQL``)."""
    slots = {"version": VERSION_SQL, **slots}
    return _SLOT.sub(lambda m: slots[m[1]], text)


def tile_sql(source: Source, fmt: Format, clustered: bool, grid_where: str | None = None) -> str:
    """SQL text for one tile of ``source`` (see sql/raw_*.sql and sql/clustered_*.sql).

    ``grid_where`` (from ``cluster_grid.grid_plan``) makes a clustered tile count its points
    from ``cluster_cell`` (sql/grid_clusters.sql) instead of walking them (sql/clusters.sql).
    """
    return _tile_sql(
        fmt, clustered, source.select_list(), (source.table, source.alias, source.joins),
        source.where, source.geom, source.id_sql, source.kind, tuple(source.prop_names()),
        grid_where if clustered else None,
    )  # fmt: skip


@lru_cache(maxsize=512)
def _tile_sql(
    fmt: Format,
    clustered: bool,
    select: str,
    table: tuple[str, str, str],
    where: str,
    geom: str,
    id_sql: str,
    kind: str | None,
    names: tuple[str, ...],
    grid_where: str | None = None,
) -> str:
    quoted = [f'"{n}"' for n in names]
    counts = [f"count_{k}" for k in KINDS] if kind is not None else []
    slots = {
        "select": select,
        "table": table[0],
        "alias": table[1],
        "joins": table[2],
        "where": where,
        "geom": geom,
        "id": id_sql,
        "kind": kind or "NULL::text",
        "raw_props": ", ".join(f"r.{q}" for q in quoted),
        "row_props": ", ".join(f"u.{q}" for q in quoted),
        "null_props": ", ".join("NULL" for _ in quoted),
        "json_row": json_row(names),
        "kind_counts": "".join(
            f", count(*) FILTER (WHERE kind = '{k}') AS count_{k}" for k in KINDS
        )
        if kind is not None
        else "",
        "null_counts": "".join(f", NULL::bigint AS {c}" for c in counts),
        "cluster_counts": "".join(f", c.{c}" for c in counts),
        "row_counts": "".join(f", u.{c}" for c in counts),
    }
    if clustered and grid_where is not None:
        slots["grid_where"] = grid_where
        slots["grid_kind_counts"] = "".join(
            f", coalesce(sum(c.n) FILTER (WHERE c.kind = '{k}'), 0) AS count_{k}"
            for k in (KINDS if kind is not None else ())
        )
        slots["clusters"] = fill(_strip_comments(template("grid_clusters")), slots)
    elif clustered:
        slots["clusters"] = fill(_strip_comments(template("clusters")), slots)
    else:
        slots["kept"] = fill(_strip_comments(template("kept")), slots)
    name = f"{'clustered' if clustered else 'raw'}_{fmt}"
    return compact(fill(template(name), slots))


def compact(sql: str) -> str:
    """The query without comments and indentation. Not for looks: psycopg caches the
    conversion of ``%(name)s`` placeholders only for statements up to 4096 characters, and
    re-parsing a 5 KB tile query costs ~0.4 ms of Python on every request."""
    lines = []
    for line in sql.splitlines():
        code = line.split("  -- ", 1)[0].strip()
        if code and not code.startswith("--"):
            lines.append(code)
    return "\n".join(lines)


def json_row(names: tuple[str, ...] | list[str], alias: str = "r") -> str:
    """The properties of row ``alias`` as compact JSON text (``row_to_json`` over a sub-row is
    about twice as fast as ``json_build_object`` and writes no spaces)."""
    columns = ", ".join(f'{alias}."{n}"' for n in names)
    return f"(SELECT row_to_json(p) FROM (SELECT {columns}) p)::text"


def _strip_comments(text: str) -> str:
    """Drop the leading ``--`` comment block of a fragment that is pasted into a query."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("--"))
