"""SDG tags (issue 15): the goals file, every layer's goals, bad numbers, OGC property/filter.

The OGC answers are compared with SQL counts over the same visible rows: a layer's goals
hold for all its features, so ``sdg = 11`` keeps a layer's published features or none.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from mapservice.catalog import CatalogError, default_layers_dir, load_catalog
from mapservice.catalog.sdg import goals, sdg_file
from tests.test_tiles_seed import World, seed

BOX = (8.91, 52.91, 8.95, 52.95)
LAYER = "mobilitaet"  # sdg = [3, 11, 13]


@pytest.fixture(scope="module")
def world(engine: Engine) -> World:
    return seed(engine, "sdgtest", BOX, LAYER)


def published(engine: Engine, world: World, layer: str = LAYER) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM observation o JOIN quarter q ON q.id = o.quarter_id "
                    "WHERE q.slug = :q AND o.layer_id = :l AND o.status = 'published'"
                ),
                {"q": world.quarter, "l": layer},
            ).scalar_one()
        )


def matched(http: httpx.Client, world: World, layer: str = LAYER, **params: str) -> int:
    r = http.get(
        f"/ogc/collections/{layer}/items",
        params={"quarter": world.quarter, "limit": "10000", **params},
    )
    assert r.status_code == 200, r.text[:300]
    body = r.json()
    assert body["numberReturned"] == len(body["features"])
    return int(body["numberReturned"])


def test_the_file_has_exactly_the_17_goals_with_german_and_english_titles() -> None:
    with sdg_file().open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["number"]) for r in rows] == list(range(1, 18))
    assert len(goals()) == 17
    assert goals()[1].title("de") == "Keine Armut"
    assert goals()[11].title("de") == "Nachhaltige Städte und Gemeinden"
    assert goals()[13].title("de") == "Maßnahmen zum Klimaschutz"
    assert goals()[16].title("en") == "Peace, justice and strong institutions"
    assert goals()[17].title("de") == "Partnerschaften zur Erreichung der Ziele"
    assert all(g.title_de and g.title_en and g.colour.startswith("#") for g in goals().values())


def test_every_layer_file_declares_valid_goals() -> None:
    catalog = load_catalog()
    for path in sorted(default_layers_dir().glob("*.toml")):
        assert "\nsdg = [" in path.read_text(encoding="utf-8"), path.name
    for layer in catalog:
        assert layer.sdg, layer.id
        assert all(1 <= n <= 17 for n in layer.sdg), layer.id
    assert catalog.get("bildung").sdg == (4,)
    assert 11 in catalog.get("mobilitaet").sdg


@pytest.mark.parametrize(
    ("line", "de", "en"),
    [
        ("sdg = [11, 18]", "18 ist kein Nachhaltigkeitsziel (SDG); erlaubt sind die Nummern 1 "
         "bis 17", "18 is not a Sustainable Development Goal (SDG); allowed are the numbers 1 "
         "to 17"),
        ("sdg = [0]", "0 ist kein Nachhaltigkeitsziel", "0 is not a Sustainable Development"),
        ('sdg = ["11"]', '"11" passt nicht, erwartet wird eine ganze Zahl',
         '"11" does not fit, expected a whole number'),
        ("sdg = [11, 11]", "enthält doppelt: 11", "lists twice: 11"),
        ("", 'Feld "sdg": fehlt', 'field "sdg": is missing'),
    ],
)  # fmt: skip
def test_a_bad_goal_in_a_layer_file_is_a_clear_error(
    tmp_path: Path, line: str, de: str, en: str
) -> None:
    folder = tmp_path / "layers"
    folder.mkdir()
    for path in default_layers_dir().glob("*.toml"):
        shutil.copy(path, folder)
    umwelt = folder / "umwelt.toml"
    lines = umwelt.read_text(encoding="utf-8").splitlines()
    lines = [line if row.startswith("sdg = ") else row for row in lines]
    umwelt.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    error = caught.value
    assert len(error.problems) == 1
    assert error.problems[0].file == "layers/umwelt.toml"
    assert error.problems[0].field in ("sdg", "sdg[0]")
    assert de in error.message_de, error.message_de
    assert en in error.message_en, error.message_en


def test_items_carry_the_layer_goals_and_the_filter_equals_sql(
    http: httpx.Client, world: World, engine: Engine
) -> None:
    r = http.get(f"/ogc/collections/{LAYER}/items", params={"quarter": world.quarter, "limit": 5})
    features = r.json()["features"]
    assert features and all(f["properties"]["sdg"] == [3, 11, 13] for f in features)
    one = http.get(f"/ogc/collections/{LAYER}/items/{world.published_point}").json()
    assert one["properties"]["sdg"] == [3, 11, 13]
    everything = published(engine, world)
    assert everything > 100
    assert matched(http, world) == everything
    assert matched(http, world, sdg="11") == everything
    assert matched(http, world, sdg="4") == 0
    assert matched(http, world, filter="sdg = 13") == everything
    assert matched(http, world, filter="sdg <> 13") == 0
    assert matched(http, world, filter="sdg IN (4, 13)") == everything
    assert matched(http, world, filter="sdg IN (1, 2)") == 0
    assert matched(http, world, filter="A_CONTAINS(sdg, (3, 11))") == everything
    assert matched(http, world, filter="A_CONTAINS(sdg, (3, 4))") == 0
    assert matched(http, world, filter="A_OVERLAPS(sdg, (4, 3))") == everything
    assert matched(http, world, filter="A_EQUALS(sdg, (13, 3, 11))") == everything
    assert matched(http, world, filter="A_CONTAINEDBY(sdg, (3, 11))") == 0
    problems = published(engine, world) and matched(http, world, kind="problem")
    assert matched(http, world, filter="sdg = 11 AND kind = 'problem'") == problems
    # reference data: the Kita layer is SDG 4 only
    assert matched(http, world, "referenz-kitas", sdg="4") >= 1
    assert matched(http, world, "referenz-kitas", sdg="11") == 0


@pytest.mark.parametrize(
    ("params", "de", "en"),
    [
        ({"sdg": "18"}, "ist kein Nachhaltigkeitsziel", "is not a Sustainable Development Goal"),
        ({"sdg": "elf"}, "1 bis 17", "1 to 17"),
        ({"filter": "sdg > 3"}, "sdg ist eine Liste", "sdg is a list"),
        ({"filter": "sdg = 3.5"}, "keine ganze Zahl", "not a whole number"),
        ({"filter": "A_CONTAINS(sdg, ('x'))"}, "keine ganze Zahl", "not a whole number"),
    ],
)
def test_bad_sdg_filters_are_400_in_both_languages(
    http: httpx.Client, world: World, params: dict[str, str], de: str, en: str
) -> None:
    r = http.get(f"/ogc/collections/{LAYER}/items", params={"quarter": world.quarter, **params})
    assert r.status_code == 400, r.text
    body = r.json()
    assert de in body["message_de"] and en in body["message_en"], body


def test_queryables_and_collection_metadata_name_the_goals(http: httpx.Client) -> None:
    q = http.get(f"/ogc/collections/{LAYER}/queryables").json()
    assert q["properties"]["sdg"]["type"] == "array"
    assert q["properties"]["sdg"]["items"] == {"type": "integer", "minimum": 1, "maximum": 17}
    doc = http.get(f"/ogc/collections/{LAYER}").json()
    assert [g["goal"] for g in doc["sdg"]] == [3, 11, 13]
    assert doc["sdg"][1]["title_de"] == "Nachhaltige Städte und Gemeinden"
    assert "SDG 11" in doc["keywords"]
    listed = http.get("/ogc/collections", params={"sdg": "4"}).json()["collections"]
    ids = {c["id"] for c in listed}
    catalog = load_catalog()
    assert ids == {layer.id for layer in catalog if layer.public and 4 in layer.sdg}
    assert "bildung" in ids and LAYER not in ids
    bad = http.get("/ogc/collections", params={"sdg": "0"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_sdg"


def test_the_map_filters_layers_by_goal_and_shows_the_goals_in_its_legend(
    http: httpx.Client, world: World
) -> None:
    page = http.get(f"/maps/{world.quarter}")
    assert page.status_code == 200
    assert "Nachhaltigkeitsziele (SDG)" in page.text
    assert "SDG 11 Nachhaltige Städte und Gemeinden" in page.text
    assert 'id="ly-mobilitaet"' in page.text and 'id="ly-bildung"' in page.text
    four = http.get(f"/maps/{world.quarter}", params={"sdg": "4"})
    assert four.status_code == 200
    shown = {layer.id for layer in load_catalog() if f'id="ly-{layer.id}"' in four.text}
    assert shown == {layer.id for layer in load_catalog() if layer.public and 4 in layer.sdg}
    assert "mobilitaet" not in shown and "bildung" in shown
    assert '<option value="4" selected>' in four.text
    assert '"sdg": 4' in four.text or '"sdg":4' in four.text  # the client keeps it in links
    embed = http.get(f"/embed/{world.quarter}", params={"sdg": "13", "lang": "en"})
    assert embed.status_code == 200 and 'id="ly-umwelt"' in embed.text
    assert 'id="ly-bildung"' not in embed.text
    assert "SDG 13 Climate action" in embed.text
    for lang, words in (("de", "ist kein Nachhaltigkeitsziel"), ("en", "is not a Sustainable")):
        bad = http.get(f"/maps/{world.quarter}", params={"sdg": "18", "lang": lang})
        assert bad.status_code == 400
        assert bad.headers["content-type"].startswith("text/html")
        assert words in bad.text
    assert http.get(f"/maps/{world.quarter}", params={"sdg": ""}).status_code == 200
