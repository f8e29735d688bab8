"""Cluster grid: point observations counted per cell of a fixed fine grid, kept by triggers.

Clustered tiles (below a layer's ``cluster_below_zoom``) used to walk every point of the
tile through the GiST index, project it and group it per cluster cell: about 160 ms for a
z12 tile over a busy quarter. The cluster cells of every zoom up to 15 (8 cells per tile
edge) are unions of the cells of one fixed grid, the XYZ tiles of zoom 18, so counting the
points per level-18 cell once, at write time, lets a tile add up a few hundred small rows
instead of tens of thousands of points (``mapservice.tiles.cluster_grid``).

``cluster_cell`` holds, per layer, level-18 cell, status and kind, the number of point
observations and the sums of their Web Mercator x and y (so a rolled-up cluster sits at the
exact mean of its points, as before). The projection is the plain arithmetic of
``mapservice/tiles/sql/clusters.sql``, written out here identically so both paths put every
point into the same cell. ``code`` is the Morton (Z-order) number of the cell: every tile of
zoom z ≤ 18 then covers one contiguous range of codes, which the primary key serves as one
index range scan.

Statement-level triggers with transition tables keep the table exact: a 100,000-row import
costs one aggregated upsert, a title edit touches no cell row, a rolled-back write leaves
nothing behind. Upserts go in primary-key order, so concurrent writers lock cells in the
same order and cannot deadlock on them.

Also: a partial GiST index over the observations that are not points, so a clustered tile
fetches its lines and areas without walking its points.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

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


def _spread(v: str) -> str:
    """The five spreading steps as one nested expression: an SQL function whose body is a
    single expression is inlined by the planner, so the interleave costs a few integer
    operations per group instead of a function call."""
    expr = v
    for shift, mask in SPREAD_STEPS:
        expr = f"(({expr}) | (({expr}) << {shift})) & {mask}"
    return expr


def _cells(rows: str) -> str:
    """Point rows of ``rows`` (columns layer_id, status, kind, geom) with their Web Mercator
    x/y and level-18 cell. Lines, areas and multipoints have no cell; neither have points
    outside the Web Mercator square (|lat| ≥ 85.0511°), which no cluster of the live SQL
    counts either. Each level is fenced with OFFSET 0 so its filter runs before the next
    level's functions (ST_X only on points, ln(tan(…)) only where it is defined) and every
    function runs once per row instead of once per reference after subquery flattening."""
    return f"""
      SELECT p.layer_id, p.status, p.kind, p.x, p.y, p.gx, p.gy
        FROM (SELECT m.layer_id, m.status, m.kind, m.x, m.y,
                     floor((m.x + {R}) / {CELL})::bigint AS gx,
                     floor(({R} - m.y) / {CELL})::bigint AS gy
                FROM (SELECT l.layer_id, l.status, l.kind,
                             l.lon * 111319.49079327358 AS x,
                             ln(tan(radians(45 + l.lat / 2))) * 6378137 AS y
                        FROM (SELECT r.layer_id, r.status, r.kind,
                                     ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat
                                FROM {rows} r
                               WHERE ST_GeometryType(r.geom) = 'ST_Point'
                              OFFSET 0) l
                       WHERE l.lon BETWEEN -180 AND 180 AND l.lat > -90 AND l.lat < 90
                      OFFSET 0) m
              OFFSET 0) p
       WHERE p.gx BETWEEN 0 AND {LAST} AND p.gy BETWEEN 0 AND {LAST}"""


#: Signed changes per row, one query per trigger event. An UPDATE contributes only the rows
#: whose layer, status, kind or geometry changed (old and new rows joined by id; a changed
#: id counts as a delete plus an insert): a title edit costs one hash join and touches no
#: cell row; for a changed row the old point is taken out and the new one put in.
_COLUMNS = ("id", "layer_id", "status", "kind", "geom")
_CHANGED = """
  (SELECT {p}layer_id AS layer_id, {p}status AS status, {p}kind AS kind, {p}geom AS geom
     FROM changed WHERE {p}id IS NOT NULL)"""
DELTAS = {
    "INSERT": f"SELECT layer_id, gx, gy, status, kind, 1 AS dn, x AS dx, y AS dy FROM ({_cells('new_rows')}) c",
    "DELETE": f"SELECT layer_id, gx, gy, status, kind, -1 AS dn, -x AS dx, -y AS dy FROM ({_cells('old_rows')}) c",
    "UPDATE": f"""
      WITH changed AS MATERIALIZED (
        SELECT {", ".join(f"{t}.{c} AS {t}_{c}" for t in "on" for c in _COLUMNS)}
          FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
         WHERE o.id IS NULL OR n.id IS NULL OR o.layer_id <> n.layer_id
            OR o.status <> n.status OR o.kind <> n.kind OR o.geom IS DISTINCT FROM n.geom)
      SELECT layer_id, gx, gy, status, kind, 1 AS dn, x AS dx, y AS dy
        FROM ({_cells(_CHANGED.format(p="n_"))}) c
      UNION ALL
      SELECT layer_id, gx, gy, status, kind, -1, -x, -y
        FROM ({_cells(_CHANGED.format(p="o_"))}) c""",
}


def _apply(delta: str) -> str:
    """Add the summed deltas to their cells (upsert in key order) and remember the cells
    that became empty, which the trigger then deletes (a row updated by a statement cannot
    be deleted by the same statement)."""
    return f"""
    WITH d AS ({delta}),
    g AS (
      SELECT layer_id, karte_morton(gx::int, gy::int) AS code, gx::int AS gx, gy::int AS gy,
             status, kind, sum(dn)::int AS n, sum(dx) AS sx, sum(dy) AS sy
        FROM d
       GROUP BY layer_id, gx, gy, status, kind
      HAVING sum(dn) <> 0 OR sum(dx) <> 0 OR sum(dy) <> 0
    ),
    up AS (
      INSERT INTO cluster_cell AS c (layer_id, code, gx, gy, status, kind, n, sx, sy)
      SELECT layer_id, code, gx, gy, status, kind, n, sx, sy
        FROM g
       ORDER BY layer_id, code, status, kind
      ON CONFLICT (layer_id, code, status, kind) DO UPDATE
         SET n = c.n + excluded.n, sx = c.sx + excluded.sx, sy = c.sy + excluded.sy
      RETURNING c.layer_id, c.code, c.status, c.kind, c.n
    )
    SELECT array_agg(layer_id ORDER BY layer_id, code, status, kind),
           array_agg(code ORDER BY layer_id, code, status, kind),
           array_agg(status ORDER BY layer_id, code, status, kind),
           array_agg(kind ORDER BY layer_id, code, status, kind)
      INTO gone_layer, gone_code, gone_status, gone_kind
      FROM up
     WHERE n <= 0"""


#: ``enable_sort = off``: the planner cannot know how many rows of a transition table are
#: points (a function's default selectivity says 0.5 %), so for a big import it would sort
#: every row to group them, spilling to disk — hashing the few thousand cells is 2–3× faster.
#: Sorts that are needed (the key order of the upsert) still happen, at a penalty cost that
#: would make PostgreSQL JIT-compile every trigger query (~0.8 s, even for one row): hence
#: ``jit = off`` too, which the bulk loader sets for its statements anyway.
SYNC_FUNCTION = f"""
CREATE FUNCTION karte_cluster_cell_sync() RETURNS trigger LANGUAGE plpgsql
SET enable_sort = off SET jit = off AS $$
DECLARE
  gone_layer text[];
  gone_code bigint[];
  gone_status text[];
  gone_kind text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_apply(DELTAS["INSERT"])};
  ELSIF TG_OP = 'DELETE' THEN
    {_apply(DELTAS["DELETE"])};
  ELSE
    {_apply(DELTAS["UPDATE"])};
  END IF;
  IF gone_code IS NOT NULL THEN
    DELETE FROM cluster_cell c
     USING unnest(gone_layer, gone_code, gone_status, gone_kind) AS g(layer_id, code, status, kind)
     WHERE c.layer_id = g.layer_id AND c.code = g.code AND c.status = g.status
       AND c.kind = g.kind AND c.n <= 0;
  END IF;
  RETURN NULL;
END $$
"""

BACKFILL = f"""
INSERT INTO cluster_cell (layer_id, code, gx, gy, status, kind, n, sx, sy)
SELECT layer_id, karte_morton(gx::int, gy::int), gx::int, gy::int, status, kind,
       count(*), sum(x), sum(y)
  FROM ({_cells("observation")}) p
 GROUP BY layer_id, gx, gy, status, kind
 ORDER BY 1, 2, 5, 6
"""

UP = [
    """
    CREATE TABLE cluster_cell (
      layer_id text NOT NULL,
      code bigint NOT NULL,
      gx integer NOT NULL,
      gy integer NOT NULL,
      status text NOT NULL,
      kind text NOT NULL,
      n integer NOT NULL,
      sx double precision NOT NULL,
      sy double precision NOT NULL,
      CONSTRAINT pk_cluster_cell PRIMARY KEY (layer_id, code, status, kind)
    )
    """,
    "COMMENT ON TABLE cluster_cell IS 'Point observations per level-18 XYZ cell, layer, "
    "status and kind (count, sums of Web Mercator x/y); kept by the observation_cluster_* "
    "triggers, read by clustered tiles.'",
    f"""
    CREATE FUNCTION karte_spread_bits(v bigint) RETURNS bigint
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
      RETURN {_spread("v")}
    """,
    """
    CREATE FUNCTION karte_morton(gx integer, gy integer) RETURNS bigint
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
      RETURN karte_spread_bits(gx) | (karte_spread_bits(gy) << 1)
    """,
    SYNC_FUNCTION,
    """
    CREATE FUNCTION karte_cluster_cell_clear() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      TRUNCATE cluster_cell;
      RETURN NULL;
    END $$
    """,
    *(
        f"CREATE TRIGGER observation_cluster_{op_.lower()} AFTER {op_} ON observation {ref} "
        "FOR EACH STATEMENT EXECUTE FUNCTION karte_cluster_cell_sync()"
        for op_, ref in (
            ("INSERT", "REFERENCING NEW TABLE AS new_rows"),
            ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "REFERENCING OLD TABLE AS old_rows"),
        )
    ),
    "CREATE TRIGGER observation_cluster_truncate AFTER TRUNCATE ON observation "
    "FOR EACH STATEMENT EXECUTE FUNCTION karte_cluster_cell_clear()",
    BACKFILL,
    # Rebuilds the grid from scratch: after writes with triggers disabled (replication role
    # "replica", pg_restore --disable-triggers) or to reset the float drift of the sums.
    f"""
    CREATE FUNCTION karte_cluster_cell_rebuild() RETURNS bigint LANGUAGE sql
    SET jit = off AS $$
      LOCK TABLE observation IN SHARE MODE;
      DELETE FROM cluster_cell;
      {BACKFILL};
      SELECT count(*) FROM cluster_cell;
    $$
    """,
    "CREATE INDEX ix_observation_geom_not_point_gist ON observation USING gist (geom) "
    "WHERE ST_GeometryType(geom) <> 'ST_Point'",
    "ANALYZE cluster_cell",
]

DOWN = [
    "DROP FUNCTION IF EXISTS karte_cluster_cell_rebuild()",
    "DROP INDEX IF EXISTS ix_observation_geom_not_point_gist",
    "DROP FUNCTION IF EXISTS karte_cluster_cell_sync() CASCADE",
    "DROP FUNCTION IF EXISTS karte_cluster_cell_clear() CASCADE",
    "DROP TABLE IF EXISTS cluster_cell",
    "DROP FUNCTION IF EXISTS karte_morton(integer, integer)",
    "DROP FUNCTION IF EXISTS karte_spread_bits(bigint)",
]


def upgrade() -> None:
    for statement in UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWN:
        op.execute(statement)
