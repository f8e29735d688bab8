"""The app shell of the field app: its files, their version, and what the service worker keeps.

Why a "shell": a field team opens ``/erfassen`` once with reception; after that the page, its
scripts, Leaflet and the layer catalogue must load with none. The service worker precaches
exactly the URLs listed here, under a cache named after ``version`` — a hash of every file
that can change what the phone runs. A new deployment changes the hash, which changes
``sw.js``, which makes the browser install the new worker and drop the old cache.

Vendor files (Leaflet) are never copied: their URLs come from :mod:`mapservice.assets`, the one
place that serves self-hosted npm packages, so the field app and the map pages share them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from mapservice.assets import AssetStore
from mapservice.catalog import Catalog, Kind, LayerSource
from mapservice.config import Settings

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATES = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
)

BASE = "/erfassen"
#: Our own files that may be served; anything else under /erfassen/v/ is a 404.
STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
#: The service worker itself is served at /erfassen/sw.js, not as a static file.
WORKER_FILE = "sw.js"
#: Vendor files the page loads (logical names of ``mapservice.assets.FILES``).
VENDOR = {"leaflet_js": "leaflet.js", "leaflet_css": "leaflet.css"}
#: JSON the app needs offline; cached by the worker as stale-while-revalidate.
DATA_URLS = (f"{BASE}/catalog.json", "/api/quarters")


@dataclass(frozen=True)
class Shell:
    """Everything ``/erfassen`` serves that does not come from the database."""

    version: str
    files: dict[str, bytes]
    vendor: dict[str, str]
    basemap: dict[str, str]
    worker_source: str
    precache: list[str] = field(default_factory=list)

    def static_url(self, name: str) -> str:
        return f"{BASE}/v/{self.version}/{name}"

    @property
    def config(self) -> dict[str, Any]:
        """What the page script needs to know, embedded as JSON in the HTML."""
        return {
            "version": self.version,
            "base": BASE,
            "static": f"{BASE}/v/{self.version}/",
            "vendor": self.vendor,
            "basemap": self.basemap,
        }

    def html(self) -> str:
        return TEMPLATES.get_template("index.html").render(
            config=json.dumps(self.config, ensure_ascii=False),
            css=self.static_url("app.css"),
            js=self.static_url("app.js"),
            icon=self.static_url("icon.svg"),
            vendor=self.vendor,
            manifest=f"{BASE}/manifest.webmanifest",
        )

    def worker(self) -> str:
        """``sw.js`` with its settings in front: a changed shell gives a byte-different worker."""
        settings = {
            "version": self.version,
            "shell": BASE,
            "precache": self.precache,
            "data": list(DATA_URLS),
        }
        return f"const SHELL = {json.dumps(settings)};\n{self.worker_source}"


def build_shell(settings: Settings, assets: AssetStore | None = None) -> Shell:
    """Read the static files once and derive the version from their bytes and the vendor URLs."""
    assets = assets or AssetStore.discover()
    vendor = {key: assets.url(name) for key, name in VENDOR.items()}
    basemap = {"url": settings.basemap_url, "attribution": settings.basemap_attribution}
    files = {
        path.name: path.read_bytes()
        for path in sorted(STATIC_DIR.iterdir())
        if path.suffix in STATIC_TYPES and path.name != WORKER_FILE
    }
    digest = hashlib.sha256()
    for name, data in files.items():
        digest.update(name.encode() + b"\0" + data)
    worker_source = (STATIC_DIR / WORKER_FILE).read_text(encoding="utf-8")
    template = (HERE / "templates" / "index.html").read_bytes()
    for extra in (worker_source.encode(), template, json.dumps([vendor, basemap]).encode()):
        digest.update(extra)
    version = digest.hexdigest()[:12]
    shell = Shell(version, files, vendor, basemap, worker_source)
    shell.precache.extend(
        [BASE, f"{BASE}/manifest.webmanifest", *map(shell.static_url, files), *vendor.values()]
    )
    return shell


def catalog_payload(catalog: Catalog) -> dict[str, Any]:
    """The observation layers and the four kinds, in both languages (the phone switches)."""
    layers = catalog.of_source(LayerSource.OBSERVATIONS)
    first = layers[0] if layers else None
    kinds = []
    for kind in Kind:
        legend = first.legend.get(kind.value) if first else None
        kinds.append(
            {
                "id": kind.value,
                "de": kind.label("de"),
                "en": kind.label("en"),
                "color": first.style.color_for(kind) if first else "#555555",
                "symbol": legend.symbol if legend else None,
            }
        )
    return {
        "kinds": kinds,
        "layers": [
            {
                "id": layer.id,
                "title_de": layer.title("de"),
                "title_en": layer.title("en"),
                "dimension": layer.dimension.value,
                "dimension_de": layer.dimension.label("de"),
                "dimension_en": layer.dimension.label("en"),
                "icon": layer.icon,
                "geometry_types": [str(t) for t in layer.geometry_types],
            }
            for layer in layers
        ],
    }


def manifest(shell: Shell) -> dict[str, Any]:
    """Web app manifest: lets a phone put the app on the home screen and open it full-screen."""
    return {
        "name": "Karte der Nachhaltigkeit – Erfassen",
        "short_name": "Erfassen",
        "lang": "de",
        "start_url": BASE,
        "scope": BASE,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0072B2",
        "icons": [
            {"src": shell.static_url("icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
