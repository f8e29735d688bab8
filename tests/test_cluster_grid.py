"""The cluster grid: ``cluster_cell`` stays equal to a fresh count over ``observation`` after
every kind of write, and clustered tiles served from it equal the live SQL's tiles.

Data: a square in Berlin-Spandau (``test_tiles_seed``) on the layer ``gemeinwesen``, plus
whatever other modules of the session wrote: the grid must be right for the whole table.
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
import uuid
from pathlib import Path
from typing import Any, TypeVar

import mapbox_vector_tile
import morecantile
import pytest
from sqlalchemy import Connection, Engine, text

from mapservice.access import PUBLIC, Viewer
from mapservice.catalog import load_catalog
from mapservice.db.cluster import Cluster
from mapservice.db.engine import make_engine
from mapservice.db.migrate import downgrade, upgrade
from mapservice.tiles.cluster_grid import LEVEL, code_range, grid_plan, morton
from mapservice.tiles.filters import NO_FILTERS, Filters
from mapservice.tiles.grid import TileAddress
from mapservice.tiles.queries import tile_sql
from mapservice.tiles.runtime import Runtime
from mapservice.tiles.service import TileJob, _params, render
from tests.conftest import fresh_database
from tests.test_cli import karte
from tests.test_tiles_cache import run
from tests.test_tiles_seed import World, seed

T = TypeVar("T")
TMS = morecantile.tms.get("WebMercatorQuad")
BOX = (13.26, 52.56, 13.30, 52.60)
LAYER = "gemeinwesen"
PLANNER = Viewer(role="planner", account_id=None, name="planer-grid")
KINDS = ("strength", "problem", "potential", "idea")

# The same plain arithmetic as sql/clusters.sql: what the grid must agree with.
FRESH = """
SELECT layer_id, gx, gy, status, kind, quarter_id, count(*) AS n, sum(x) AS sx, sum(y) AS sy
  FROM (SELECT layer_id, status, kind, quarter_id, x, y,
               floor((x + 20037508.342789244) / :cell)::bigint AS gx,
               floor((20037508.342789244 - y) / :cell)::bigint AS gy
          FROM (SELECT layer_id, status, kind, quarter_id,
                       ST_X(geom) * 111319.49079327358 AS x,
                       ln(tan(radians(45 + ST_Y(geom) / 2))) * 6378137 AS y
                  FROM observation
                 WHERE ST_GeometryType(geom) = 'ST_Point' OFFSET 0) a) b
 GROUP BY layer_id, gx, gy, status, kind, quarter_id
"""
CELL18 = 2 * 20037508.342789244 / 2**LEVEL

Key = tuple[str, int, int, str, str, int]  # layer, gx, gy, status, kind, quarter


@pytest.fixture(scope="module")
def world(engine: Engine) -> World:
    return seed(engine, "raster", BOX, LAYER)


def grid_rows(conn: Connection) -> dict[Key, tuple[int, float, float, int]]:
    rows = conn.execute(
        text("SELECT layer_id, gx, gy, status, kind, quarter_id, n, sx, sy, code FROM cluster_cell")
    )
    return {tuple(r[:6]): tuple(r[6:]) for r in rows}  # type: ignore[misc]


def assert_grid_is_exact(engine: Engine) -> None:
    """cluster_cell equals a fresh GROUP BY over every point observation."""
    with engine.connect() as conn:
        fresh = {tuple(r[:6]): tuple(r[6:]) for r in conn.execute(text(FRESH), {"cell": CELL18})}
        grid = grid_rows(conn)
    assert grid.keys() == fresh.keys(), (
        f"only in grid: {sorted(grid.keys() - fresh.keys())[:5]}, "
        f"only in a fresh count: {sorted(fresh.keys() - grid.keys())[:5]}"
    )
    for key, (n, sx, sy) in fresh.items():
        gn, gsx, gsy, code = grid[key]
        assert gn == n, key
        assert math.isclose(gsx, sx, rel_tol=1e-12, abs_tol=1e-6), key
        assert math.isclose(gsy, sy, rel_tol=1e-12, abs_tol=1e-6), key
        assert code == morton(key[1], key[2])


def inside(world: World, fx: float, fy: float) -> str:
    x0, y0, x1, y1 = world.box
    return f"SRID=4326;POINT({x0 + (x1 - x0) * fx} {y0 + (y1 - y0) * fy})"


def add_point(conn: Connection, geom: str, status: str = "published", kind: str = "idea") -> str:
    oid = str(uuid.uuid4())
    conn.execute(
        text(
            "INSERT INTO observation (id, layer_id, kind, title, geom, status) "
            "VALUES (:id, :l, :k, 'Rasterpunkt', ST_GeomFromEWKT(:g), :s)"
        ),
        {"id": oid, "l": LAYER, "k": kind, "g": geom, "s": status},
    )
    return oid


def update(engine: Engine, oid: str, assignment: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(f"UPDATE observation SET {assignment} WHERE id = :id"), {"id": oid, **params}
        )


# -- codes ----------------------------------------------------------------------------------


def test_morton_codes_agree_in_sql_and_python_and_tiles_are_ranges(engine: Engine) -> None:
    rng = random.Random(18)
    pairs = [(0, 0), (1, 0), (0, 1), (2**LEVEL - 1, 2**LEVEL - 1)]
    pairs += [(rng.randrange(2**LEVEL), rng.randrange(2**LEVEL)) for _ in range(200)]
    with engine.connect() as conn:
        got = conn.execute(
            text(
                "SELECT karte_morton(x, y) "
                "FROM unnest(CAST(:xs AS int[]), CAST(:ys AS int[])) u(x, y)"
            ),
            {"xs": [p[0] for p in pairs], "ys": [p[1] for p in pairs]},
        ).scalars()
        assert list(got) == [morton(x, y) for x, y in pairs]
    for gx, gy in pairs[:40]:
        for z in (0, 5, 12, 15, 18):
            s = LEVEL - z
            lo, hi = code_range(TileAddress(z, gx >> s, gy >> s))
            assert lo <= morton(gx, gy) < hi and hi - lo == 4**s
            other = TileAddress(z, (gx >> s) ^ 1, gy >> s) if z else None
            if other is not None:
                olo, ohi = code_range(other)
                assert not olo <= morton(gx, gy) < ohi


# -- the grid follows every write ------------------------------------------------------------


def test_grid_equals_a_fresh_count_after_the_demo_load(engine: Engine, demo_loaded: Any) -> None:
    assert_grid_is_exact(engine)


def test_grid_follows_inserts_moves_status_kind_layer_geometry_and_deletes(
    engine: Engine, world: World
) -> None:
    assert_grid_is_exact(engine)
    with engine.begin() as conn:  # a single insert
        one = add_point(conn, inside(world, 0.7, 0.2))
    assert_grid_is_exact(engine)
    with engine.begin() as conn:  # a bulk insert, several cells and kinds in one statement
        conn.execute(
            text(
                "INSERT INTO observation (layer_id, kind, title, geom, status) "
                "SELECT :l, (ARRAY['strength','problem','potential','idea'])[1 + g % 4], "
                "'Bulk ' || g, ST_SetSRID(ST_MakePoint(:x0 + (g % 37) * :dx, "
                ":y0 + (g % 23) * :dy), 4326), CASE WHEN g % 3 = 0 THEN 'review' "
                "ELSE 'published' END FROM generate_series(1, 600) g"
            ),
            {"l": LAYER, "x0": world.box[0] + 0.001, "y0": world.box[1] + 0.001,
             "dx": 0.038 / 37, "dy": 0.038 / 23},
        )  # fmt: skip
    assert_grid_is_exact(engine)
    update(engine, one, "geom = ST_GeomFromEWKT(:g)", g=inside(world, 0.2, 0.9))  # move
    assert_grid_is_exact(engine)
    update(engine, one, "geom = ST_GeomFromEWKT(:g)", g=inside(world, 0.2000001, 0.9))  # nudge
    assert_grid_is_exact(engine)
    update(engine, one, "status = 'review'")
    assert_grid_is_exact(engine)
    update(engine, one, "status = 'published'")
    assert_grid_is_exact(engine)
    update(engine, one, "kind = 'problem'")
    assert_grid_is_exact(engine)
    update(engine, one, "layer_id = 'wohnen'")
    assert_grid_is_exact(engine)
    update(engine, one, "layer_id = :l", l=LAYER)
    assert_grid_is_exact(engine)
    polygon = "SRID=4326;POLYGON((13.27 52.57, 13.271 52.57, 13.271 52.571, 13.27 52.57))"
    update(engine, one, "geom = ST_GeomFromEWKT(:g)", g=polygon)  # point → polygon
    assert_grid_is_exact(engine)
    update(engine, one, "geom = ST_GeomFromEWKT(:g)", g=inside(world, 0.4, 0.4))  # and back
    assert_grid_is_exact(engine)
    with engine.begin() as conn:  # many rows at once: status and geometry in one statement
        conn.execute(
            text(
                "UPDATE observation SET status = CASE WHEN status = 'review' THEN 'published' "
                "ELSE 'review' END, geom = ST_Translate(geom, 0.0003, -0.0002) "
                "WHERE layer_id = :l AND title LIKE 'Bulk %' AND id::text < '8'"
            ),
            {"l": LAYER},
        )
    assert_grid_is_exact(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM observation WHERE id = :id"), {"id": one})
    assert_grid_is_exact(engine)
    with engine.begin() as conn:  # empties cells: their rows must go, not stay at n = 0
        conn.execute(
            text("DELETE FROM observation WHERE layer_id = :l AND title LIKE 'Bulk %'"),
            {"l": LAYER},
        )
        assert conn.execute(text("SELECT count(*) FROM cluster_cell WHERE n <= 0")).scalar() == 0
    assert_grid_is_exact(engine)


def cell_versions(engine: Engine) -> dict[str, str]:
    """Row versions (xmin) of the test layer's cells: an update of a cell changes its xmin."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT code || status || kind, xmin::text FROM cluster_cell WHERE layer_id = :l"),
            {"l": LAYER},
        )
        return dict(rows.all())


def test_a_title_edit_touches_no_cell_and_a_rollback_leaves_no_trace(
    engine: Engine, world: World
) -> None:
    with engine.connect() as conn:
        before = grid_rows(conn)
    versions = cell_versions(engine)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE observation SET title = title || '.' WHERE layer_id = :l"), {"l": LAYER}
        )
    assert cell_versions(engine) == versions  # not one cell row was rewritten
    with engine.connect() as conn:
        tx = conn.begin()
        add_point(conn, inside(world, 0.1, 0.1))
        for statement in (
            "UPDATE observation SET status = 'rejected' WHERE layer_id = :l",
            "DELETE FROM observation WHERE layer_id = :l AND kind = 'idea'",
        ):
            conn.execute(text(statement), {"l": LAYER})
        assert grid_rows(conn) != before  # the transaction sees its own changes …
        tx.rollback()
    with engine.connect() as conn:
        assert grid_rows(conn) == before  # … and nobody else ever does
    assert_grid_is_exact(engine)


def test_a_single_insert_keeps_the_trigger_cheap(engine: Engine, world: World) -> None:
    """The trigger's planner settings once let PostgreSQL JIT-compile its queries: ~0.8 s for
    every one-row insert. The trigger must cost a small fraction of that, JIT on or off."""
    with engine.connect() as conn, conn.begin():
        conn.execute(text("SET LOCAL jit = on"))
        plan = conn.execute(
            text(
                "EXPLAIN (ANALYZE, FORMAT JSON) INSERT INTO observation (layer_id, kind, "
                "title, geom, status) VALUES (:l, 'idea', 'Einzeln', ST_GeomFromEWKT(:g), "
                "'published')"
            ),
            {"l": LAYER, "g": inside(world, 0.55, 0.45)},
        ).scalar_one()
        conn.rollback()
    triggers = {t["Trigger Name"]: t["Time"] for t in plan[0]["Triggers"]}
    assert triggers["observation_cluster_insert"] < 150  # ms


def test_a_deleted_quarter_takes_its_points_out_of_the_grid(engine: Engine) -> None:
    with engine.begin() as conn:
        qid = conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary) VALUES (:s, 'Weg', 'Berlin', "
                "ST_Multi(ST_MakeEnvelope(13.31, 52.56, 13.32, 52.57, 4326))) RETURNING id"
            ),
            {"s": f"raster-weg-{uuid.uuid4().hex[:6]}"},
        ).scalar_one()
        for i in range(5):
            add_point(conn, f"SRID=4326;POINT({13.311 + i * 0.001} 52.565)")
    assert_grid_is_exact(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM quarter WHERE id = :q"), {"q": qid})  # cascades
    assert_grid_is_exact(engine)


def test_two_writers_of_the_same_cell_both_count(engine: Engine, world: World) -> None:
    geom = inside(world, 0.9, 0.1)
    cell = """SELECT coalesce(sum(n), 0) FROM cluster_cell
               WHERE layer_id = :l AND status = 'published' AND kind = 'idea'
                 AND code = karte_morton(floor((ST_X(ST_GeomFromEWKT(:g)) * 111319.49079327358
                                                + 20037508.342789244) / :c)::int,
                                         floor((20037508.342789244 - ln(tan(radians(45
                                                + ST_Y(ST_GeomFromEWKT(:g)) / 2))) * 6378137)
                                               / :c)::int)"""
    args = {"l": LAYER, "g": geom, "c": CELL18}
    with engine.connect() as conn:
        start = conn.execute(text(cell), args).scalar_one()
    errors: list[BaseException] = []
    second_done = threading.Event()

    def second() -> None:
        try:
            with engine.begin() as conn:
                add_point(conn, geom)
        except BaseException as exc:
            errors.append(exc)
        finally:
            second_done.set()

    with engine.connect() as conn:
        tx = conn.begin()
        add_point(conn, geom)
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)
        assert not second_done.is_set()  # the second writer waits for the first …
        tx.commit()
    thread.join(30)
    assert not errors and second_done.is_set()  # … and then commits too
    with engine.connect() as conn:
        assert conn.execute(text(cell), args).scalar_one() == start + 2
    assert_grid_is_exact(engine)


def test_migration_backfills_truncate_clears_and_downgrade_removes(pg_cluster: Cluster) -> None:
    engine = make_engine(fresh_database(pg_cluster, "karte_cluster_grid"))
    try:
        upgrade(engine, "0001")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO quarter (slug, name, city, boundary) VALUES ('raster-alt', "
                    "'Alt', 'Berlin', ST_Multi(ST_MakeEnvelope(13, 52, 14, 53, 4326)))"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO observation (layer_id, kind, title, geom, status) "
                    "SELECT 'umwelt', (ARRAY['strength','problem','potential','idea'])[1 + g % 4], "
                    "'Alt', ST_SetSRID(CASE WHEN g % 10 = 0 "
                    "THEN ST_Buffer(ST_MakePoint(13.5, 52.5), 0.01) "
                    "ELSE ST_MakePoint(13 + (g % 97) / 97.0, 52 + (g % 89) / 89.0) END, 4326), "
                    "(ARRAY['draft','review','published','rejected'])[1 + g % 4] "
                    "FROM generate_series(1, 3000) g"
                )
            )
        upgrade(engine)
        assert_grid_is_exact(engine)
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE observation CASCADE"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM cluster_cell")).scalar() == 0
        downgrade(engine, "0001")
        with engine.connect() as conn:
            left = conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM pg_class WHERE relname IN "
                    "('cluster_cell', 'ix_observation_geom_not_point_gist')) + (SELECT count(*) "
                    "FROM pg_proc WHERE proname LIKE 'karte_%cluster%' OR proname IN "
                    "('karte_morton', 'karte_spread_bits')) + (SELECT count(*) FROM pg_trigger "
                    "WHERE tgname LIKE 'observation_cluster_%')"
                )
            ).scalar()
        assert left == 0
        upgrade(engine)
    finally:
        engine.dispose()


# -- tiles from the grid equal tiles from the live SQL --------------------------------------


async def both(rt: Runtime, job: TileJob) -> tuple[tuple[Any, ...], tuple[Any, ...], str]:
    """(grid tile, live tile, SQL the grid path ran) for one clustered job."""
    source_sql: list[str] = []
    original = rt.fetchone

    async def spy(sql: str, params: dict[str, Any], **kw: Any) -> tuple[Any, ...]:
        source_sql.append(sql)
        return await original(sql, params, **kw)

    rt.fetchone = spy  # type: ignore[method-assign]
    try:
        tile = await render(rt, job)
    finally:
        rt.fetchone = original  # type: ignore[method-assign]
    from mapservice.tiles.sources import source_for

    source = source_for(job.layer, job.viewer, job.filters)
    live = await rt.fetchone(tile_sql(source, job.fmt, True), _params(rt, job, source))
    grid = (tile.body, tile.features, tile.truncated)
    return grid, (bytes(live[0]), int(live[1]), bool(live[2])), source_sql[0]


def clusters_of(body: bytes, fmt: str, layer: str) -> list[dict[str, Any]]:
    """Features of a tile as [{'props', 'xy'}] in tile order."""
    if fmt == "mvt":
        if not body:
            return []
        feats = mapbox_vector_tile.decode(body)[layer]["features"]
        return [{"props": f["properties"], "geom": f["geometry"]} for f in feats]
    return [{"props": f["properties"], "geom": f["geometry"]} for f in json.loads(body)["features"]]


def assert_same_tile(grid: bytes, live: bytes, fmt: str, tolerance: float) -> int:
    """Same features in the same order, same properties; cluster positions within one unit."""
    a, b = clusters_of(grid, fmt, LAYER), clusters_of(live, fmt, LAYER)
    assert [f["props"] for f in a] == [f["props"] for f in b]
    clusters = 0
    for fa, fb in zip(a, b, strict=True):
        if not fa["props"].get("cluster"):
            assert fa["geom"] == fb["geom"]
            continue
        clusters += 1
        (xa, ya), (xb, yb) = fa["geom"]["coordinates"], fb["geom"]["coordinates"]
        assert abs(xa - xb) <= tolerance and abs(ya - yb) <= tolerance, (fa, fb)
    return clusters


@pytest.mark.parametrize("fmt", ["mvt", "geojson"])
def test_grid_tiles_equal_live_tiles(engine: Engine, world: World, fmt: str) -> None:
    layer = load_catalog().get(LAYER)
    with engine.connect() as conn:
        qid = conn.execute(
            text("SELECT id FROM quarter WHERE slug = :s"), {"s": world.quarter}
        ).scalar_one()
    # since 0015 the grid has the quarter: quarter filters and restricted planners use it too
    here = Viewer(role="planner", name="planer-hier", quarters=frozenset({qid}))
    elsewhere = Viewer(role="planner", name="planer-dort", quarters=frozenset({-1}),
                       layers=frozenset({LAYER}))  # fmt: skip
    cases = [
        (PUBLIC, NO_FILTERS),
        (PUBLIC, Filters(kind="idea")),
        (PUBLIC, Filters(quarter=world.quarter)),
        (PLANNER, NO_FILTERS),
        (PLANNER, Filters(kind="potential")),
        (PLANNER, Filters(status="draft")),
        (PLANNER, Filters(kind="idea", status="published")),
        (PLANNER, Filters(quarter=world.quarter, status="review")),
        (here, NO_FILTERS),
        (elsewhere, Filters(kind="idea")),
    ]
    jobs = [
        TileJob(layer, viewer, TileAddress(t.z, t.x, t.y), fmt, filters)  # type: ignore[arg-type]
        for z in (4, 10, 12, 13, 14)
        for t in TMS.tiles(*world.box, zooms=[z])
        for viewer, filters in cases
    ]

    async def scenario(rt: Runtime) -> list[tuple[TileJob, Any, Any, str]]:
        return [(job, *await both(rt, job)) for job in jobs]

    clusters = 0
    for job, grid, live, sql in run(scenario, engine):
        assert "cluster_cell" in sql, job  # the grid answered
        assert grid[1:] == live[1:], job  # feature count, truncated
        # MVT: one unit of the 4096 grid; GeoJSON: one unit of the last digit written
        tol = 1 if fmt == "mvt" else 10**-job.tile.digits + 1e-12
        clusters += assert_same_tile(grid[0], live[0], fmt, tol)
    assert clusters > 50


def test_field_users_use_the_live_sql_and_quarter_filters_count_right(
    engine: Engine, world: World
) -> None:
    layer = load_catalog().get(LAYER)
    field = Viewer(role="field", account_id=None, name=world.field_name)
    t = TMS.tile(world.box[0], world.box[1], 12)
    tile = TileAddress(t.z, t.x, t.y)
    assert grid_plan(layer, field, NO_FILTERS, tile, 8) is None
    assert grid_plan(layer, PUBLIC, Filters(quarter=world.quarter), tile, 8) is not None
    assert grid_plan(layer, PUBLIC, Filters(walkthrough=world.walkthrough), tile, 8) is None
    assert grid_plan(layer, PUBLIC, NO_FILTERS, TileAddress(16, 0, 0), 8) is None  # too fine
    assert grid_plan(layer, PUBLIC, NO_FILTERS, tile, 8) is not None
    assert grid_plan(load_catalog().get("aussagen"), PUBLIC, NO_FILTERS, tile, 8) is None
    with engine.connect() as conn:
        expected = dict(
            conn.execute(
                text(
                    "SELECT v, count(*) FROM (SELECT CASE WHEN status = 'published' THEN "
                    "'public' ELSE 'field' END AS v FROM observation o JOIN quarter q "
                    "ON q.id = o.quarter_id WHERE q.slug = :q AND o.layer_id = :l "
                    "AND ST_GeometryType(o.geom) = 'ST_Point' AND (o.status = 'published' "
                    "OR o.author = :a)) s GROUP BY v"
                ),
                {"q": world.quarter, "l": LAYER, "a": world.field_name},
            ).all()
        )
    jobs = {
        (who, fmt): [
            TileJob(layer, viewer, TileAddress(t.z, t.x, t.y), fmt, Filters(quarter=world.quarter))  # type: ignore[arg-type]
            for t in TMS.tiles(*world.box, zooms=[12])
        ]
        for who, viewer in (("public", PUBLIC), ("field", field))
        for fmt in ("mvt", "geojson")
    }

    async def scenario(rt: Runtime) -> dict[tuple[str, str], int]:
        totals = {}
        for key, batch in jobs.items():
            total = 0
            for job in batch:
                tile = await render(rt, job)
                for f in clusters_of(tile.body, job.fmt, LAYER):
                    total += f["props"].get("count", 0)
            totals[key] = total
        return totals

    totals = run(scenario, engine)
    assert expected.get("field", 0) >= 1  # the field user's own draft is in there
    for fmt in ("mvt", "geojson"):
        assert totals[("public", fmt)] == expected["public"]
        assert totals[("field", fmt)] == expected["public"] + expected.get("field", 0)


def test_rebuild_restores_a_grid_written_around_the_triggers(
    engine: Engine, database_url: str, world: World, tmp_path: Path
) -> None:
    """A grid that went out of step (a restore with triggers off, a hand edit) is made exact
    again by ``karte db rebuild-clusters``, without touching any observation."""
    with engine.begin() as conn:
        before = conn.execute(text("SELECT count(*) FROM observation")).scalar_one()
        conn.execute(text("DELETE FROM cluster_cell WHERE code % 3 = 0"))
        conn.execute(text("UPDATE cluster_cell SET n = n + 5, sx = sx * 2"))
    with pytest.raises(AssertionError):
        assert_grid_is_exact(engine)
    done = karte("db", "rebuild-clusters", KARTE_DATABASE_URL=database_url,
                 KARTE_DATA_DIR=str(tmp_path))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Cluster-Raster neu aufgebaut" in done.stdout and "cells" in done.stdout
    assert_grid_is_exact(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM observation")).scalar_one() == before
