"""Set-up of the import section's tests: a copy of Bochum-Hamme's streets and addresses in a
quarter of its own, and the two real-world files of the issue built from it.

The quarter is Hamme's boundary and gazetteer (data/demo, data/gazetteer) moved by
:data:`SHIFT` degrees, so its street names are real Hamme streets while nothing it receives
lands in the demo's Hamme, which other tests count. The files:

- ``sportstaetten.csv``: the shape of Bochum's list of sports facilities — ISO-8859-1, ``;``,
  no coordinates, only "Straße" and "Hausnummer" (and a "Nr" key column);
- ``gruenflaechen_utm.csv``: a city export in EPSG:25832 ("Rechtswert"/"Hochwert", decimal
  commas), also ISO-8859-1 with ``;``.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import Engine, text

from mapservice.config import REPO_ROOT
from mapservice.georef.crs import transformer

SHIFT = (0.8, -1.6)  # Hamme (7.2 E, 51.49 N) → 8.0 E, 49.89 N: no other test quarter there
GAZETTEER = REPO_ROOT / "data" / "gazetteer"
QUARTERS = REPO_ROOT / "data" / "demo" / "quarters.geojson"


def moved(geom: Any, shift: tuple[float, float] = SHIFT) -> Any:
    return shapely.transform(geom, lambda c: c + shift)


@dataclass
class Hamme:
    slug: str
    id: int
    addresses: dict[str, tuple[float, float]] = field(default_factory=dict)  # "Poststraße 10"

    def utm(self, address: str) -> tuple[float, float]:
        lon, lat = self.addresses[address]
        x, y = transformer(4326, 25832).transform(lon, lat)
        return round(x, 2), round(y, 2)


def _features(path: Any) -> list[dict]:
    return [
        f
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]
        if f["properties"].get("quarter") == "bochum-hamme"
    ]


def copy_hamme(
    engine: Engine, shift: tuple[float, float] = SHIFT, prefix: str = "hamme-import",
    name: str = "Hamme (Import)",
) -> Hamme:  # fmt: skip
    """A copy of Bochum-Hamme moved by ``shift`` degrees, with its streets, addresses, places."""
    slug = f"{prefix}-{uuid.uuid4().hex[:6]}"
    boundary = next(
        moved(shape(f["geometry"]), shift)
        for f in json.loads(QUARTERS.read_text(encoding="utf-8"))["features"]
        if f["properties"]["slug"] == "bochum-hamme"
    )
    place = Hamme(slug, 0)
    with engine.begin() as conn:
        place.id = int(
            conn.execute(
                text(
                    "INSERT INTO quarter (slug, name, city, boundary) VALUES "
                    "(:s, :n, 'Bochum', ST_Multi(ST_GeomFromText(:b, 4326))) "
                    "RETURNING id"
                ),
                {"s": slug, "n": name, "b": boundary.wkt},
            ).scalar_one()
        )
        rows = []
        for f in _features(GAZETTEER / "streets.geojson") + _features(GAZETTEER / "places.geojson"):
            p, geom = f["properties"], moved(shape(f["geometry"]), shift)
            rows.append(
                {
                    "q": place.id,
                    "k": p["kind"],
                    "n": p["name"],
                    "s": p.get("street"),
                    "h": p.get("housenumber"),
                    "g": geom.wkt,
                }
            )
            if p["kind"] == "address":
                place.addresses[p["name"]] = (geom.x, geom.y)
        conn.execute(
            text(
                "INSERT INTO gazetteer_entry (quarter_id, kind, name, street, housenumber, geom, "
                "source) VALUES (:q, :k, :n, :s, :h, ST_GeomFromText(:g, 4326), 'import-tests')"
            ),
            rows,
        )
    return place


@pytest.fixture(scope="session", name="hamme")
def hamme_fixture(engine: Engine) -> Hamme:
    """A moved copy of Bochum-Hamme with its streets, addresses and places."""
    return copy_hamme(engine)


SPORTS_HEADER = ["Nr", "Bezeichnung", "Sportart", "Straße", "Hausnummer", "PLZ", "Ort"]
SPORTS_ROWS = [
    ["1", "Sporthalle Amtsstraße", "Hallensport", "Amtsstraße", "17"],
    ["2", "Bezirkssportanlage Poststraße", "Fußball", "Poststraße", "10"],
    ["3", "Turnhalle Reichsstraße", "Turnen", "Reichsstraße", "21"],
    ["4", "Bolzplatz Surweg", "Fußball", "Surweg", ""],
    ["5", "Gymnastikraum Bärendorfer Straße", "Gymnastik", "Bärendorfer Straße", "24a"],
    ["6", "Tennisanlage Kuhlenkamp", "Tennis", "Kuhlenkampweg", "3"],
    ["7", "Schwimmhalle (ohne Anschrift)", "Schwimmen", "", ""],
    ["8", "Sportplatz Gahlensche Straße", "Fußball", "Gahlensche Straße", "181"],
]
PLACED = {1: "address", 2: "address", 3: "address", 4: "street", 5: "address", 8: "address"}
REFUSED = {6: "address_not_found", 7: "address_missing"}


def latin1_csv(header: list[str], rows: list[list[str]]) -> bytes:
    lines = [";".join(header), *(";".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode("iso-8859-1")


def sports_csv(rows: list[list[str]] | None = None) -> bytes:
    """Bochum's sports-facility list as the city writes it (ISO-8859-1, ';', no coordinates)."""
    return latin1_csv(SPORTS_HEADER, [[*r, "44809", "Bochum"] for r in (rows or SPORTS_ROWS)])


UTM_HEADER = ["Nr", "Bezeichnung", "Rechtswert", "Hochwert", "Beschreibung"]
UTM_SPOTS = ["Poststraße 10", "Amtsstraße 17", "Reichsstraße 21", "Gahlensche Straße 181"]


def utm_csv(hamme: Hamme, titles: list[str] | None = None, spots: list[str] | None = None) -> bytes:
    """Green spaces in EPSG:25832 with German decimal commas (ISO-8859-1, ';')."""
    rows = []
    for i, spot in enumerate(spots or UTM_SPOTS):
        x, y = hamme.utm(spot)
        title = (titles or [])[i] if titles and i < len(titles) else f"Grünfläche {i + 1}"
        rows.append(
            [
                f"G{i + 1}",
                title,
                f"{x:.2f}".replace(".", ","),
                f"{y:.2f}".replace(".", ","),
                f"Pflegefläche an der {spot}",
            ]
        )
    return latin1_csv(UTM_HEADER, rows)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post_job(
    http: httpx.Client, token: str, name: str, content: bytes, **form: str
) -> httpx.Response:
    files = {"file": (name, content, "text/csv")}
    return http.post("/api/imports/jobs", files=files, data=form, headers=auth(token))


def wait_job(http: httpx.Client, token: str, job_id: str, timeout: float = 60) -> dict[str, Any]:
    """Poll the job until it is no longer queued or running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = http.get(f"/api/imports/jobs/{job_id}", headers=auth(token)).json()
        if job["state"] not in ("queued", "running"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"import job {job_id} did not finish: {job}")


def run_job(
    http: httpx.Client, token: str, name: str, content: bytes, **form: str
) -> dict[str, Any]:
    response = post_job(http, token, name, content, **form)
    assert response.status_code == 202, response.text
    return wait_job(http, token, response.json()["id"])
