"""The field app's shell over HTTP: page, service worker, manifest, catalogue, static files.

The browser behaviour (offline, sync, track) is in ``test_fieldapp_browser.py``; these tests
check what the phone receives before any script runs.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import httpx

from mapservice.fieldapp.shell import STATIC_DIR


def _config(html: str) -> dict:
    found = re.search(r'<script id="karte-config" type="application/json">(.*?)</script>', html)
    assert found, "the page embeds its configuration"
    return json.loads(found.group(1))


def test_page_is_german_and_loads_only_our_own_files(http: httpx.Client) -> None:
    response = http.get("/erfassen")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    html = response.text
    assert '<html lang="de">' in html
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/"), f"{url} must be served by us (no CDN)"
    config = _config(html)
    assert config["vendor"]["leaflet_js"].startswith("/assets/leaflet@")
    assert http.get("/erfassen/").status_code == 200


class _Controls(HTMLParser):
    """Collects form controls and whether each has a label (wrapping or ``for``)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside how many <label> elements
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "label":
            self.depth += 1
            if values.get("for"):
                self.label_for.add(str(values["for"]))
        elif tag in ("input", "select", "textarea"):
            self.controls.append((str(values.get("id") or values.get("name")), self.depth > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.depth -= 1


def test_every_control_has_a_label(http: httpx.Client) -> None:
    parser = _Controls()
    parser.feed(http.get("/erfassen").text)
    assert len(parser.controls) > 10
    for ident, wrapped in parser.controls:
        assert wrapped or ident in parser.label_for, f"control {ident} has no label"


def test_service_worker_controls_the_page_and_precaches_the_shell(http: httpx.Client) -> None:
    page = _config(http.get("/erfassen").text)
    response = http.get("/erfassen/sw.js")
    assert response.status_code == 200
    assert response.headers["service-worker-allowed"] == "/erfassen"
    assert response.headers["content-type"].startswith("text/javascript")
    first = response.text.splitlines()[0]
    shell = json.loads(first.removeprefix("const SHELL = ").removesuffix(";"))
    assert shell["version"] == page["version"]
    assert "/erfassen" in shell["precache"]
    assert page["vendor"]["leaflet_js"] in shell["precache"]
    assert f"/erfassen/v/{page['version']}/app.js" in shell["precache"]
    assert set(shell["data"]) == {"/erfassen/catalog.json", "/api/quarters"}
    for url in shell["precache"]:
        if url.startswith("/erfassen"):
            assert http.get(url).status_code == 200, url


def test_static_files_are_versioned_and_immutable(http: httpx.Client) -> None:
    version = _config(http.get("/erfassen").text)["version"]
    response = http.get(f"/erfassen/v/{version}/sync.js")
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    assert response.content == (STATIC_DIR / "sync.js").read_bytes()
    stale = http.get("/erfassen/v/0000/sync.js")
    assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"
    missing = http.get(f"/erfassen/v/{version}/secrets.py")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert http.get(f"/erfassen/v/{version}/..%2F__init__.py").status_code == 404


def test_catalogue_lists_observation_layers_and_the_four_kinds(http: httpx.Client) -> None:
    body = http.get("/erfassen/catalog.json").json()
    kinds = {k["id"]: k for k in body["kinds"]}
    assert kinds["strength"]["color"] == "#009E73" and kinds["strength"]["de"] == "Stärke"
    assert kinds["problem"]["color"] == "#D55E00"
    assert kinds["potential"]["color"] == "#E69F00" and kinds["potential"]["en"] == "Potential"
    assert kinds["idea"]["color"] == "#0072B2" and kinds["idea"]["symbol"] == "lightbulb"
    ids = {layer["id"] for layer in body["layers"]}
    assert "mobilitaet" in ids and "gruen-freiraum" in ids
    assert "aussagen" not in ids and "referenz-schulen" not in ids  # not observation layers
    mobility = next(layer for layer in body["layers"] if layer["id"] == "mobilitaet")
    assert mobility["title_de"] and mobility["title_en"] and "Point" in mobility["geometry_types"]


def test_manifest_makes_the_app_installable(http: httpx.Client) -> None:
    response = http.get("/erfassen/manifest.webmanifest")
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["start_url"] == "/erfassen" and manifest["display"] == "standalone"
    assert http.get(manifest["icons"][0]["src"]).status_code == 200


def test_shell_stays_small() -> None:
    """Why a budget: the first visit may be on a weak connection in the street."""
    own = sum(p.stat().st_size for p in STATIC_DIR.iterdir() if p.is_file())
    # 120 KB until the team view, the walk end and the hand-drawn area checks came (issue 18);
    # about 42 KB when compressed with gzip.
    assert own < 135_000, f"own static files are {own} bytes"
    for path in STATIC_DIR.glob("*.js"):
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 400, f"{path.name} has {lines} lines; split it"
