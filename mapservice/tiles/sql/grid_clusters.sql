-- Shared part of the clustered tiles when the cluster grid can answer (tiles/cluster_grid.py);
-- the same "clusters" and "raw" as clusters.sql, without walking the tile's points.
-- "clusters": the level-18 cells of the tile are one range of Morton codes, found by the
-- primary key of cluster_cell; shifting a cell's column/row right by %(grid_shift)s gives
-- its cluster cell of clusters.sql (same world-anchored grid, same key k). A cluster sits
-- at the mean of its points (sum of x / count), its counts per kind are sums of cell counts.
-- "raw": the tile's lines, areas and multipoints, from the GiST index over non-points only
-- (at most %(cap1)s, in id order, with their properties), as clusters.sql selects them.
clusters AS (
  SELECT %(cap1)s::int + (c.cy - %(y)s::int * %(n)s::int) * %(n)s::int
                       + (c.cx - %(x)s::int * %(n)s::int) AS k,
         sum(c.sx) / sum(c.n) AS mx, sum(c.sy) / sum(c.n) AS my, sum(c.n) AS count{{grid_kind_counts}}
    FROM (SELECT g.gx >> %(grid_shift)s::int AS cx, g.gy >> %(grid_shift)s::int AS cy,
                 g.kind, g.n, g.sx, g.sy
            FROM cluster_cell g
           WHERE g.layer_id = %(layer)s::text
             AND g.code >= %(grid_lo)s::bigint AND g.code < %(grid_hi)s::bigint
             AND {{grid_where}}) c
   GROUP BY c.cx, c.cy
),
raw AS (
  SELECT row_number() OVER (ORDER BY s.ord) AS rn, s.*
    FROM (SELECT {{select}}
            FROM (SELECT * FROM {{table}} {{alias}}
                   WHERE {{geom}} && ST_Transform(ST_TileEnvelope(%(z)s::int, %(x)s::int, %(y)s::int,
                                                               margin => %(margin)s::float8), 4326)
                     AND ST_GeometryType({{geom}}) <> 'ST_Point'
                  OFFSET 0) {{alias}}{{joins}}
           WHERE {{where}}
           ORDER BY ord
           LIMIT %(cap1)s::int) s
)
