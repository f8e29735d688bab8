"""The analysis notebooks run top to bottom against the live test server with the demo.

They are executed in memory with nbclient (the files on disk stay without outputs); the
service URL and quarter reach the kernel as ``KARTE_URL`` / ``KARTE_QUARTER``, exactly as an
analyst sets them. Each test also checks a figure the notebook prints against the database.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from sqlalchemy import Engine, text

from tests.conftest import LiveServer

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
QUARTER = "bochum-hamme"


def run(name: str, live_server: LiveServer) -> str:
    """Execute a notebook and return all its text output (streams and plain-text results)."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    env = {**os.environ, "KARTE_URL": live_server.url, "KARTE_QUARTER": QUARTER}
    env.pop("KARTE_TOKEN", None)  # read as the public
    started = time.perf_counter()
    client = NotebookClient(nb, kernel_name="python3", timeout=120,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})  # fmt: skip
    client.execute(env=env)  # a failing cell raises CellExecutionError with its traceback
    print(f"{name}: {time.perf_counter() - started:.1f} s")
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", out
            parts.append(out.get("text", "") + out.get("data", {}).get("text/plain", ""))
            parts.append(out.get("data", {}).get("text/html", ""))
    return "\n".join(parts)


@pytest.mark.timeout(120)
def test_quartiersanalyse(
    live_server: LiveServer, engine: Engine, demo_loaded: dict[str, int]
) -> None:
    with engine.connect() as conn:
        published = conn.execute(
            text(
                "SELECT count(*) FROM observation o JOIN quarter q ON q.id = o.quarter_id "
                "WHERE q.slug = :q AND o.status = 'published'"
            ),
            {"q": QUARTER},
        ).scalar_one()
    output = run("quartiersanalyse.ipynb", live_server)
    assert f"Beobachtungen: {published} ·" in output
    assert f"Gegenprobe mit /summary: {published} Beobachtungen" in output
    assert "Zellen mit Beobachtungen" in output and "folium" in output.lower()


@pytest.mark.timeout(120)
def test_begehung_auswerten(
    live_server: LiveServer, engine: Engine, demo_loaded: dict[str, int]
) -> None:
    with engine.connect() as conn:  # the notebook's default: the latest walk with a track
        walk_id, length_m = conn.execute(
            text(
                "SELECT w.id, ST_Length(w.track::geography) FROM walkthrough w "
                "JOIN quarter q ON q.id = w.quarter_id WHERE q.slug = :q AND w.track IS NOT NULL "
                "ORDER BY w.started_at DESC LIMIT 1"
            ),
            {"q": QUARTER},
        ).one()
        seen = conn.execute(
            text("SELECT count(*) FROM observation WHERE walkthrough_id = :w AND status = "
                 "'published'"),
            {"w": walk_id},
        ).scalar_one()  # fmt: skip
    output = run("begehung_auswerten.ipynb", live_server)
    assert f"Beobachtungen auf dieser Begehung: {seen}" in output
    assert f"laut Dienst {length_m:.0f} m" in output
    rate = re.search(r"Beobachtungen je 100 m: ([0-9.]+)", output)
    assert rate and float(rate.group(1)) == pytest.approx(seen / (length_m / 100), rel=0.01)


@pytest.mark.parametrize("name", ["quartiersanalyse.ipynb", "begehung_auswerten.ipynb"])
def test_notebooks_are_stored_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "run nbstripout"
    sources = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert 'os.environ.get("KARTE_URL", "http://127.0.0.1:8000")' in sources
    assert sources.count("127.0.0.1") == 1  # no other hard-coded host
