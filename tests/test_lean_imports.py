"""A server worker stays lean: building the app loads no data-science stack.

A worker that serves tiles, OGC API items, health and the JSON capture API must not carry
pandas, geopandas, GDAL (pyogrio/fiona), folium/branca or matplotlib: together they cost
~75 MB of RSS per worker. They are loaded by the requests and CLI commands that need them
(file imports, GeoPackage exports, map pages). Each check runs in a fresh interpreter, since
this test process has long imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

HEAVY = ("pandas", "geopandas", "pyogrio", "fiona", "folium", "branca", "matplotlib")

# Measured ~130 MB (peak RSS after import + create_app, Linux, Python 3.11); it was ~205 MB
# when every router imported pandas, GDAL and folium at import time. With the review, views,
# measures, change and replica routers it is 137 MB warm and 153 MB on the very first run of a
# fresh virtualenv (bytecode compiled on import), so the ceiling is 165 MB.
MAX_RSS_MB = 165


def run_fresh(code: str) -> dict:
    """Run ``PRELUDE`` + ``code`` in a new interpreter; ``report()`` prints one JSON line,
    which is returned."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARTE_")}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(PRELUDE) + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


# Peak RSS of this interpreter: VmHWM, not ru_maxrss — Linux carries the parent's maximum
# RSS (here: the pytest process) over fork + exec into ru_maxrss.
PRELUDE = f"""
import json, resource, sys, tempfile
HEAVY = {HEAVY!r}

def peak_rss_mb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

def report(**extra):
    print(json.dumps({{"rss_mb": peak_rss_mb(),
                      "loaded": [m for m in HEAVY if m in sys.modules], **extra}}))
"""


def test_app_loads_no_heavy_modules() -> None:
    result = run_fresh(
        """
        from mapservice.api.app import create_app
        from mapservice.config import Settings

        with tempfile.TemporaryDirectory(prefix="karte-lean-") as data_dir:
            settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/none",
                                data_dir=data_dir)
            app = create_app(settings)  # not started: no database needed
            rss_app = peak_rss_mb()
            report(rss_app=rss_app, paths=sorted(app.openapi()["paths"]))  # /docs stays lean
        """
    )
    print(f"RSS after import + create_app: {result['rss_app']:.1f} MB")
    assert {"/api/imports", "/api/observations", "/health"} <= set(result["paths"])
    assert result["loaded"] == [], f"server worker imports {result['loaded']}"
    assert result["rss_app"] < MAX_RSS_MB, result


def test_check_detects_heavy_modules() -> None:
    """The same check sees folium once the map builder is imported (as a map page does), and
    pandas/GDAL once the importer is used: the lazy imports really are lazy, and still work."""
    result = run_fresh(
        """
        import mapservice.maps.folium_map
        report()
        """
    )
    assert "folium" in result["loaded"] and "branca" in result["loaded"]

    result = run_fresh(
        """
        import mapservice.capture.imports as imports
        before = [m for m in HEAVY if m in sys.modules]
        from mapservice.capture.imports import run_import
        from mapservice.capture.imports.runner import run_import as real
        assert run_import is real and imports.detect_format("a.gpx", b"") == "gpx"
        assert callable(imports.runner.read_geofile)  # GeoPackage reader there, GDAL not yet
        report(before=before)
        """
    )
    assert result["before"] == []
    assert "pandas" in result["loaded"] and "pyogrio" not in result["loaded"]
