"""The SQL that keeps ``cluster_cell`` exact: trigger function, backfill, rebuild.

Why here and not inside a migration: migration 0002 created the grid keyed by layer, cell,
status and kind; migration 0015 adds ``quarter_id`` to the key so the grid can be sharded
with the observations it counts (docs/citus.md). Both write the same statements, differing
only in the extra key columns, so they are generated here from one description; called with
no extra key this yields exactly the statements of 0002 (tests/test_cluster_grid.py checks
the grid against a fresh count after every kind of write, at the schema's head).

The design (see 0002's docstring for the numbers): point observations are counted per
level-18 XYZ cell with the sums of their Web Mercator x/y; statement-level triggers with
transition tables apply one aggregated, key-ordered upsert per write.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Finest level of the grid: a level-18 cell is 152.87 m wide at the equator, about 95 m in
#: Germany — the cluster cell of zoom 15 at 8 cells per tile.
LEVEL = 18
R = "20037508.342789244"  # half the Web Mercator world, metres (as in clusters.sql)
CELL = "'152.8740565703525'::float8"  # 2·R / 2^18, written so it round-trips exactly
LAST = 2**LEVEL - 1

#: (shift, mask) of the classic magic-number bit spreading: each step moves half of the
#: remaining bit groups up, until bit i of the input sits at bit 2i of the result.
SPREAD_STEPS = (
    (16, 281470681808895),  # 0x0000FFFF0000FFFF
    (8, 71777214294589695),  # 0x00FF00FF00FF00FF
    (4, 1085102592571150095),  # 0x0F0F0F0F0F0F0F0F
    (2, 3689348814741910323),  # 0x3333333333333333
    (1, 6148914691236517205),  # 0x5555555555555555
)


def spread(v: str) -> str:
    """The five spreading steps as one nested expression: an SQL function whose body is a
    single expression is inlined by the planner, so the interleave costs a few integer
    operations per group instead of a function call."""
    expr = v
    for shift, mask in SPREAD_STEPS:
        expr = f"(({expr}) | (({expr}) << {shift})) & {mask}"
    return expr


@dataclass(frozen=True)
class GridSQL:
    """The statements for a grid whose key is (layer_id, code, status, kind, *extra)."""

    extra: tuple[str, ...] = ()

    def _cols(self, prefix: str = "") -> str:
        """``, p.quarter_id`` (prefix ``p.``) for each extra key column, nothing without one."""
        return "".join(f", {prefix}{c}" for c in self.extra)

    def cells(self, rows: str) -> str:
        """Point rows of ``rows`` (columns layer_id, status, kind, geom and the extra key)
        with their Web Mercator x/y and level-18 cell. Lines, areas and multipoints have no
        cell; neither have points outside the Web Mercator square (|lat| ≥ 85.0511°), which
        no cluster of the live SQL counts either. Each level is fenced with OFFSET 0 so its
        filter runs before the next level's functions (ST_X only on points, ln(tan(…)) only
        where it is defined) and every function runs once per row instead of once per
        reference after subquery flattening."""
        return f"""
      SELECT p.layer_id, p.status, p.kind{self._cols("p.")}, p.x, p.y, p.gx, p.gy
        FROM (SELECT m.layer_id, m.status, m.kind{self._cols("m.")}, m.x, m.y,
                     floor((m.x + {R}) / {CELL})::bigint AS gx,
                     floor(({R} - m.y) / {CELL})::bigint AS gy
                FROM (SELECT l.layer_id, l.status, l.kind{self._cols("l.")},
                             l.lon * 111319.49079327358 AS x,
                             ln(tan(radians(45 + l.lat / 2))) * 6378137 AS y
                        FROM (SELECT r.layer_id, r.status, r.kind{self._cols("r.")},
                                     ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat
                                FROM {rows} r
                               WHERE ST_GeometryType(r.geom) = 'ST_Point'
                              OFFSET 0) l
                       WHERE l.lon BETWEEN -180 AND 180 AND l.lat > -90 AND l.lat < 90
                      OFFSET 0) m
              OFFSET 0) p
       WHERE p.gx BETWEEN 0 AND {LAST} AND p.gy BETWEEN 0 AND {LAST}"""

    def deltas(self) -> dict[str, str]:
        """Signed changes per row, one query per trigger event. An UPDATE contributes only
        the rows whose layer, status, kind, extra key or geometry changed (old and new rows
        joined by id; a changed id counts as a delete plus an insert): a title edit costs one
        hash join and touches no cell row; for a changed row the old point is taken out and
        the new one put in."""
        columns = ("id", "layer_id", "status", "kind", *self.extra, "geom")
        key = f"layer_id{self._cols()}"
        changed = (
            "\n  (SELECT {p}layer_id AS layer_id, {p}status AS status, {p}kind AS kind, "
            + "".join(f"{{p}}{c} AS {c}, " for c in self.extra)
            + "{p}geom AS geom\n     FROM changed WHERE {p}id IS NOT NULL)"
        )
        moved = "".join(f"\n            OR o.{c} <> n.{c}" for c in self.extra)
        pairs = ", ".join(f"{t}.{c} AS {t}_{c}" for t in "on" for c in columns)
        return {
            "INSERT": f"SELECT {key}, gx, gy, status, kind, 1 AS dn, x AS dx, y AS dy "
            f"FROM ({self.cells('new_rows')}) c",
            "DELETE": f"SELECT {key}, gx, gy, status, kind, -1 AS dn, -x AS dx, -y AS dy "
            f"FROM ({self.cells('old_rows')}) c",
            "UPDATE": f"""
      WITH changed AS MATERIALIZED (
        SELECT {pairs}
          FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
         WHERE o.id IS NULL OR n.id IS NULL OR o.layer_id <> n.layer_id
            OR o.status <> n.status OR o.kind <> n.kind{moved} OR o.geom IS DISTINCT FROM n.geom)
      SELECT {key}, gx, gy, status, kind, 1 AS dn, x AS dx, y AS dy
        FROM ({self.cells(changed.format(p="n_"))}) c
      UNION ALL
      SELECT {key}, gx, gy, status, kind, -1, -x, -y
        FROM ({self.cells(changed.format(p="o_"))}) c""",
        }

    def apply(self, delta: str) -> str:
        """Add the summed deltas to their cells (upsert in key order) and remember the cells
        that became empty, which the trigger then deletes (a row updated by a statement
        cannot be deleted by the same statement)."""
        x = self._cols()
        order = f"layer_id, code, status, kind{x}"
        gone = "".join(f"array_agg({c} ORDER BY {order}),\n           " for c in self.extra)
        into = self._cols("gone_")
        return f"""
    WITH d AS ({delta}),
    g AS (
      SELECT layer_id{x}, karte_morton(gx::int, gy::int) AS code, gx::int AS gx, gy::int AS gy,
             status, kind, sum(dn)::int AS n, sum(dx) AS sx, sum(dy) AS sy
        FROM d
       GROUP BY layer_id{x}, gx, gy, status, kind
      HAVING sum(dn) <> 0 OR sum(dx) <> 0 OR sum(dy) <> 0
    ),
    up AS (
      INSERT INTO cluster_cell AS c (layer_id{x}, code, gx, gy, status, kind, n, sx, sy)
      SELECT layer_id{x}, code, gx, gy, status, kind, n, sx, sy
        FROM g
       ORDER BY {order}
      ON CONFLICT ({order}) DO UPDATE
         SET n = c.n + excluded.n, sx = c.sx + excluded.sx, sy = c.sy + excluded.sy
      RETURNING c.layer_id, c.code, c.status, c.kind{self._cols("c.")}, c.n
    )
    SELECT array_agg(layer_id ORDER BY {order}),
           array_agg(code ORDER BY {order}),
           array_agg(status ORDER BY {order}),
           {gone}array_agg(kind ORDER BY {order})
      INTO gone_layer, gone_code, gone_status{into}, gone_kind
      FROM up
     WHERE n <= 0"""

    def sync_function(self) -> str:
        """``enable_sort = off``: the planner cannot know how many rows of a transition table
        are points (a function's default selectivity says 0.5 %), so for a big import it
        would sort every row to group them, spilling to disk — hashing the few thousand
        cells is 2–3× faster. Sorts that are needed (the key order of the upsert) still
        happen, at a penalty cost that would make PostgreSQL JIT-compile every trigger query
        (~0.8 s, even for one row): hence ``jit = off`` too."""
        deltas = self.deltas()
        declare = "".join(f"  gone_{c} integer[];\n" for c in self.extra)
        arrays, names = self._cols("gone_"), self._cols()
        match = "".join(f" AND c.{c} = g.{c}" for c in self.extra)
        return f"""
CREATE {"OR REPLACE " if self.extra else ""}FUNCTION karte_cluster_cell_sync() RETURNS trigger LANGUAGE plpgsql
SET enable_sort = off SET jit = off AS $$
DECLARE
  gone_layer text[];
  gone_code bigint[];
  gone_status text[];
{declare}  gone_kind text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    {self.apply(deltas["INSERT"])};
  ELSIF TG_OP = 'DELETE' THEN
    {self.apply(deltas["DELETE"])};
  ELSE
    {self.apply(deltas["UPDATE"])};
  END IF;
  IF gone_code IS NOT NULL THEN
    DELETE FROM cluster_cell c
     USING unnest(gone_layer, gone_code, gone_status{arrays}, gone_kind) AS g(layer_id, code, status{names}, kind)
     WHERE c.layer_id = g.layer_id AND c.code = g.code AND c.status = g.status
       AND c.kind = g.kind{match} AND c.n <= 0;
  END IF;
  RETURN NULL;
END $$
"""  # noqa: E501  (the SQL reads best unbroken)

    def backfill(self) -> str:
        """Count every point observation into an empty grid, in key order."""
        x = self._cols()
        order = "1, 2, 5, 6" + "".join(f", {7 + i}" for i in range(len(self.extra)))
        return f"""
INSERT INTO cluster_cell (layer_id, code, gx, gy, status, kind{x}, n, sx, sy)
SELECT layer_id, karte_morton(gx::int, gy::int), gx::int, gy::int, status, kind{x},
       count(*), sum(x), sum(y)
  FROM ({self.cells("observation")}) p
 GROUP BY layer_id, gx, gy, status, kind{x}
 ORDER BY {order}
"""

    def rebuild_function(self) -> str:
        """Rebuilds the grid from scratch: after writes with triggers disabled (replication
        role "replica", pg_restore --disable-triggers) or to reset the float drift of the
        sums."""
        return f"""
    CREATE {"OR REPLACE " if self.extra else ""}FUNCTION karte_cluster_cell_rebuild() RETURNS bigint LANGUAGE sql
    SET jit = off AS $$
      LOCK TABLE observation IN SHARE MODE;
      DELETE FROM cluster_cell;
      {self.backfill()};
      SELECT count(*) FROM cluster_cell;
    $$
    """  # noqa: E501
