"""The SQL behind the figures: one statement for the facts of one or all quarters.

Every figure of every quarter comes out of a single round trip in a "long" shape —
``(quarter_id, facet, a, b, n)`` rows such as ``(7, 'observations', 'umwelt', 'problem', 12)``
— so the start page gets all its cards from one query instead of one per quarter, and the
summary API runs the same SQL narrowed to one slug. Observations, the only big table, are
read in one pass: ``GROUPING SETS`` count them by layer × kind, by rating and by walkthrough
at once (observations per km walked are matched to tracks in Python, over a handful of
rows). Python (``summary.py``) turns the rows into the JSON; the SQL only counts. Who may see
what is decided by the fragments of ``_visibility``, the same rule the field API applies to
observations (the public sees published entries only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer, finding_visibility
from mapservice.capture.observations import visibility as observation_visibility
from mapservice.catalog import Catalog, LayerSource
from mapservice.figures.schema import Scope

#: Dates of walkthroughs are shown as local dates of the German quarters.
LOCAL_TZ = "Europe/Berlin"

FACTS_SQL = """
WITH q AS (
  SELECT id FROM quarter WHERE CAST(:slug AS text) IS NULL OR slug = CAST(:slug AS text)
),
dims AS (
  SELECT * FROM unnest(CAST(:dim_layers AS text[]), CAST(:dim_values AS text[]))
    AS d(layer_id, dimension)
),
f AS MATERIALIZED (
  SELECT a.id, a.quarter_id, a.layer_ids, a.kind,
         CASE WHEN a.geom IS NULL THEN 'unplaced' ELSE a.georef_method END AS method
    FROM finding a JOIN q ON q.id = a.quarter_id
   WHERE ({findings})
),
w AS MATERIALIZED (
  SELECT w.id, w.quarter_id, w.started_at, w.residents, w.multipliers, w.experts,
         w.administration, ST_Length(w.track::geography) AS length_m
    FROM walkthrough w JOIN q ON q.id = w.quarter_id
)
SELECT o.quarter_id,
       CASE WHEN GROUPING(o.layer_id) = 0 THEN 'observations'
            WHEN GROUPING(o.rating) = 0 THEN 'ratings'
            ELSE 'observations_by_walkthrough' END AS facet,
       coalesce(o.layer_id, o.rating::text, o.walkthrough_id::text) AS a, o.kind AS b,
       count(*)::float8 AS n
  FROM observation o JOIN q ON q.id = o.quarter_id
 WHERE ({observations}) AND ({observation_layers})
 GROUP BY GROUPING SETS ((o.quarter_id, o.layer_id, o.kind), (o.quarter_id, o.rating),
                         (o.quarter_id, o.walkthrough_id))
UNION ALL
SELECT f.quarter_id, 'finding_layers', l.layer_id, f.kind, count(*)
  FROM f CROSS JOIN LATERAL unnest(f.layer_ids) AS l(layer_id)
 GROUP BY f.quarter_id, l.layer_id, f.kind
UNION ALL
SELECT f.quarter_id, 'finding_dimensions', d.dimension, f.kind, count(DISTINCT f.id)
  FROM f CROSS JOIN LATERAL unnest(f.layer_ids) AS l(layer_id)
  JOIN dims d ON d.layer_id = l.layer_id
 GROUP BY f.quarter_id, d.dimension, f.kind
UNION ALL
SELECT quarter_id, 'findings', kind, method, count(*) FROM f GROUP BY quarter_id, kind, method
UNION ALL
SELECT quarter_id, 'walkthroughs',
       to_char(max(started_at) AT TIME ZONE '{tz}', 'YYYY-MM-DD'), NULL, count(*)
  FROM w GROUP BY quarter_id
UNION ALL
SELECT w.quarter_id, 'participants', g.grp, NULL, sum(g.n)
  FROM w CROSS JOIN LATERAL (VALUES ('residents', w.residents),
       ('multipliers', w.multipliers), ('experts', w.experts),
       ('administration', w.administration)) AS g(grp, n)
 GROUP BY w.quarter_id, g.grp
UNION ALL
SELECT quarter_id, 'tracks', id::text, NULL, length_m FROM w WHERE length_m IS NOT NULL
UNION ALL
SELECT i.quarter_id, 'interviews', i.participant_group, NULL, count(*)
  FROM interview i JOIN q ON q.id = i.quarter_id GROUP BY i.quarter_id, i.participant_group
"""

QUARTERS_SQL = """
SELECT q.id, q.slug, q.name, q.city, q.description, q.synthetic
  FROM quarter q
 WHERE CAST(:slug AS text) IS NULL OR q.slug = CAST(:slug AS text)
 ORDER BY q.city, q.name
"""


@dataclass(frozen=True)
class Fact:
    """One counted row: ``facet`` says what was counted, ``a``/``b`` by what."""

    quarter_id: int
    facet: str
    a: str | None
    b: str | None
    n: float


def scope_of(viewer: Viewer) -> Scope:
    if viewer.sees_everything:
        return "all"
    return "field" if viewer.role == "field" else "public"


def _visibility(viewer: Viewer, catalog: Catalog) -> tuple[dict[str, str], dict[str, Any]]:
    """SQL conditions for what ``viewer`` may count, and the values they bind.

    Observations follow the field API's rule; findings have no author, so everyone but
    planners and admins counts published findings only (as the map and tiles show them).
    A layer the catalogue marks as not public is left out of the public's figures entirely;
    published observations of a layer since removed from the catalogue still count.
    """
    where, params = observation_visibility(viewer, "o")
    fragments = {"observations": where, "findings": "true", "observation_layers": "true"}
    if not viewer.sees_everything:
        fragments["findings"] = "a.status = 'published'"
    elif viewer.restricted:  # its own layers/quarters in full, elsewhere what is published
        fragments["findings"] = finding_visibility(viewer, "a").visible
    hidden = [layer.id for layer in catalog if not layer.public]
    if viewer.is_public and hidden:  # the usual catalogue has none: no per-row check then
        fragments["observation_layers"] = "o.layer_id <> ALL(CAST(:hidden_layers AS text[]))"
        params["hidden_layers"] = hidden
        if not any(layer.public for layer in catalog.of_source(LayerSource.FINDINGS)):
            fragments["findings"] = "false"
    return fragments, params


def fetch_quarters(conn: Connection, slug: str | None = None) -> list[dict[str, Any]]:
    """Name, city, description and demo flag of one quarter (``slug``) or of all."""
    return [dict(r) for r in conn.execute(text(QUARTERS_SQL), {"slug": slug}).mappings()]


def fetch_facts(
    conn: Connection, catalog: Catalog, viewer: Viewer, slug: str | None = None
) -> list[Fact]:
    """All counted facts of one quarter (``slug``) or of every quarter, in one statement."""
    fragments, params = _visibility(viewer, catalog)
    layers = list(catalog.of_source(LayerSource.OBSERVATIONS))
    params |= {
        "slug": slug,
        "dim_layers": [layer.id for layer in layers],
        "dim_values": [layer.dimension.value for layer in layers],
    }
    sql = FACTS_SQL.format(tz=LOCAL_TZ, **fragments)
    rows = conn.execute(text(sql), params)
    return [Fact(int(q), facet, a, b, float(n or 0)) for q, facet, a, b, n in rows]
