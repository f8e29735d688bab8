"""Self-hosted front-end assets: Leaflet, its plugins and the icon font, served under /assets.

Why: a German municipal site may not make its visitors' browsers talk to a third-party CDN
(DSGVO), so every script, style sheet and font a map page loads comes from this service.
The files are not committed: ``scripts/setup.sh`` installs the exact versions pinned in
``package.json`` / ``package-lock.json`` with ``npm ci`` into ``node_modules/``, and this
module serves a whitelist of them (never the whole folder) at versioned, immutable URLs::

    /assets/leaflet@1.9.4/dist/leaflet.js
    /assets/karte@3f2a9c1e/karte-map.js      # our own files, versioned by content hash

``KARTE_ASSETS_DIR`` points at another ``node_modules`` (e.g. in a container image); it is
read when the store is built, never at import time. The static export copies the same
whitelist next to its HTML (``AssetStore.export``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import cached_property
from pathlib import Path

from mapservice.config import REPO_ROOT
from mapservice.errors import KarteError

STATIC_DIR = Path(__file__).resolve().parent / "static"
OWN = "karte"

#: Per npm package: the files we serve (glob patterns relative to the package folder).
SERVED: dict[str, tuple[str, ...]] = {
    "leaflet": ("dist/leaflet.js", "dist/leaflet.css", "dist/images/*.png"),
    "leaflet.fullscreen": ("Control.FullScreen.js", "Control.FullScreen.css", "*.svg"),
    "leaflet.locatecontrol": ("dist/L.Control.Locate.min.js", "dist/L.Control.Locate.min.css"),
    "leaflet.heat": ("dist/leaflet-heat.js", "LICENSE"),  # the maps' heatmap view (issue 15)
    "@fortawesome/fontawesome-free": (
        "css/fontawesome.min.css",
        "css/solid.min.css",
        "webfonts/fa-solid-900.woff2",
        "webfonts/fa-solid-900.ttf",
        "LICENSE.txt",
    ),
    # the static export read from one PMTiles archive (karte render --pmtiles): the archive
    # reader (a classic script) and the MVT decoder (ES modules, through an import map)
    "pmtiles": ("dist/pmtiles.js",),
    "@mapbox/vector-tile": ("index.js", "LICENSE.txt"),
    "@mapbox/point-geometry": ("index.js", "LICENSE"),
    "pbf": ("index.js", "LICENSE"),
    # the API documentation at /docs (mapservice/api/docs.py): no CDN there either
    "swagger-ui-dist": ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"),
}

#: Needed by /docs only: a map page (and the static export, which has no API) works without
#: them, so a tree where they are not installed yet still serves its maps.
DOCS_PACKAGES = ("swagger-ui-dist",)

#: Logical names used by the page builders → (package, file).
FILES: dict[str, tuple[str, str]] = {
    "leaflet.js": ("leaflet", "dist/leaflet.js"),
    "leaflet.css": ("leaflet", "dist/leaflet.css"),
    "fullscreen.js": ("leaflet.fullscreen", "Control.FullScreen.js"),
    "fullscreen.css": ("leaflet.fullscreen", "Control.FullScreen.css"),
    "locate.js": ("leaflet.locatecontrol", "dist/L.Control.Locate.min.js"),
    "locate.css": ("leaflet.locatecontrol", "dist/L.Control.Locate.min.css"),
    "heat.js": ("leaflet.heat", "dist/leaflet-heat.js"),
    "fontawesome.css": ("@fortawesome/fontawesome-free", "css/fontawesome.min.css"),
    "fa-solid.css": ("@fortawesome/fontawesome-free", "css/solid.min.css"),
    "pmtiles.js": ("pmtiles", "dist/pmtiles.js"),
    "vector-tile.js": ("@mapbox/vector-tile", "index.js"),
    "point-geometry.js": ("@mapbox/point-geometry", "index.js"),
    "pbf.js": ("pbf", "index.js"),
    "swagger-ui.js": ("swagger-ui-dist", "swagger-ui-bundle.js"),
    "swagger-ui.css": ("swagger-ui-dist", "swagger-ui.css"),
    "swagger-favicon.png": ("swagger-ui-dist", "favicon-32x32.png"),
}

MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}


def url_name(package: str) -> str:
    """One URL segment per package: ``@fortawesome/fontawesome-free`` → ``fontawesome-free``."""
    return package.rsplit("/", 1)[-1]


_PACKAGES_BY_URL_NAME = {url_name(p): p for p in SERVED if "/" in p}


class AssetsMissing(KarteError):
    """The npm packages are not installed (or not the pinned versions): map pages cannot work."""

    status = 503
    code = "assets_missing"


def default_node_modules() -> Path:
    """``KARTE_ASSETS_DIR`` if set, else ``node_modules`` beside ``package.json``."""
    configured = os.environ.get("KARTE_ASSETS_DIR")
    return Path(configured) if configured else REPO_ROOT / "node_modules"


def pinned_versions(package_json: Path = REPO_ROOT / "package.json") -> dict[str, str]:
    """The exact versions ``package.json`` pins (the lockfile pins the same)."""
    data = json.loads(package_json.read_text(encoding="utf-8"))
    return dict(data.get("dependencies", {}))


@dataclass
class AssetStore:
    """Finds, versions and serves the whitelisted vendor files and our own static files."""

    node_modules: Path
    pins: dict[str, str]
    static_dir: Path = STATIC_DIR

    @classmethod
    def discover(cls) -> AssetStore:
        return cls(default_node_modules(), pinned_versions())

    def installed_version(self, package: str) -> str | None:
        manifest = self.node_modules / package / "package.json"
        try:
            return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
        except (OSError, ValueError, KeyError):
            return None

    def check(self, packages: Iterable[str]) -> list[str]:
        """Those of ``packages`` that are missing or not at the pinned version."""
        out = []
        for package in packages:
            want, have = self.pins.get(package), self.installed_version(package)
            if have is None or have != want:
                out.append(f"{package} (erwartet/expected {want}, gefunden/found {have or '–'})")
        return out

    @cached_property
    def problems(self) -> list[str]:
        """Map packages that are missing or not at the pinned version (empty = all good)."""
        return self.check(p for p in SERVED if p not in DOCS_PACKAGES)

    def require(self, packages: Iterable[str] | None = None) -> None:
        """Raise a readable 503 when the assets are not installed, instead of a broken page.

        Without ``packages``: the map pages' packages; /docs asks for ``DOCS_PACKAGES``.
        """
        problems = self.problems if packages is None else self.check(packages)
        if problems:
            listed = "; ".join(problems)
            raise AssetsMissing(
                f"Karten-Dateien fehlen: {listed}. Bitte 'make setup' ausführen (npm ci).",
                f"Map assets are missing: {listed}. Please run 'make setup' (npm ci).",
            )

    @cached_property
    def own_version(self) -> str:
        """Content hash of our static files: a changed file gets a new URL (cache busting)."""
        digest = hashlib.sha256()
        for path in sorted(self.static_dir.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(self.static_dir).as_posix().encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()[:10]

    def url(self, name: str, base: str = "/assets") -> str:
        """URL of a logical vendor file (``FILES``) or of one of our own static files."""
        if name in FILES:
            package, file = FILES[name]
            return f"{base}/{url_name(package)}@{self.pins[package]}/{file}"
        return f"{base}/{OWN}@{self.own_version}/{name}"

    def resolve(self, spec: str, file: str) -> Path | None:
        """The file behind ``/assets/{spec}/{file}``, or None unless it is whitelisted."""
        name, sep, version = spec.rpartition("@")
        package = _PACKAGES_BY_URL_NAME.get(name, name)
        if not sep or ".." in file.split("/") or file.startswith("/"):
            return None
        if package == OWN:
            path = self.static_dir / file
            ok = version == self.own_version and path.suffix in MEDIA_TYPES
        else:
            path = self.node_modules / package / file
            patterns = SERVED.get(package, ())
            ok = version == self.pins.get(package) and any(fnmatch(file, p) for p in patterns)
        return path if ok and path.is_file() else None

    def export(self, dest: Path) -> int:
        """Copy every served file to ``dest`` with the URL layout of ``url(name, base)``."""
        self.require()
        copied = 0
        for package, patterns in SERVED.items():
            if package in DOCS_PACKAGES:
                continue
            root = self.node_modules / package
            for pattern in patterns:
                for path in root.glob(pattern):
                    folder = f"{url_name(package)}@{self.pins[package]}"
                    target = dest / folder / path.relative_to(root)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target)
                    copied += 1
        own = dest / f"{OWN}@{self.own_version}"
        for path in self.static_dir.rglob("*"):
            if path.is_file() and path.suffix in MEDIA_TYPES:
                target = own / path.relative_to(self.static_dir)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                copied += 1
        return copied
