"""``karte export-pmtiles``: the public layers as a PMTiles v3 archive, equal to live /tiles.

Read back with the ``pmtiles`` reader, tiles decoded with mapbox-vector-tile and compared
feature by feature with what the running service answers the public for the same address;
the draft entry of the test quarter must be in neither.
"""

from __future__ import annotations

import gzip
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import mapbox_vector_tile
import pytest
from pmtiles.reader import MmapSource, Reader, all_tiles
from pmtiles.tile import Compression, TileType
from sqlalchemy import Engine
from typer.testing import CliRunner

from mapservice.cli import app
from tests.browser.mapdata import DRAFT_TITLE, KNOWN_TITLE, MapQuarter, ensure_map_quarter
from tests.conftest import LiveServer
from tests.test_trust_quarters import _karte_process as karte_process


def run_cli(args: list[str], database_url: str, data_dir: Path):  # type: ignore[no-untyped-def]
    env = {"KARTE_DATABASE_URL": database_url, "KARTE_DATA_DIR": str(data_dir)}
    # in a worker thread: another module's Playwright may keep an event loop in this one
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(CliRunner().invoke, app, args, env=env).result()


@pytest.fixture(scope="module")
def archive(
    engine: Engine, database_url: str, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, MapQuarter]:
    mq = ensure_map_quarter(engine)
    out = tmp_path_factory.mktemp("pmtiles") / "quartier.pmtiles"
    result = run_cli(
        ["export-pmtiles", mq.slug, "--out", str(out), "--max-zoom", "16"], database_url, data_dir
    )
    assert result.exit_code == 0, result.output
    assert "PMTiles fertig" in result.output
    return out, mq


def decode(data: bytes) -> dict:
    return mapbox_vector_tile.decode(gzip.decompress(data))


def test_the_archive_is_pmtiles_v3_with_vector_layers(archive) -> None:  # type: ignore[no-untyped-def]
    path, mq = archive
    with path.open("rb") as f:
        reader = Reader(MmapSource(f))
        header, metadata = reader.header(), reader.metadata()
        assert header["tile_type"] == TileType.MVT
        assert header["tile_compression"] == Compression.GZIP
        assert header["max_zoom"] <= 16 and header["min_zoom"] >= 0
        lon = (header["min_lon_e7"] + header["max_lon_e7"]) / 2e7
        assert 12.37 < lon < 12.377  # the Leipzig test quarter
    ids = {layer["id"] for layer in metadata["vector_layers"]}
    assert {"mobilitaet", "gruen-freiraum"} <= ids
    mobility = next(la for la in metadata["vector_layers"] if la["id"] == "mobilitaet")
    assert "title" in mobility["fields"] and "kind" in mobility["fields"]
    assert json.loads(metadata["karte"])["quarter"] == mq.slug


def test_every_tile_equals_the_live_public_tile_and_holds_no_draft(
    archive, live_server: LiveServer
) -> None:  # type: ignore[no-untyped-def]
    path, mq = archive
    titles: set[str] = set()
    compared = 0
    with path.open("rb") as f, httpx.Client(base_url=live_server.url, timeout=30) as http:
        for (z, x, y), data in all_tiles(MmapSource(f)):
            layers = decode(data)
            for layer_id, layer in layers.items():
                live = http.get(f"/tiles/{layer_id}/{z}/{x}/{y}.mvt", params={"quarter": mq.slug})
                assert live.status_code == 200, (layer_id, z, x, y, live.status_code)
                expected = mapbox_vector_tile.decode(live.content)[layer_id]["features"]
                got = layer["features"]
                key = lambda f: (json.dumps(f["properties"], sort_keys=True), str(f["geometry"]))  # noqa: E731
                assert sorted(map(key, got)) == sorted(map(key, expected)), (layer_id, z, x, y)
                compared += 1
                titles.update(f["properties"].get("title", "") for f in got)
    assert compared >= 10
    assert KNOWN_TITLE in titles, "a published entry is in the archive"
    assert DRAFT_TITLE not in titles, "a draft never is"


def test_per_layer_archives_and_bad_calls(
    engine: Engine, database_url: str, data_dir: Path, tmp_path: Path
) -> None:
    mq = ensure_map_quarter(engine)
    folder = tmp_path / "ebenen"
    args = ["export-pmtiles", mq.slug, "--out", str(folder), "--per-layer", "--max-zoom", "14"]
    result = run_cli(args, database_url, data_dir)
    assert result.exit_code == 0, result.output
    names = {p.name for p in folder.glob("*.pmtiles")}
    assert {"mobilitaet.pmtiles", "gruen-freiraum.pmtiles"} <= names
    with (folder / "mobilitaet.pmtiles").open("rb") as f:
        only = {layer for _, data in all_tiles(MmapSource(f)) for layer in decode(data)}
    assert only == {"mobilitaet"}

    unknown = karte_process(database_url, "export-pmtiles", "nirgendwo",
                            "--out", str(tmp_path / "x.pmtiles"))  # fmt: skip
    output = unknown.stdout + unknown.stderr
    assert unknown.returncode == 1 and "Traceback" not in output
    assert "gibt es nicht" in output and "No quarter" in output
    assert not (tmp_path / "x.pmtiles").exists()
    both = karte_process(database_url, "export-pmtiles", mq.slug, "--all",
                         "--out", str(tmp_path / "y.pmtiles"))  # fmt: skip
    assert both.returncode == 1 and "--all" in both.stdout + both.stderr
