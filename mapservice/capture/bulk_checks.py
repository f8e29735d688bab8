"""The SQL of the bulk loader's checks (:mod:`mapservice.capture.bulk`), kept apart from its
Python flow so each stays readable.

All checks run over the staged rows at once. :data:`CHECKED` builds the geometry, checks it
in the source CRS (area of use) before transforming it, then checks layer, kind, rating, texts,
dates, status and quarter, and names the first failing check of each row in the order of
:data:`CHECK_ORDER`. Details (which value was wrong) are added afterwards for refused rows
only, so a clean file pays nothing for them.
"""

from __future__ import annotations

from mapservice.georef.quarters import near_sql

# The order in which a row's first failing check is reported (earlier checks guard later ones:
# nothing is transformed before its CRS area was checked).
CHECK_ORDER = (
    "problem",
    "geometry_missing",
    "geometry_empty",
    "geometry_invalid",
    "outside_crs_area",
    "outside_world",
    "unknown_layer",
    "geometry_type_not_allowed",
    "unknown_kind",
    "rating_range",
    "title_missing",
    "title_too_long",
    "text_too_long",
    "future_date",
    "unknown_status",
    "duplicate_id",
    "unknown_quarter",
    "outside_quarter",
    "unknown_walkthrough",
    "walkthrough_other_quarter",
)  # fmt: skip (duplicate_id is applied by TWICE, after CHECKED)

# One pass: derive ids, build and check the geometry, transform it, find the quarter, and name
# the first failing check. Each nesting level (OFFSET 0 keeps it from being inlined) computes
# its expressions once per row, so the geometry is built and transformed once. Points may
# arrive with lon/lat already computed by the reader (pyproj, vectorised — the transformation
# the API uses too); the area of use is still checked on x/y first. Others are transformed here.
# ``repeated``: the id is in the database already (an index probe per row, so this stays cheap
# however big the observation table grows); such rows are counted, not written again.
CHECKED = """
CREATE TEMP TABLE {table} ON COMMIT DROP AS
SELECT c.*, CAST(NULL AS text) AS detail, false AS inserted,
       EXISTS (SELECT 1 FROM observation o WHERE o.id = c.id) AS repeated,
       coalesce(c.reason1, CASE
    WHEN ST_XMin(c.geom) < -180 OR ST_XMax(c.geom) > 180 OR ST_YMin(c.geom) < -90
      OR ST_YMax(c.geom) > 90 THEN 'outside_world'
    WHEN NOT c.layer_known THEN 'unknown_layer'
    WHEN NOT c.type_ok THEN 'geometry_type_not_allowed'
    WHEN c.kind IS NULL OR c.kind NOT IN ('strength', 'problem', 'potential', 'idea')
      THEN 'unknown_kind'
    WHEN c.rating NOT BETWEEN -2 AND 2 THEN 'rating_range'
    WHEN coalesce(btrim(c.title), '') = '' THEN 'title_missing'
    WHEN char_length(btrim(c.title)) > 200 THEN 'title_too_long'
    WHEN char_length(c.description) > 10000 THEN 'text_too_long'
    WHEN c.observed_at > now() + interval '1 day' THEN 'future_date'
    WHEN c.status IS NULL OR c.status NOT IN ('draft', 'review', 'changes_requested', 'published',
      'rejected')
      THEN 'unknown_status'
    WHEN c.quarter_slug IS NOT NULL AND c.quarter_id IS NULL THEN 'unknown_quarter'
    WHEN c.quarter_id IS NULL OR NOT c.in_quarter THEN 'outside_quarter'
    WHEN c.walkthrough_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM walkthrough w
      WHERE w.id = c.walkthrough_id) THEN 'unknown_walkthrough'
    WHEN c.walkthrough_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM walkthrough w
      WHERE w.id = c.walkthrough_id AND w.quarter_id = c.quarter_id)
      THEN 'walkthrough_other_quarter'
  END) AS reason
FROM (
  SELECT t.*, coalesce(qs.id, CASE WHEN t.quarter_slug IS NULL AND t.geom IS NOT NULL THEN
      (SELECT min(q.id) FROM quarter q WHERE ST_Covers(q.boundary, ST_PointOnSurface(t.geom)))
    END) AS quarter_id,
    t.geom IS NULL OR CASE WHEN qs.id IS NOT NULL THEN {near_given}
      WHEN ST_Dimension(t.geom) = 0 THEN true ELSE coalesce({near_derived}, true) END
      AS in_quarter,
    al.layer IS NOT NULL AS layer_known,
    t.geom IS NULL OR GeometryType(t.geom) = ANY(al.types) AS type_ok
  FROM (
    SELECT r.*, CASE WHEN r.reason1 IS NULL THEN CASE WHEN :srid = 4326 THEN r.src
      WHEN r.lon IS NOT NULL AND r.lat IS NOT NULL
        THEN ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326)
      ELSE ST_Transform(r.src, 4326) END END AS geom
    FROM (
      SELECT g.*, CASE
          WHEN g.problem IS NOT NULL THEN g.problem
          WHEN g.src IS NULL THEN 'geometry_missing'
          WHEN ST_IsEmpty(g.src) THEN 'geometry_empty'
          WHEN GeometryType(g.src) <> 'POINT' AND NOT ST_IsValid(g.src) THEN 'geometry_invalid'
          WHEN :check_area AND (ST_XMin(g.src) < :ax0 OR ST_XMax(g.src) > :ax1
            OR ST_YMin(g.src) < :ay0 OR ST_YMax(g.src) > :ay1) THEN 'outside_crs_area'
        END AS reason1
      FROM (
        SELECT s.row_no, s.id IS NULL AS derived,
          coalesce(CAST(s.id AS uuid), CAST(md5(concat_ws(chr(31), 'karte-observation',
            s.layer_id, s.kind, s.rating, s.title, s.description, s.quarter_slug,
            s.walkthrough_id, md5(s.geom_wkb), s.x, s.y, s.accuracy_m, s.observed_epoch))
            AS uuid)) AS id,
          s.quarter_slug, CAST(s.walkthrough_id AS uuid) AS walkthrough_id, s.layer_id, s.kind,
          s.rating, s.title, s.description, s.accuracy_m,
          to_timestamp(s.observed_epoch) AS observed_at, s.status, s.author, s.synthetic,
          s.problem, s.problem_detail, s.lon, s.lat, s.georef_method,
          CASE WHEN s.problem IS NULL THEN CASE
            WHEN s.geom_wkb IS NOT NULL
              THEN ST_SetSRID(ST_Force2D(ST_GeomFromWKB(s.geom_wkb)), :srid)
            WHEN s.x IS NOT NULL AND s.y IS NOT NULL
              THEN ST_SetSRID(ST_MakePoint(s.x, s.y), :srid)
          END END AS src
        FROM stage_observation s OFFSET 0
      ) g OFFSET 0
    ) r OFFSET 0
  ) t
  LEFT JOIN quarter qs ON qs.slug = t.quarter_slug
  LEFT JOIN (SELECT layer, types FROM json_to_recordset(CAST(:allowed AS json))
    AS a(layer text, types text[])) al ON al.layer = t.layer_id
  OFFSET 0
) c
""".replace("{near_given}", near_sql("qs.boundary", "t.geom")).replace(
    "{near_derived}",
    near_sql(
        "(SELECT q.boundary FROM quarter q WHERE ST_Covers(q.boundary, "
        "ST_PointOnSurface(t.geom)) ORDER BY q.id LIMIT 1)",
        "t.geom",
    ),
)

# Ids that occur twice: a given id is refused on every row that has it (unless a check that
# comes first refused the row already); a derived id means the same content twice, which is
# stored once (the repeats count as already present).
TWICE = """
WITH twice AS (
  SELECT id, min(row_no) AS first_row FROM {table} GROUP BY id HAVING count(*) > 1
)
UPDATE {table} c SET
  reason = CASE WHEN c.derived THEN c.reason ELSE 'duplicate_id' END,
  repeated = c.repeated OR (c.derived AND c.row_no <> t.first_row)
FROM twice t WHERE t.id = c.id AND (c.derived OR c.reason IS NULL
  OR c.reason IN ('unknown_quarter', 'outside_quarter', 'unknown_walkthrough',
    'walkthrough_other_quarter'))
"""

# Details only for refused rows (usually few), so the pass above stays lean.
DETAILS = """
UPDATE stage_checked c SET detail = CASE c.reason
  WHEN 'geometry_invalid' THEN ST_IsValidReason(c.src)
  WHEN 'unknown_layer' THEN coalesce(c.layer_id, '–')
  WHEN 'geometry_type_not_allowed' THEN GeometryType(c.geom) || ' / ' || c.layer_id
  WHEN 'unknown_kind' THEN coalesce(c.kind, '–')
  WHEN 'rating_range' THEN c.rating::text
  WHEN 'unknown_status' THEN coalesce(c.status, '–')
  WHEN 'unknown_quarter' THEN c.quarter_slug
  WHEN 'outside_crs_area' THEN 'EPSG:' || ST_SRID(c.src) || ' x=' || round(
    ST_X(ST_PointOnSurface(c.src))::numeric, 2) || ' y=' || round(
    ST_Y(ST_PointOnSurface(c.src))::numeric, 2)
  WHEN 'outside_world' THEN 'lon=' || round(ST_X(ST_PointOnSurface(c.geom))::numeric, 5)
    || ' lat=' || round(ST_Y(ST_PointOnSurface(c.geom))::numeric, 5)
  WHEN 'future_date' THEN to_char(c.observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
  WHEN 'title_too_long' THEN char_length(btrim(c.title)) || ' > 200'
  WHEN 'text_too_long' THEN char_length(c.description) || ' > 10000'
  ELSE c.problem_detail END
WHERE c.reason IS NOT NULL
"""

# Where a refused geometry lies relative to the quarters: nearest one, and whether the point
# with swapped axes would lie in one (the usual lat/lon mix-up). Limited to the first rows.
NEAREST = """
SELECT c.row_no, c.quarter_slug AS given, n.slug, n.metres,
       EXISTS (SELECT 1 FROM quarter q WHERE GeometryType(c.geom) = 'POINT'
               AND ST_Covers(q.boundary, ST_FlipCoordinates(c.geom))) AS swapped
  FROM (SELECT * FROM stage_checked WHERE reason = 'outside_quarter' AND geom IS NOT NULL
        ORDER BY row_no LIMIT 200) c
  CROSS JOIN LATERAL (SELECT k.slug, ST_Distance(k.boundary::geography, c.geom::geography)
        AS metres FROM (SELECT slug, boundary FROM quarter ORDER BY boundary <-> c.geom
        LIMIT 8) k ORDER BY metres LIMIT 1) n
"""

INSERT = """
INSERT INTO observation (id, quarter_id, walkthrough_id, layer_id, kind, rating, title,
  description, geom, accuracy_m, observed_at, status, author, synthetic, georef_method)
SELECT id, quarter_id, walkthrough_id, layer_id, kind, rating, btrim(title),
  coalesce(description, ''), geom, accuracy_m, observed_at, status, author,
  coalesce(synthetic, false), georef_method
FROM {table} WHERE reason IS NULL AND NOT repeated ORDER BY row_no
"""

# Upsert (a file with its own id column imported again): rows already stored are updated
# where the file says something else; status, author and history stay (moderation owns
# them), and an unchanged row is not touched, so its version and the tile ETags stay.
UPDATE_CHANGED = """
UPDATE observation o SET quarter_id = c.quarter_id, walkthrough_id = c.walkthrough_id,
  layer_id = c.layer_id, kind = c.kind, rating = c.rating, title = btrim(c.title),
  description = coalesce(c.description, ''), geom = c.geom, accuracy_m = c.accuracy_m,
  observed_at = c.observed_at, georef_method = c.georef_method, version = o.version + 1
FROM {table} c
WHERE o.id = c.id AND c.reason IS NULL AND c.repeated AND NOT c.derived
  AND ((o.quarter_id, o.walkthrough_id, o.layer_id, o.kind, o.rating, o.title,
        o.description, o.accuracy_m, o.observed_at, o.georef_method)
       IS DISTINCT FROM (c.quarter_id, c.walkthrough_id, c.layer_id, c.kind, c.rating,
        btrim(c.title), coalesce(c.description, ''), c.accuracy_m, c.observed_at,
        c.georef_method)
       OR NOT ST_Equals(o.geom, c.geom))
  AND o.status <> 'published'
"""

# A changed row of a *published* entry is not written over it: it becomes the entry's pending
# revision (capture/revisions.py), so the public keeps the published version until a planner
# approves the import's values.
STAGE_CHANGED = """
WITH staged AS (
INSERT INTO revision (quarter_id, observation_id, changes, geom, author, source)
SELECT o.quarter_id, o.id,
  jsonb_build_object('quarter_id', c.quarter_id, 'walkthrough_id', c.walkthrough_id,
    'layer_id', c.layer_id, 'kind', c.kind, 'rating', c.rating, 'title', btrim(c.title),
    'description', coalesce(c.description, ''), 'accuracy_m', c.accuracy_m,
    'observed_at', c.observed_at, 'georef_method', c.georef_method),
  CASE WHEN ST_Equals(o.geom, c.geom) THEN NULL ELSE c.geom END, c.author, 'import'
FROM {table} c JOIN observation o ON o.id = c.id
WHERE c.reason IS NULL AND c.repeated AND NOT c.derived AND o.status = 'published'
  AND ((o.quarter_id, o.walkthrough_id, o.layer_id, o.kind, o.rating, o.title,
        o.description, o.accuracy_m, o.observed_at, o.georef_method)
       IS DISTINCT FROM (c.quarter_id, c.walkthrough_id, c.layer_id, c.kind, c.rating,
        btrim(c.title), coalesce(c.description, ''), c.accuracy_m, c.observed_at,
        c.georef_method)
       OR NOT ST_Equals(o.geom, c.geom))
ON CONFLICT (observation_id, quarter_id) WHERE state IN ('review', 'changes_requested')
  AND observation_id IS NOT NULL
DO UPDATE SET changes = EXCLUDED.changes, geom = EXCLUDED.geom, state = 'review',
  source = 'import', author = EXCLUDED.author, updated_at = now()
RETURNING id, quarter_id, observation_id
)
INSERT INTO moderation_event (quarter_id, observation_id, from_status, to_status, note,
  revision_id)
SELECT quarter_id, observation_id, 'published', 'review', 'Import', id FROM staged
"""

# Rows refused only when the whole file was seen (an id given twice in different chunks) but
# already written by the chunk they came with: removed again when refused rows are skipped.
UNWRITE = """
DELETE FROM observation o USING stage_checked c
 WHERE o.id = c.id AND c.inserted AND c.reason IS NOT NULL
"""
