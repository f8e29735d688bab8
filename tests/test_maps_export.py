"""``karte render QUARTER --out DIR``: a self-contained static site of a quarter map."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from mapservice.catalog import load_catalog
from mapservice.cli import app
from mapservice.maps.export import zooms
from mapservice.tiles.grid import tiles_for
from tests.browser.mapdata import MapQuarter, ensure_map_quarter


@pytest.fixture(scope="module")
def exported(
    engine: Engine, database_url: str, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, MapQuarter]:
    mq = ensure_map_quarter(engine)
    out = tmp_path_factory.mktemp("site")
    env = {"KARTE_DATABASE_URL": database_url, "KARTE_DATA_DIR": str(data_dir)}
    # in a worker thread: another module's Playwright may keep an event loop in this one
    with ThreadPoolExecutor(1) as pool:
        args = ["render", mq.slug, "--out", str(out)]
        result = pool.submit(CliRunner().invoke, app, args, env=env).result()
    assert result.exit_code == 0, result.output
    assert "Export fertig" in result.output
    return out, mq


def test_export_writes_both_languages_with_relative_self_hosted_assets(exported) -> None:
    out, mq = exported
    for name, lang in (("index.html", "de"), ("en.html", "en")):
        html = (out / name).read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in html and len(html.encode()) < 100_000
        assert mq.name in html
        urls = re.findall(r'(?:src|href)="([^"]+)"', html)
        assets = [u for u in urls if u.startswith("assets/")]
        assert len(assets) >= 8
        for url in assets:
            assert (out / url).is_file(), f"{url} is referenced but not exported"
        assert not [u for u in urls if u.startswith("/")], "no server-root URLs in a static site"
    assert (out / "README.txt").is_file()
    assert (out / "assets/fontawesome-free@6.7.2/webfonts/fa-solid-900.woff2").is_file()


def test_export_has_every_tile_the_client_can_ask_for(exported) -> None:
    out, _ = exported
    html = (out / "index.html").read_text(encoding="utf-8")
    config = json.loads(re.search(r'id="karte-config">(.*?)</script>', html).group(1))
    bbox = tuple(config["quarter"]["bbox"])
    assert config["static"] is True
    for layer in load_catalog():
        for z in zooms(layer):
            for tile in tiles_for(bbox, z):
                path = out / "data/tiles" / layer.id / str(z) / str(tile.x) / f"{tile.y}.geojson"
                assert path.is_file(), path
    sample = out / "data/tiles/mobilitaet/16"
    features = []
    for path in sample.rglob("*.geojson"):
        features += json.loads(path.read_text())["features"]
    titles = {f["properties"]["title"] for f in features}
    assert "Gehweg an der Amtsstraße zugeparkt" in titles
    assert "Entwurf: Ampel zu kurz" not in titles, "a static site is public: no drafts"


def test_export_list_holds_the_published_items(exported) -> None:
    out, mq = exported
    data = json.loads((out / "data/list.json").read_text(encoding="utf-8"))
    per_layer: dict[str, int] = {}
    for row in data["rows"]:
        per_layer[row["layer"]] = per_layer.get(row["layer"], 0) + 1
    assert per_layer == mq.published
