"""The filtering query parameters of ``/items``: ``filter``, ``filter-lang``, ``filter-crs``,
and every queryable as a query parameter of its own (``?rating=-2``), all as one condition.

The named filters the tiles share (``quarter``, ``kind``, ``walkthrough``, ``status``,
``datetime``) keep their own path (``tiles.filters``); the other queryables are turned into
CQL2-JSON equality (or, for times, ``T_INTERSECTS`` with an OGC ``datetime`` interval) and
translated by the same code as ``filter``, so there is one way from a client's value to SQL.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mapservice.catalog.sdg import parse_goal
from mapservice.ogc.cql import Condition, parse, translate
from mapservice.ogc.crs import parse_crs
from mapservice.ogc.queryables import Queryable
from mapservice.tiles.filters import FILTER_NAMES, invalid, parse_datetime

FILTER_PARAMS = ("filter", "filter-lang", "filter-crs")
LANGS = ("cql2-text", "cql2-json")


def parameter_names(queryables: Mapping[str, Queryable]) -> set[str]:
    """The queryables a client may also pass as query parameters of their own."""
    return {n for n, q in queryables.items() if q.type != "geometry" and n not in FILTER_NAMES}


def _equality(name: str, q: Queryable, value: str) -> dict[str, Any]:
    prop = {"property": name}
    if q.many:  # ?sdg=11: one goal, 1–17 (a clear 400 for 0, 18 or "elf")
        return {"op": "=", "args": [prop, parse_goal(value)]}
    if q.type == "number":
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise invalid(name, "erwartet wird eine Zahl.", "a number is expected.")
        return {"op": "=", "args": [prop, number]}
    if q.type == "timestamp":
        since, until = parse_datetime(value)
        ends = [t.isoformat().replace("+00:00", "Z") if t else ".." for t in (since, until)]
        return {"op": "t_intersects", "args": [prop, {"interval": ends}]}
    return {"op": "=", "args": [prop, value]}


def items_condition(
    query: Mapping[str, str], queryables: Mapping[str, Queryable]
) -> Condition | None:
    """One SQL condition for everything in ``query`` that filters by queryables, or None."""
    lang = query.get("filter-lang", "cql2-text")
    if lang not in LANGS:
        raise invalid("filter-lang", f"möglich sind {', '.join(LANGS)}.",
                      f"possible are {', '.join(LANGS)}.")  # fmt: skip
    crs = parse_crs("filter-crs", query.get("filter-crs"))
    parts: list[Any] = []
    text = query.get("filter", "")
    if "filter" in query:
        if not text.strip():
            raise invalid("filter", "ist leer.", "is empty.")
        parts.append(parse(text, lang))
    for name in sorted(parameter_names(queryables) & set(query)):
        parts.append(_equality(name, queryables[name], query[name]))
    if not parts:
        return None
    tree = parts[0] if len(parts) == 1 else {"op": "and", "args": parts}
    return translate(tree, dict(queryables), crs, text if lang == "cql2-text" else "")
