"""CQL2 filters (OGC API Features Part 3) → a parameterised SQL condition.

Parsing and schema validation are the ``cql2`` package's (the reference CQL2 parser, in
Rust, for text and JSON); this module walks the resulting CQL2-JSON tree and writes SQL
from two things only: the expressions of the collection's queryables (an allow-list) and
bound parameters for every literal. Nothing a client sends is ever spliced into SQL text,
so ``kind = 'x'' OR 1=1 --'`` is just a string compared with ``kind``.

Supported: basic CQL2 (comparisons, AND/OR/NOT, IS NULL, TIMESTAMP/DATE literals),
LIKE/BETWEEN/IN (on list properties ``=``, ``<>`` and ``IN``: holds the value / one of
them), the spatial functions S_INTERSECTS, S_EQUALS, S_DISJOINT, S_TOUCHES,
S_WITHIN, S_OVERLAPS, S_CROSSES, S_CONTAINS with a geometry or BBOX literal, and the
temporal functions T_INTERSECTS, T_EQUALS, T_BEFORE, T_AFTER, T_DISJOINT, T_DURING on
instants (every time property here is an instant). Anything else is a 400 that says so.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import cql2
import shapely
from shapely.geometry import shape

from mapservice.errors import InvalidInput
from mapservice.ogc.crs import OutputCrs, inside_world
from mapservice.ogc.queryables import Queryable

MAX_TEXT, MAX_NODES, MAX_VERTICES, MAX_LIST = 20_000, 2_000, 20_000, 1_000
_POSITION = re.compile(r"-->\s*(\d+):(\d+)")
_COMPARE = {"=": "=", "<>": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_SPATIAL = {
    "s_intersects": "ST_Intersects", "s_equals": "ST_Equals", "s_disjoint": "ST_Disjoint",
    "s_touches": "ST_Touches", "s_within": "ST_Within", "s_overlaps": "ST_Overlaps",
    "s_crosses": "ST_Crosses", "s_contains": "ST_Contains",
}  # fmt: skip
_ARRAY = {"a_contains": "@>", "a_containedby": "<@", "a_overlaps": "&&", "a_equals": "@>"}
_TEMPORAL = {"t_intersects", "t_equals", "t_before", "t_after", "t_disjoint", "t_during"}
_CAST = {"string": "text", "number": "float8", "timestamp": "timestamptz"}
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
]


def _error(de: str, en: str) -> InvalidInput:
    return InvalidInput(f"Ungültiger Filter: {de}", f"Invalid filter: {en}", code="invalid_filter")


@dataclass(frozen=True)
class Condition:
    """A translated filter: SQL text with ``%(cql_N)s`` placeholders and their values."""

    sql: str
    params: dict[str, Any] = field(default_factory=dict)


def parse(text: str, lang: str) -> dict[str, Any]:
    """The CQL2-JSON tree of a ``filter`` value, or a 400 naming where it went wrong."""
    if len(text) > MAX_TEXT:
        raise _error(f"länger als {MAX_TEXT} Zeichen.", f"longer than {MAX_TEXT} characters.")
    if "\x00" in text:
        raise _error("enthält ein NUL-Zeichen.", "contains a NUL character.")
    if lang == "cql2-json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise _error(
                f"kein gültiges JSON an Stelle {exc.pos + 1}: {exc.msg}.",
                f"not valid JSON at position {exc.pos + 1}: {exc.msg}.",
            ) from None
        try:
            expr = cql2.parse_json(text)
            expr.validate()
        except Exception as exc:  # cql2 raises its own ValidationError/ValueError types
            raise _error(
                f"kein gültiges CQL2-JSON ({str(exc)[:200]}).",
                f"not valid CQL2 JSON ({str(exc)[:200]}).",
            ) from None
        return expr.to_json()
    try:
        expr = cql2.parse_text(text)
    except Exception as exc:
        raise _syntax_error(str(exc)) from None
    return expr.to_json()


def _syntax_error(message: str) -> InvalidInput:
    where = _POSITION.search(message)
    expected = message.split("= expected", 1)[1].strip() if "= expected" in message else ""
    hint = f" (erwartet: {expected[:160]})" if expected else ""
    hint_en = f" (expected: {expected[:160]})" if expected else ""
    if where:
        line, col = where.groups()
        return _error(
            f"Syntaxfehler in Zeile {line}, Spalte {col}{hint}.",
            f"syntax error at line {line}, column {col}{hint_en}.",
        )
    return _error(f"Syntaxfehler: {message[:200]}.", f"syntax error: {message[:200]}.")


class _Translator:
    def __init__(self, queryables: dict[str, Queryable], crs: OutputCrs, text: str) -> None:
        self.queryables, self.crs, self.text = queryables, crs, text
        self.params: dict[str, Any] = {}
        self.nodes = 0

    # -- values --------------------------------------------------------------------------
    def bind(self, value: Any, cast: str) -> str:
        name = f"cql_{len(self.params)}"
        self.params[name] = value
        return f"%({name})s::{cast}"

    def where_is(self, name: str) -> tuple[str, str]:
        """Where a name stands in a text filter, for messages (empty for JSON filters)."""
        match = re.search(rf"(?<![\w\"]){re.escape(name)}(?![\w\"])", self.text)
        if not match:
            return "", ""
        return f" an Stelle {match.start() + 1}", f" at position {match.start() + 1}"

    def prop(self, node: dict[str, Any]) -> Queryable:
        name = str(node["property"])
        if name in self.queryables:
            return self.queryables[name]
        de, en = self.where_is(name)
        known = ", ".join(self.queryables)
        raise _error(
            f"unbekannte Eigenschaft {name[:60]!r}{de} (filterbar: {known}).",
            f"unknown property {name[:60]!r}{en} (queryable: {known}).",
        )

    def array_prop(self, node: Any) -> bool:
        """True for a property holding a list (compared with ``=``, ``<>``, ``IN`` only)."""
        return isinstance(node, dict) and "property" in node and self.prop(node).array

    def scalar(self, node: Any, want: str | None = None) -> tuple[str, str]:
        """SQL and type of a property or literal used as a comparison operand."""
        if isinstance(node, dict) and "property" in node:
            q = self.prop(node)
            if q.array:
                raise _error(
                    f"{q.name} ist eine Liste: nur {q.name} = '…', <> oder IN (…).",
                    f"{q.name} is a list: only {q.name} = '…', <> or IN (…).",
                )
            if q.type == "geometry":
                raise _error("Geometrie nur in S_-Funktionen.", "geometry only in S_ functions.")
            if q.many:
                raise _error(
                    f"{q.name} ist eine Liste: möglich sind =, <>, IN und A_CONTAINS, "
                    "A_CONTAINEDBY, A_OVERLAPS, A_EQUALS.",
                    f"{q.name} is a list: possible are =, <>, IN and A_CONTAINS, "
                    "A_CONTAINEDBY, A_OVERLAPS, A_EQUALS.",
                )
            return q.sql, q.type
        if isinstance(node, dict) and ("timestamp" in node or "date" in node):
            return self.bind(_instant(node), "timestamptz"), "timestamp"
        if isinstance(node, dict) and "op" in node:
            op = str(node["op"])[:40]
            raise _error(
                f"die Funktion {op!r} wird als Wert nicht unterstützt.",
                f"the function {op!r} is not supported as a value.",
            )
        if isinstance(node, bool) or node is None:
            raise _error(f"Wert {node!r} ist hier nicht möglich.", f"value {node!r} not allowed.")
        if isinstance(node, int | float):
            if not math.isfinite(node):
                raise _error("Zahl nicht endlich.", "number is not finite.")
            return self.bind(float(node), "float8"), "number"
        if isinstance(node, str):
            if "\x00" in node:
                raise _error("enthält ein NUL-Zeichen.", "contains a NUL character.")
            if want == "timestamp":
                return self.bind(_instant({"timestamp": node}), "timestamptz"), "timestamp"
            return self.bind(node, "text"), "string"
        raise _error(
            f"{json.dumps(node)[:80]} ist kein einfacher Wert.",
            f"{json.dumps(node)[:80]} is not a plain value.",
        )

    def operands(self, args: list[Any]) -> tuple[str, str]:
        """Two operands of one type: a property's type decides how a literal is read."""
        types = [self.prop(a).type for a in args if isinstance(a, dict) and "property" in a]
        want = types[0] if types else None
        (left, lt), (right, rt) = self.scalar(args[0], want), self.scalar(args[1], want)
        if lt != rt:
            raise _error(
                f"Typen passen nicht zusammen ({lt} und {rt}).",
                f"types do not match ({lt} and {rt}).",
            )
        return left, right

    # -- tree ----------------------------------------------------------------------------
    def node(self, node: Any) -> str:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _error(f"mehr als {MAX_NODES} Knoten.", f"more than {MAX_NODES} nodes.")
        if isinstance(node, bool):
            return "TRUE" if node else "FALSE"
        if not isinstance(node, dict) or "op" not in node:
            raise _error("erwartet wird eine Bedingung.", "a condition is expected.")
        op, args = str(node["op"]).lower(), list(node.get("args", []))
        if op in ("and", "or"):
            return "(" + f" {op.upper()} ".join(self.node(a) for a in args) + ")"
        if op == "not":
            return f"(NOT {self.node(args[0]) if args else 'TRUE'})"
        if op in ("=", "<>") and len(args) == 2 and any(self.is_many(a) for a in args):
            many, value = (args[0], args[1]) if self.is_many(args[0]) else (args[1], args[0])
            inside = f"({self.whole(value)} = ANY({self.prop(many).sql}))"
            return inside if op == "=" else f"(NOT {inside})"
        if op in _ARRAY and len(args) == 2 and self.is_many(args[0]):
            values = args[1] if isinstance(args[1], list) else [args[1]]
            arr, given = self.prop(args[0]).sql, self.whole_list(values)
            if op == "a_equals":  # as sets: the layer's goals are sorted, a client's maybe not
                return f"({arr} @> {given} AND {arr} <@ {given})"
            return f"({arr} {_ARRAY[op]} {given})"
        if op == "in" and len(args) == 2 and self.is_many(args[0]) and isinstance(args[1], list):
            return f"({self.prop(args[0]).sql} && {self.whole_list(args[1])})"
        if op in ("=", "<>") and len(args) == 2 and self.array_prop(args[0]):
            value, type_ = self.scalar(args[1], "string")
            if type_ != "string":
                raise _error("Listen enthalten Texte.", "lists hold strings.")
            held = f"({value} = ANY({self.prop(args[0]).sql}))"
            return held if op == "=" else f"(NOT {held})"
        if op == "in" and len(args) == 2 and self.array_prop(args[0]):
            values = args[1] if isinstance(args[1], list) else []
            if not values or len(values) > MAX_LIST or not all(isinstance(v, str) for v in values):
                raise _error(f"IN braucht 1 bis {MAX_LIST} Texte.",
                             f"IN needs 1 to {MAX_LIST} strings.")  # fmt: skip
            return f"({self.prop(args[0]).sql} && {self.bind(list(values), 'text[]')})"
        if op in _COMPARE and len(args) == 2:
            left, right = self.operands(args)
            return f"({left} {_COMPARE[op]} {right})"
        if op == "isnull" and len(args) == 1:
            q = self.prop(args[0]) if isinstance(args[0], dict) and "property" in args[0] else None
            if q is None:
                raise _error("IS NULL braucht eine Eigenschaft.", "IS NULL needs a property.")
            return f"({q.sql} IS NULL)"
        if op == "like" and len(args) == 2:
            left, right = self.operands(args)
            return f"({left} LIKE {right})"
        if op == "between" and len(args) == 3:
            low, high = self.operands([args[0], args[1]]), self.operands([args[0], args[2]])
            return f"({low[0]} BETWEEN {low[1]} AND {high[1]})"
        if op == "in" and len(args) == 2 and isinstance(args[1], list):
            return self.in_list(args[0], args[1])
        if op in _SPATIAL and len(args) == 2:
            return self.spatial(_SPATIAL[op], args)
        if op in _TEMPORAL and len(args) == 2:
            return self.temporal(op, args)
        raise _error(
            f"Operator {op[:40]!r} mit {len(args)} Argument(en) wird nicht unterstützt.",
            f"operator {op[:40]!r} with {len(args)} argument(s) is not supported.",
        )

    def is_many(self, node: Any) -> bool:
        return _is_prop(node) and self.prop(node).many

    def whole(self, value: Any) -> str:
        """A whole number compared with a list property (an SDG number)."""
        return self.bind(_whole(value), "int")

    def whole_list(self, values: list[Any]) -> str:
        if not values or len(values) > MAX_LIST:
            raise _error(f"Liste mit 1 bis {MAX_LIST} Werten erwartet.",
                         f"a list of 1 to {MAX_LIST} values expected.")  # fmt: skip
        return self.bind([_whole(v) for v in values], "int[]")

    def in_list(self, target: Any, values: list[Any]) -> str:
        if not values or len(values) > MAX_LIST:
            raise _error(f"IN braucht 1 bis {MAX_LIST} Werte.", f"IN needs 1 to {MAX_LIST} values.")
        sql, type_ = self.scalar(target)
        items: list[Any] = []
        for value in values:
            if type_ == "number" and isinstance(value, int | float) and not isinstance(value, bool):
                items.append(float(value))
            elif type_ == "string" and isinstance(value, str) and "\x00" not in value:
                items.append(value)
            elif type_ == "timestamp":
                items.append(_instant(value if isinstance(value, dict) else {"timestamp": value}))
            else:
                raise _error(f"IN-Wert {value!r} passt nicht zu {type_}.",
                             f"IN value {value!r} does not match {type_}.")  # fmt: skip
        return f"({sql} = ANY({self.bind(items, _CAST[type_] + '[]')}))"

    def spatial(self, function: str, args: list[Any]) -> str:
        sides = []
        for arg in args:
            if isinstance(arg, dict) and "property" in arg:
                q = self.prop(arg)
                if q.type != "geometry":
                    raise _error(f"{q.name} ist keine Geometrie.", f"{q.name} is not a geometry.")
                sides.append(q.sql)
            else:
                geojson, points = _geometry(arg)
                if not inside_world(points, self.crs):
                    raise _error(
                        f"Koordinaten liegen außerhalb von {self.crs.uri} (Achsenfolge beachten).",
                        f"coordinates lie outside {self.crs.uri} (mind the axis order).",
                    )
                literal = f"ST_GeomFromGeoJSON({self.bind(geojson, 'text')})"
                sides.append(self.crs.literal_sql(literal))
        return f"{function}({sides[0]}, {sides[1]})"

    def temporal(self, op: str, args: list[Any]) -> str:
        prop, value = (args[0], args[1]) if _is_prop(args[0]) else (args[1], args[0])
        q = self.prop(prop) if _is_prop(prop) else None
        if q is None or q.type != "timestamp":
            raise _error(f"{op.upper()} braucht eine Zeit-Eigenschaft.",
                         f"{op.upper()} needs a time property.")  # fmt: skip
        p = q.sql
        if isinstance(value, dict) and "interval" in value:
            ends = list(value["interval"])
            if len(ends) != 2:
                raise _error("INTERVAL braucht zwei Enden.", "INTERVAL needs two ends.")
            start = None if ends[0] == ".." else _instant(_as_time(ends[0]))
            end = None if ends[1] == ".." else _instant(_as_time(ends[1]), end=True)
            s = self.bind(start, "timestamptz") if start else None
            e = self.bind(end, "timestamptz") if end else None
            inside = " AND ".join([f"{p} >= {s}"] * bool(s) + [f"{p} <= {e}"] * bool(e)) or "TRUE"
            during = " AND ".join([f"{p} > {s}"] * bool(s) + [f"{p} < {e}"] * bool(e)) or "TRUE"
            sql = {
                "t_intersects": inside,
                "t_during": during,
                "t_equals": f"{p} = {s} AND {p} = {e}" if s and e else "FALSE",
                "t_before": f"{p} < {s}" if s else "FALSE",
                "t_after": f"{p} > {e}" if e else "FALSE",
                "t_disjoint": f"{p} IS NOT NULL AND NOT ({inside})",
            }[op]
            return f"({sql})"
        t = self.bind(_instant(_as_time(value)), "timestamptz")
        sql = {
            "t_intersects": f"{p} = {t}", "t_equals": f"{p} = {t}", "t_before": f"{p} < {t}",
            "t_after": f"{p} > {t}", "t_disjoint": f"{p} <> {t}", "t_during": "FALSE",
        }[op]  # fmt: skip
        return f"({sql})"


def _whole(value: Any) -> int:
    finite = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not finite or value != int(value) or abs(value) > 2**31 - 1:
        raise _error(f"{json.dumps(value)[:40]} ist keine ganze Zahl.",
                     f"{json.dumps(value)[:40]} is not a whole number.")  # fmt: skip
    return int(value)


def _is_prop(node: Any) -> bool:
    return isinstance(node, dict) and "property" in node


def _as_time(node: Any) -> dict[str, Any]:
    if isinstance(node, dict) and ("timestamp" in node or "date" in node):
        return node
    if isinstance(node, str):
        return {"timestamp": node}
    raise _error(f"{json.dumps(node)[:60]} ist keine Zeit.", f"{json.dumps(node)[:60]} is no time.")


def _instant(node: dict[str, Any], end: bool = False) -> datetime:
    """A TIMESTAMP or DATE literal as a UTC instant (a date ends at its last microsecond)."""
    raw = str(node.get("timestamp", node.get("date", "")))
    try:
        if len(raw) == 10:
            day = datetime.fromisoformat(raw).replace(tzinfo=UTC)
            return day + timedelta(days=1, microseconds=-1) if end else day
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
        if value.tzinfo is None:
            raise ValueError(raw)
        return value.astimezone(UTC)
    except ValueError:
        raise _error(
            f"{raw[:40]!r} ist kein Zeitpunkt nach RFC 3339 (z. B. 2024-05-01T10:00:00Z).",
            f"{raw[:40]!r} is not an RFC 3339 instant (e.g. 2024-05-01T10:00:00Z).",
        ) from None


def _geometry(node: Any) -> tuple[str, list[tuple[float, float]]]:
    """A geometry or BBOX literal as checked GeoJSON text (still in the filter CRS)."""
    if isinstance(node, dict) and "bbox" in node:
        box = list(node["bbox"])
        if len(box) == 6:
            box = [box[0], box[1], box[3], box[4]]
        if len(box) != 4 or not all(isinstance(v, int | float) for v in box):
            raise _error("BBOX braucht 4 oder 6 Zahlen.", "BBOX needs 4 or 6 numbers.")
        a0, b0, a1, b1 = (float(v) for v in box)
        node = {"type": "Polygon",
                "coordinates": [[[a0, b0], [a1, b0], [a1, b1], [a0, b1], [a0, b0]]]}  # fmt: skip
    try:
        geom = shape(node)
    except Exception:
        raise _error(
            f"{json.dumps(node)[:80]} ist keine GeoJSON-Geometrie.",
            f"{json.dumps(node)[:80]} is not a GeoJSON geometry.",
        ) from None
    coords = _coordinates(node.get("coordinates", []) if isinstance(node, dict) else [])
    if len(coords) > MAX_VERTICES or not all(math.isfinite(c) for c in coords):
        raise _error("Geometrie zu groß oder nicht endlich.", "geometry too large or not finite.")
    if geom.is_empty or not geom.is_valid:
        raise _error("die Geometrie ist leer oder ungültig (z. B. selbstüberschneidend).",
                     "the geometry is empty or invalid (e.g. self-intersecting).")  # fmt: skip
    points = [(float(x), float(y)) for x, y in shapely.get_coordinates(geom)]
    return json.dumps(geom.__geo_interface__), points


def _coordinates(value: Any) -> list[float]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [float(value)]
    if isinstance(value, list):
        out: list[float] = []
        for item in value:
            out.extend(_coordinates(item))
        return out
    raise _error("Koordinaten müssen Zahlen sein.", "coordinates must be numbers.")


def translate(
    tree: dict[str, Any] | bool, queryables: dict[str, Queryable], crs: OutputCrs, text: str = ""
) -> Condition:
    """SQL for a parsed filter over ``queryables``; literals in ``crs`` (``filter-crs``)."""
    tr = _Translator(queryables, crs, text)
    return Condition(tr.node(tree), tr.params)
