"""``karte render --pmtiles``: the static export reads its tiles from one PMTiles archive.

Served by a plain web server that answers range requests (as nginx or a CDN do), opened in
Debian's Chromium: the same markers as the folder export, popups, and nothing but range
requests against data/tiles.pmtiles. The archive is read back with the ``pmtiles`` reader.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import http.server
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import mapbox_vector_tile
import pytest
from pmtiles.reader import MmapSource, Reader, all_tiles
from sqlalchemy import Engine
from typer.testing import CliRunner

from mapservice.catalog import load_catalog
from mapservice.cli import app
from mapservice.db.cluster import free_port
from mapservice.maps.export import run_export
from tests.browser.helpers import drawn, settle
from tests.browser.mapdata import DRAFT_TITLE, KNOWN_TITLE, MapQuarter, ensure_map_quarter


@pytest.fixture()
def mq(engine: Engine) -> MapQuarter:
    return ensure_map_quarter(engine)


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with ``Range: bytes=a-b`` answered by 206, as every real web server does."""

    ranges: ClassVar[list[str]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        wanted = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        if not wanted or not path.is_file():
            return super().send_head()
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", wanted.strip())
        size = path.stat().st_size
        if match is None:
            self.send_error(416)
            return None
        start = int(match.group(1))
        end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
        with path.open("rb") as f:
            f.seek(start)
            body = f.read(end - start + 1)
        self.ranges.append(f"{path.name} {start}-{end}")
        self.send_response(206)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.wfile.write(body)
        return None


class RangeSite:
    def __init__(self, folder: Path) -> None:
        handler = functools.partial(RangeHandler, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RangeSite:
        RangeHandler.ranges = []
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _export(settings: Any, engine: Any, slug: str, out: Path) -> None:
    export = run_export(
        settings, engine, load_catalog(settings.layers_dir), slug, out, pmtiles=True
    )
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API owns this thread's event loop
        pool.submit(asyncio.run, export).result()


def test_the_static_export_reads_one_pmtiles_archive(
    make_page, settings, engine, mq, tmp_path
) -> None:
    out = tmp_path / "site"
    _export(settings, engine, mq.slug, out)
    archive = out / "data" / "tiles.pmtiles"
    assert archive.is_file() and not (out / "data" / "tiles").exists()
    assert "Range-Anfragen" in (out / "README.txt").read_text(encoding="utf-8")
    # read back: MVT tiles, gzip, the quarter's public layers; no draft or rejected entry
    with archive.open("rb") as f:
        reader = Reader(MmapSource(f))
        assert reader.header()["tile_type"].name == "MVT"
        titles: set[str] = set()
        for _, data in all_tiles(reader.get_bytes):
            for layer in mapbox_vector_tile.decode(gzip.decompress(data)).values():
                titles.update(str(f["properties"].get("title", "")) for f in layer["features"])
    assert KNOWN_TITLE in titles
    assert DRAFT_TITLE not in titles

    with RangeSite(out) as site:
        watched = make_page(extra_hosts={urlsplit(site.url).netloc})
        page = watched.page
        page.goto(f"{site.url}/index.html?list=1")
        stats = settle(page)
        page.wait_for_selector("#list[data-rows]")
        assert drawn(stats) == int(page.locator("#list").get_attribute("data-rows"))
        page.locator(f'.leaflet-marker-icon[title="{KNOWN_TITLE}"]').click()
        assert "Problem · Mobilität" in page.locator(".leaflet-popup-content").last.inner_text()
        assert RangeHandler.ranges and all(
            r.startswith("tiles.pmtiles ") for r in RangeHandler.ranges
        )
        assert watched.console_errors == []


def test_karte_render_pmtiles_on_the_command_line(
    database_url: str, data_dir: Path, mq, tmp_path: Path
) -> None:
    out = tmp_path / "cli-site"
    env = {**os.environ, "KARTE_DATABASE_URL": database_url, "KARTE_DATA_DIR": str(data_dir)}
    args = ["render", mq.slug, "--out", str(out), "--pmtiles"]
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(CliRunner().invoke, app, args, env=env).result()
    assert result.exit_code == 0, result.output
    assert "Export fertig" in result.output
    html = (out / "index.html").read_text(encoding="utf-8")
    assert '<script type="importmap">' in html and "karte-pmtiles.js" in html
    assert (out / "data" / "tiles.pmtiles").stat().st_size > 1000
