"""Which quarter a geometry belongs to, and a helpful refusal when it belongs to none.

Every capture row carries ``quarter_id`` (maps, moderation and sharding are per quarter).
The rule matches the database trigger ``karte_derive_quarter``: the quarter that covers the
geometry's point on surface, else the first (lowest id) it intersects. A geometry outside
every quarter is refused with the nearest quarter and the distance in metres, because
"outside every quarter" alone does not tell a field team whether they are 20 m or 200 km off
(the latter usually means swapped coordinates or a wrong CRS — we say so when swapping the
axes of a point would put it inside a quarter).
"""

from __future__ import annotations

from dataclasses import dataclass

from shapely import wkb
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, text

from mapservice.errors import InvalidInput, NotFound

_GEOM = "ST_GeomFromWKB(CAST(:g AS bytea), 4326)"

# How far a geometry may reach beyond the quarter it belongs to. Touching the quarter is not
# enough: a polygon over most of Europe touches Hamme. A point must lie in the quarter; a line
# (a GPS track that starts at the station, a route) may reach up to NEAR_LINE_M beyond its
# boundary, an area up to NEAR_AREA_M. Measured in ETRS89 / UTM 32N, as all our lengths.
NEAR_LINE_M = 5000
NEAR_AREA_M = 500
METRIC_SRID = 25832


def near_sql(boundary: str, geom: str) -> str:
    """SQL: true when ``geom`` touches ``boundary`` and lies within its allowed margin.

    Cheap for the common case: a point, or a geometry the quarter covers, needs no buffer.
    Used by the API (below) and by the bulk import's checks, so both apply one rule.
    """
    return (
        f"(ST_Intersects({boundary}, {geom}) AND (ST_Dimension({geom}) = 0 "
        f"OR ST_Covers({boundary}, {geom}) OR ST_Covers(ST_Buffer(ST_Transform({boundary}, "
        f"{METRIC_SRID}), CASE WHEN ST_Dimension({geom}) = 1 THEN {NEAR_LINE_M} "
        f"ELSE {NEAR_AREA_M} END), ST_Transform({geom}, {METRIC_SRID}))))"
    )


# How far the farthest vertex lies outside (for the message only).
_REACH = f"""
SELECT coalesce(max(ST_Distance(q.boundary::geography, (d.dp).geom::geography)), 0) AS reach,
       q.name, q.city
  FROM quarter q, LATERAL (SELECT ST_DumpPoints({_GEOM}) AS dp) d
 WHERE q.id = :q GROUP BY q.id
"""

# The quarter and, in the same round trip, whether the geometry stays within its margin.
_ASSIGN = f"""
SELECT q.id, {near_sql("q.boundary", _GEOM)} AS near FROM quarter q
 WHERE ST_Intersects(q.boundary, {_GEOM})
 ORDER BY ST_Covers(q.boundary, ST_PointOnSurface({_GEOM})) DESC, q.id
 LIMIT 1
"""

# KNN on the index narrows to a few candidates; the exact geodesic distance decides.
_NEAREST = f"""
WITH c AS (
  SELECT id, slug, name, city, boundary FROM quarter
   ORDER BY boundary <-> {_GEOM} LIMIT 8
)
SELECT id, slug, name, city,
       ST_Distance(boundary::geography, ({_GEOM})::geography) AS metres
  FROM c ORDER BY metres, id LIMIT 1
"""

_GIVEN = f"""
SELECT id, slug, name, city, ST_Intersects(boundary, {_GEOM}) AS inside,
       {near_sql("boundary", _GEOM)} AS near,
       ST_Distance(boundary::geography, ({_GEOM})::geography) AS metres
  FROM quarter WHERE id = :q
"""


@dataclass(frozen=True, slots=True)
class NearestQuarter:
    """The quarter closest to a geometry outside it, and how far it is."""

    id: int
    slug: str
    name: str
    city: str
    distance_m: float

    @property
    def label(self) -> str:
        return f"{self.name} ({self.city})" if self.city else self.name


class OutsideQuarter(InvalidInput):
    """``InvalidInput`` that also carries the nearest quarter for API clients and reports."""

    def __init__(
        self, message_de: str, message_en: str, *, code: str, nearest: NearestQuarter | None
    ) -> None:
        super().__init__(message_de, message_en, code=code)
        self.nearest = nearest


def metres_de(value: float) -> str:
    """1240.4 → "1.240 m"; beyond 10 km in kilometres ("12,3 km")."""
    if value >= 10_000:
        return f"{value / 1000:,.1f} km".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"{value:,.0f} m".replace(",", ".")


def metres_en(value: float) -> str:
    """1240.4 → "1,240 m"; beyond 10 km in kilometres ("12.3 km")."""
    if value >= 10_000:
        return f"{value / 1000:,.1f} km"
    return f"{value:,.0f} m"


def _wkb(geom: BaseGeometry) -> bytes:
    if geom is None or geom.is_empty:
        raise InvalidInput(
            "Die Geometrie ist leer; ein Quartier lässt sich nicht bestimmen.",
            "The geometry is empty; no quarter can be determined.",
            code="geometry_empty",
        )
    return wkb.dumps(geom)


def find_quarter(conn: Connection, geom_4326: BaseGeometry) -> int | None:
    """The id of the quarter the geometry belongs to, or None (no error)."""
    found = conn.execute(text(_ASSIGN), {"g": _wkb(geom_4326)}).first()
    return int(found.id) if found is not None else None


def nearest_quarter(conn: Connection, geom_4326: BaseGeometry) -> NearestQuarter | None:
    """The quarter nearest to the geometry (distance 0 when inside), None without quarters."""
    row = conn.execute(text(_NEAREST), {"g": _wkb(geom_4326)}).first()
    if row is None:
        return None
    return NearestQuarter(int(row.id), row.slug, row.name, row.city, float(row.metres))


def _swapped_hint(conn: Connection, geom: BaseGeometry) -> tuple[str, str]:
    """The "Breite/Länge vertauscht?" hint when the point with swapped axes lies in a quarter."""
    if geom.geom_type != "Point" or geom.is_empty:
        return "", ""
    swapped = Point(geom.y, geom.x)
    if abs(swapped.x) > 180 or abs(swapped.y) > 90:
        return "", ""
    quarter_id = find_quarter(conn, swapped)
    if quarter_id is None:
        return "", ""
    name = conn.execute(
        text("SELECT name FROM quarter WHERE id = :q"), {"q": quarter_id}
    ).scalar_one()
    return (
        f" Breite/Länge vertauscht? Mit getauschten Achsen läge der Punkt im Quartier {name}.",
        f" Latitude/longitude swapped? With swapped axes the point would lie in {name}.",
    )


def assign_quarter(conn: Connection, geom_4326: BaseGeometry) -> int:
    """The quarter of a geometry, or ``InvalidInput`` (code ``outside_quarter``).

    The refusal names the nearest quarter and the distance, e.g. „Die Geometrie liegt
    außerhalb aller Quartiere; nächstes Quartier: Hamme (Bochum), 1.240 m entfernt."
    """
    found = conn.execute(text(_ASSIGN), {"g": _wkb(geom_4326)}).first()
    if found is not None:
        quarter_id = int(found.id)
        if not found.near:
            raise _too_far(conn, geom_4326, quarter_id, "outside_quarter")
        return quarter_id
    nearest = nearest_quarter(conn, geom_4326)
    hint_de, hint_en = _swapped_hint(conn, geom_4326)
    if nearest is None:
        raise OutsideQuarter(
            "Die Geometrie liegt außerhalb aller Quartiere; es ist noch kein Quartier angelegt.",
            "The geometry lies outside every quarter; no quarter has been created yet.",
            code="outside_quarter",
            nearest=None,
        )
    raise OutsideQuarter(
        "Die Geometrie liegt außerhalb aller Quartiere; nächstes Quartier: "
        f"{nearest.label}, {metres_de(nearest.distance_m)} entfernt." + hint_de,
        "The geometry lies outside every quarter; nearest quarter: "
        f"{nearest.label}, {metres_en(nearest.distance_m)} away." + hint_en,
        code="outside_quarter",
        nearest=nearest,
    )


def check_inside_quarter(conn: Connection, geom_4326: BaseGeometry, quarter_id: int) -> None:
    """Refuse a geometry that does not touch the given quarter (code ``outside_given_quarter``).

    "Touch" is ``ST_Intersects``: a GPS track that starts at the station outside the quarter
    still belongs to the walkthrough. The message gives the distance and, when the geometry
    lies in another quarter, that quarter's name. An unknown quarter is ``NotFound``.
    """
    row = conn.execute(text(_GIVEN), {"g": _wkb(geom_4326), "q": quarter_id}).first()
    if row is None:
        raise NotFound(
            f"Quartier {quarter_id} gibt es nicht.",
            f"Quarter {quarter_id} does not exist.",
            code="unknown_quarter",
        )
    if row.inside:
        if not row.near:
            raise _too_far(conn, geom_4326, quarter_id, "outside_given_quarter")
        return
    given = NearestQuarter(int(row.id), row.slug, row.name, row.city, float(row.metres))
    other_de, other_en = "", ""
    other = find_quarter(conn, geom_4326)
    if other is not None:
        other_row = conn.execute(
            text("SELECT name, city FROM quarter WHERE id = :q"), {"q": other}
        ).one()
        other_de = f" Sie liegt im Quartier {other_row.name} ({other_row.city})."
        other_en = f" It lies in the quarter {other_row.name} ({other_row.city})."
    hint_de, hint_en = _swapped_hint(conn, geom_4326)
    raise OutsideQuarter(
        f"Die Geometrie liegt außerhalb des Quartiers {given.label}, "
        f"{metres_de(given.distance_m)} entfernt." + other_de + hint_de,
        f"The geometry lies outside the quarter {given.label}, "
        f"{metres_en(given.distance_m)} away." + other_en + hint_en,
        code="outside_given_quarter",
        nearest=given,
    )


def _too_far(conn: Connection, geom: BaseGeometry, quarter_id: int, code: str) -> OutsideQuarter:
    """The geometry touches the quarter but reaches too far beyond it."""
    row = conn.execute(text(_REACH), {"g": _wkb(geom), "q": quarter_id}).one()
    label = f"{row.name} ({row.city})" if row.city else row.name
    return OutsideQuarter(
        f"Die Geometrie reicht bis {metres_de(row.reach)} über das Quartier {label} hinaus; "
        f"erlaubt sind bei Linien {metres_de(NEAR_LINE_M)}, bei Flächen "
        f"{metres_de(NEAR_AREA_M)}, Punkte müssen im Quartier liegen.",
        f"The geometry reaches {metres_en(row.reach)} beyond the quarter {label}; lines may "
        f"reach {metres_en(NEAR_LINE_M)}, areas {metres_en(NEAR_AREA_M)}, points must lie "
        "inside.",
        code=code,
        nearest=None,
    )
