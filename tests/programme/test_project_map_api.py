"""The project map's data paths over real HTTP: pages, Umsetzungsstand, tiles, CQL2 filter.

Every number is compared with a count in SQL (or with the figures /api/measures serves);
the public sees published measures only, everywhere.
"""

from __future__ import annotations

import math
import re

import httpx
import mapbox_vector_tile
import pytest
from sqlalchemy import Engine, text

from tests.programme.conftest import Programme, assert_refusal, create

HAMME = "bochum-hamme"
IN_HAMME = (
    "EXISTS (SELECT 1 FROM measure_quarter mq JOIN quarter q ON q.id = mq.quarter_id "
    "WHERE mq.measure_id = m.id AND q.slug = 'bochum-hamme')"
)


def sql_count(engine: Engine, where: str, params: dict | None = None) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(f"SELECT count(*) FROM measure m WHERE {where}"), params or {}
            ).scalar_one()
        )


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def items(http: httpx.Client, **params: str) -> dict:
    response = http.get("/ogc/collections/massnahmen/items", params={"limit": "1000", **params})
    assert response.status_code == 200, response.text
    return response.json()


# -- pages ---------------------------------------------------------------------------------


def test_quarter_project_map_page_counts_published_measures(
    http: httpx.Client, engine: Engine, demo_loaded: dict
) -> None:
    response = http.get(f"/maps/{HAMME}/massnahmen")
    assert response.status_code == 200, response.text
    html = response.text
    csp = response.headers["content-security-policy"]
    assert "style-src 'self';" in csp and "unsafe-inline" not in csp
    assert "<style" not in html and " style=" not in html
    assert re.search(r"<script>(?!</script>)", html) is None  # no inline script either
    total = sql_count(engine, f"m.published AND {IN_HAMME}")
    located = sql_count(engine, f"m.published AND m.geom IS NOT NULL AND {IN_HAMME}")
    assert total >= 20 and 0 < located < total  # the demo has measures without a place
    assert f'<span id="pm-total">{total}</span>' in html
    assert f'<span id="pm-located">{located}</span>' in html
    assert f'<span id="pm-unlocated">{total - located}</span>' in html
    assert "ohne Ort (nur in der Liste)" in html
    # Umsetzungsstand: counts per phase and status as SQL has them
    with engine.connect() as conn:
        phases = dict(
            conn.execute(
                text(
                    f"SELECT phase, count(*) FROM measure m WHERE m.published AND {IN_HAMME} "
                    "GROUP BY 1"
                )
            ).all()
        )
        started = conn.execute(
            text(
                f"SELECT count(*) FROM measure m WHERE m.published AND {IN_HAMME} AND "
                "m.phase = 'umsetzung' AND m.status NOT IN ('abgebrochen', 'erledigt')"
            )
        ).scalar_one()
    for phase in ("idee", "planung", "umsetzung", "abgeschlossen"):
        assert f'<td data-phase="{phase}">{phases.get(phase, 0)}</td>' in html
    assert f'<span id="impl-started">{started}</span>' in html
    summary = http.get(f"/api/quarters/{HAMME}/summary").json()["implementation"]
    assert summary["measures"] == total and summary["started"] == started
    assert f'<span id="impl-done">{summary["done"]}</span>' in html
    # a draft is not counted
    drafts = sql_count(engine, f"NOT m.published AND {IN_HAMME}")
    assert drafts >= 1 and f"{total + drafts} " not in html.split("pm-total")[0]


def test_cross_quarter_map_english_and_embed(
    http: httpx.Client, engine: Engine, demo_loaded: dict
) -> None:
    response = http.get("/maps/massnahmen?lang=en")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="en">' in html and "Project map" in html
    assert f'<span id="pm-total">{sql_count(engine, "m.published")}</span>' in html
    assert '<select id="f-quarter" name="quarter">' in html
    assert '<option value="bochum-hamme">' in html
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    embed = http.get(f"/embed/{HAMME}/massnahmen")
    assert embed.status_code == 200
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert 'id="full-map" href="/maps/bochum-hamme/massnahmen"' in embed.text
    assert 'class="pm mode-embed"' in embed.text
    assert http.get("/embed/massnahmen").status_code == 200


def test_unknown_quarter_is_a_german_and_english_404_page(http: httpx.Client) -> None:
    response = http.get("/maps/nirgendwo/massnahmen")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Das Quartier „nirgendwo“ gibt es nicht." in response.text
    english = http.get("/embed/nirgendwo/massnahmen?lang=en")
    assert english.status_code == 404 and "No quarter “nirgendwo”." in english.text


def test_quarter_map_sidebar_shows_umsetzungsstand_and_links_the_project_map(
    http: httpx.Client, engine: Engine, demo_loaded: dict
) -> None:
    html = http.get(f"/maps/{HAMME}").text
    total = sql_count(engine, f"m.published AND {IN_HAMME}")
    assert 'id="umsetzungsstand"' in html
    assert f"von {total} Maßnahmen gestartet oder erledigt" in html
    assert 'id="project-map-link" href="/maps/bochum-hamme/massnahmen"' in html
    english = http.get(f"/maps/{HAMME}?lang=en").text
    assert f"of {total} measures started or done" in english
    assert 'href="/maps/bochum-hamme/massnahmen?lang=en"' in english
    embed = http.get(f"/embed/{HAMME}").text  # the embed links the embeddable project map
    assert 'id="project-map-link" href="/embed/bochum-hamme/massnahmen"' in embed


# -- tiles ---------------------------------------------------------------------------------


def test_measure_tiles_hold_published_measures_with_a_place_only(
    http: httpx.Client, engine: Engine, programme: Programme
) -> None:
    x, y = programme.inside
    point = {"type": "Point", "coordinates": [x, y]}
    line = {"type": "LineString", "coordinates": [[x - 0.002, y], [x + 0.002, y + 0.001]]}
    area = {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + 0.001, y], [x + 0.001, y + 0.001], [x, y + 0.001], [x, y]]],
    }
    made = [
        create(http, programme, title="Kachel Punkt", geometry=point),
        create(http, programme, title="Kachel Linie", geometry=line, phase="umsetzung"),
        create(http, programme, title="Kachel Fläche", geometry=area),
    ]
    create(http, programme, title="Kachel Entwurf", geometry=point, published=False)
    create(http, programme, title="Kachel ohne Ort")
    z = 14
    tx, ty = tile_of(x, y, z)
    url = f"/tiles/massnahmen/{z}/{tx}/{ty}.mvt?quarter={programme.quarter}"
    response = http.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    features = mapbox_vector_tile.decode(response.content)["massnahmen"]["features"]
    titles = sorted(f["properties"]["title"] for f in features)
    assert titles == ["Kachel Fläche", "Kachel Linie", "Kachel Punkt"]
    where = (
        "m.published AND m.geom IS NOT NULL AND EXISTS (SELECT 1 FROM measure_quarter mq "
        "WHERE mq.measure_id = m.id AND mq.quarter_id = :q)"
    )
    assert len(features) == sql_count(engine, where, {"q": programme.quarter_id})
    types = {f["properties"]["title"]: f["geometry"]["type"] for f in features}
    assert types == {"Kachel Punkt": "Point", "Kachel Linie": "LineString",
                     "Kachel Fläche": "Polygon"}  # fmt: skip
    by_title = {f["properties"]["title"]: f["properties"] for f in features}
    line_props = by_title["Kachel Linie"]
    assert line_props["phase"] == "umsetzung" and line_props["id"] == made[1]["id"]
    # planners see the draft too (private cache)
    planner = http.get(url, headers=programme.auth())
    decoded = mapbox_vector_tile.decode(planner.content)["massnahmen"]["features"]
    assert len(decoded) == 4 and planner.headers["cache-control"].startswith("private")
    # ETag and 304, TileJSON, GeoJSON tiles
    etag = response.headers["etag"]
    assert http.get(url, headers={"If-None-Match": etag}).status_code == 304
    tj = http.get(f"/tiles/massnahmen/tilejson.json?quarter={programme.quarter}").json()
    assert tj["vector_layers"][0]["id"] == "massnahmen"
    assert "phase" in tj["vector_layers"][0]["fields"]
    geo = http.get(f"/tiles/massnahmen/{z}/{tx}/{ty}.geojson?quarter={programme.quarter}").json()
    assert sorted(f["properties"]["title"] for f in geo["features"]) == titles
    # the same tile through OGC API Tiles (WebMercatorQuad: matrix/row/col)
    ogc = http.get(
        f"/ogc/collections/massnahmen/tiles/WebMercatorQuad/{z}/{ty}/{tx}",
        params={"quarter": programme.quarter},
    )
    assert ogc.status_code == 200, ogc.text
    ogc_titles = [
        f["properties"]["title"]
        for f in mapbox_vector_tile.decode(ogc.content)["massnahmen"]["features"]
    ]
    assert sorted(ogc_titles) == titles
    sets = http.get("/ogc/collections/massnahmen/tiles").json()
    assert sets["tilesets"], sets
    # a write bumps the data version: the old ETag no longer matches
    create(http, programme, title="Kachel neu", geometry=point)
    again = http.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert len(mapbox_vector_tile.decode(again.content)["massnahmen"]["features"]) == 4


def test_hamme_tile_counts_equal_sql(http: httpx.Client, engine: Engine, demo_loaded: dict) -> None:
    with engine.connect() as conn:
        x0, y0, x1, y1 = conn.execute(
            text(
                "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (SELECT "
                "Box2D(boundary) b FROM quarter WHERE slug = 'bochum-hamme') s"
            )
        ).one()
    z = 13
    (ax, ay), (bx, by) = tile_of(x0, y1, z), tile_of(x1, y0, z)
    seen: dict[str, dict] = {}
    for tx in range(ax, bx + 1):
        for ty in range(ay, by + 1):
            response = http.get(f"/tiles/massnahmen/{z}/{tx}/{ty}.mvt?quarter={HAMME}")
            assert response.status_code in (200, 204)
            if response.status_code == 200:
                layer = mapbox_vector_tile.decode(response.content)["massnahmen"]
                seen.update({f["properties"]["id"]: f["properties"] for f in layer["features"]})
    assert len(seen) == sql_count(engine, f"m.published AND m.geom IS NOT NULL AND {IN_HAMME}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id FROM measure WHERE NOT published")).all()
    drafts = {str(r[0]) for r in rows}
    assert not drafts & set(seen)


def test_bad_tile_filters_are_refused(http: httpx.Client) -> None:
    assert_refusal(http.get("/tiles/massnahmen/14/1/1.mvt?kind=problem"), 400)
    assert_refusal(http.get("/tiles/massnahmen/14/1/1.mvt?status=published"), 401)


# -- queryables and CQL2 -------------------------------------------------------------------


def test_queryables_list_the_measure_properties(http: httpx.Client) -> None:
    response = http.get("/ogc/collections/massnahmen/queryables")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/schema+json")
    props = response.json()["properties"]
    for name in ("phase", "status", "progress", "dimension", "layer", "start_date", "end_date"):
        assert name in props, name
    assert props["phase"]["enum"] == ["idee", "planung", "umsetzung", "abgeschlossen"]
    assert props["dimension"]["type"] == "array"
    assert props["start_date"]["format"] == "date-time"
    collection = http.get("/ogc/collections/massnahmen").json()
    assert any(link["href"].endswith("/massnahmen/queryables") for link in collection["links"])


CASES = [
    ("phase = 'umsetzung'", "m.phase = 'umsetzung'"),
    ("status IN ('verzoegert', 'blockiert')", "m.status IN ('verzoegert', 'blockiert')"),
    ("dimension = 'ökologisch'", "'ökologisch' = ANY(m.dimensions)"),
    ("dimension <> 'sozial'", "NOT ('sozial' = ANY(m.dimensions))"),
    ("layer IN ('mobilitaet', 'umwelt')", "m.layer_ids && ARRAY['mobilitaet', 'umwelt']"),
    ("start_date >= DATE('2026-01-01')", "m.start_date >= DATE '2026-01-01'"),
    ("end_date < DATE('2027-01-01') OR end_date IS NULL",
     "(m.end_date < DATE '2027-01-01' OR m.end_date IS NULL)"),
    ("phase = 'planung' AND dimension = 'sozial'",
     "m.phase = 'planung' AND 'sozial' = ANY(m.dimensions)"),
]  # fmt: skip


@pytest.mark.parametrize(("cql", "sql"), CASES)
def test_cql2_filter_counts_equal_sql(
    http: httpx.Client, engine: Engine, demo_loaded: dict, cql: str, sql: str
) -> None:
    body = items(http, quarter=HAMME, filter=cql)
    expected = sql_count(engine, f"m.published AND m.geom IS NOT NULL AND {IN_HAMME} AND ({sql})")
    assert body["numberMatched"] == len(body["features"]) == expected, cql
    assert expected > 0, f"the demo has no case for {cql}"


def test_progress_filter_uses_the_shown_figure(http: httpx.Client, demo_loaded: dict) -> None:
    served = http.get(f"/api/measures?quarter={HAMME}&limit=1000").json()["items"]
    located = [m for m in served if m["geometry"] is not None]
    for cql, check in (
        ("progress >= 50", lambda v: v is not None and v >= 50),
        ("progress < 30", lambda v: v is not None and v < 30),
        ("progress IS NULL", lambda v: v is None),
    ):
        body = items(http, quarter=HAMME, filter=cql)
        want = {m["id"] for m in located if check(m["progress"])}
        assert {f["id"] for f in body["features"]} == want, cql


def test_progress_filter_on_a_parent_uses_the_weighted_mean(
    http: httpx.Client, programme: Programme
) -> None:
    x, y = programme.inside
    point = {"type": "Point", "coordinates": [x, y]}
    parent = create(http, programme, title="Fortschritt Familie", geometry=point)
    create(http, programme, title="F Teil 1", parent_id=parent["id"], progress=10, weight=3)
    create(http, programme, title="F Teil 2", parent_id=parent["id"], progress=90)
    # (3 * 10 + 90) / 4 = 30: the stored value of the parent is empty, its figure is 30
    hit = items(http, quarter=programme.quarter, filter="progress = 30")
    assert [f["properties"]["title"] for f in hit["features"]] == ["Fortschritt Familie"]
    assert hit["features"][0]["properties"]["progress_basis"] == "children"
    assert items(http, quarter=programme.quarter, filter="progress > 30")["numberMatched"] == 0


def test_cql2_json_and_drafts_stay_hidden(
    http: httpx.Client, engine: Engine, programme: Programme
) -> None:
    x, y = programme.inside
    point = {"type": "Point", "coordinates": [x, y]}
    create(http, programme, title="CQL sichtbar", geometry=point, phase="idee")
    create(http, programme, title="CQL Entwurf", geometry=point, phase="idee", published=False)
    tree = '{"op": "=", "args": [{"property": "phase"}, "idee"]}'
    body = items(http, quarter=programme.quarter, filter=tree, **{"filter-lang": "cql2-json"})
    assert [f["properties"]["title"] for f in body["features"]] == ["CQL sichtbar"]
    planner = http.get(
        "/ogc/collections/massnahmen/items",
        params={"quarter": programme.quarter, "filter": "phase = 'idee'"},
        headers=programme.auth(),
    ).json()
    seen = {f["properties"]["title"] for f in planner["features"]}
    assert seen == {"CQL sichtbar", "CQL Entwurf"}
    spatial = items(
        http,
        quarter=programme.quarter,
        filter=f"S_INTERSECTS(geometry, BBOX({x - 0.001}, {y - 0.001}, {x + 0.001}, {y + 0.001}))",
    )
    assert "CQL sichtbar" in {f["properties"]["title"] for f in spatial["features"]}


@pytest.mark.parametrize(
    ("cql", "extra"),
    [
        ("phase = ", {}),
        ("farbe = 'rot'", {}),
        ("dimension > 'a'", {}),
        ("dimension = 3", {}),
        ("progress = 'viel'", {}),
        ("phase = 'idee'", {"filter-lang": "sql"}),
        ("{not json", {"filter-lang": "cql2-json"}),
        ("", {}),
    ],
)
def test_bad_filters_are_400_in_german_and_english(
    http: httpx.Client, cql: str, extra: dict
) -> None:
    response = http.get("/ogc/collections/massnahmen/items", params={"filter": cql, **extra})
    body = assert_refusal(response, 400)
    assert body["code"] in ("invalid_filter", "invalid_filter-lang"), body


def test_a_layer_file_cannot_claim_the_built_in_measures_source() -> None:
    from pydantic import ValidationError

    from mapservice.catalog import Layer
    from mapservice.programme.layer import MEASURES_LAYER

    data = MEASURES_LAYER.model_dump(mode="json", exclude_none=True)
    with pytest.raises(ValidationError, match="built in"):
        Layer.model_validate(data, context={"file_stem": "massnahmen"})
    assert Layer.model_validate(data).id == "massnahmen"  # in code it is fine


def test_pmtiles_export_holds_published_measures_only(
    http: httpx.Client,
    engine: Engine,
    programme: Programme,
    database_url: str,
    data_dir,  # type: ignore[no-untyped-def]
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    import gzip

    from pmtiles.reader import MmapSource, all_tiles

    from tests.test_tiles_pmtiles import run_cli

    x, y = programme.inside
    point = {"type": "Point", "coordinates": [x, y]}
    create(http, programme, title="Archiv öffentlich", geometry=point)
    create(http, programme, title="Archiv Entwurf", geometry=point, published=False)
    out = tmp_path / "programm.pmtiles"
    result = run_cli(
        ["export-pmtiles", programme.quarter, "--out", str(out), "--max-zoom", "14"],
        database_url,
        data_dir,
    )
    assert result.exit_code == 0, result.output
    titles: set[str] = set()
    with out.open("rb") as f:
        for _, data in all_tiles(MmapSource(f)):
            layers = mapbox_vector_tile.decode(gzip.decompress(data))
            for feature in layers.get("massnahmen", {}).get("features", []):
                titles.add(feature["properties"]["title"])
    assert "Archiv öffentlich" in titles and "Archiv Entwurf" not in titles
