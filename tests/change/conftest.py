"""A quarter of its own per test (far from every other test's), with rounds, tracks and
observations written straight into the real PostGIS, plus planner/field tokens."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine, text

from mapservice.access import create_account, create_token

LAT0 = 47.60
M_PER_DEG_LAT = 111_320.0


def lonlat(x0: float, dx_m: float, dy_m: float) -> tuple[float, float]:
    """A point dx/dy metres east/north of (x0, LAT0)."""
    lon = x0 + dx_m / (M_PER_DEG_LAT * math.cos(math.radians(LAT0)))
    return lon, LAT0 + dy_m / M_PER_DEG_LAT


@dataclass
class Scene:
    """One test's quarter: helpers to add rounds, walkthroughs and observations."""

    engine: Engine
    slug: str
    qid: int
    x0: float
    planner: str
    field: str
    admin: str
    made: list[str] = field(default_factory=list)

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def at(self, dx: float, dy: float) -> tuple[float, float]:
        return lonlat(self.x0, dx, dy)

    def round(self, label: str, start: str, end: str) -> int:
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    text(
                        "INSERT INTO walk_round (quarter_id, label, period_from, period_to) "
                        "VALUES (:q, :l, :f, :t) RETURNING id"
                    ),
                    {"q": self.qid, "l": label, "f": start, "t": end},
                ).scalar_one()
            )

    def walkthrough(self, started: str, track: list[tuple[float, float]] | None = None) -> str:
        """A walkthrough; ``track`` as metre offsets (a LineString), or none."""
        wid = str(uuid.uuid4())
        wkt = None
        if track:
            wkt = (
                "LINESTRING("
                + ", ".join(f"{lon} {lat}" for lon, lat in (self.at(dx, dy) for dx, dy in track))
                + ")"
            )
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO walkthrough (id, quarter_id, title, started_at, track, residents,"
                    " experts) VALUES (:id, :q, 'Test', CAST(:s AS timestamptz), "
                    "CASE WHEN CAST(:w AS text) IS NULL THEN NULL "
                    "ELSE ST_GeomFromText(:w, 4326) END, 3, 1)"
                ),
                {"id": wid, "q": self.qid, "s": started, "w": wkt},
            )
        return wid

    def obs(
        self,
        wid: str,
        dx: float,
        dy: float,
        title: str,
        *,
        rating: int | None = -1,
        kind: str = "problem",
        layer: str = "mobilitaet",
        description: str = "",
        status: str = "published",
    ) -> str:
        oid = str(uuid.uuid4())
        lon, lat = self.at(dx, dy)
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO observation (id, quarter_id, walkthrough_id, layer_id, kind, "
                    "rating, title, description, geom, status) VALUES (:id, :q, :w, :layer, "
                    ":kind, :r, :t, :d, ST_SetSRID(ST_MakePoint(:x, :y), 4326), :st)"
                ),
                {"id": oid, "q": self.qid, "w": wid, "layer": layer, "kind": kind,
                 "r": rating, "t": title, "d": description, "x": lon, "y": lat, "st": status},
            )  # fmt: skip
        return oid


_counter = iter(range(10_000))
_base = uuid.uuid4().int % 120


@pytest.fixture()
def scene(engine: Engine) -> Scene:
    n = (_base + next(_counter)) % 120
    # 0.05° apart, every scene its own 3 km square; inside UTM zone 32 (6–12° E), so metres
    # in EPSG:25832 are metres on the ground
    x0 = 6.0 + n * 0.05
    suffix = uuid.uuid4().hex[:6]
    slug = f"change-{suffix}"
    x1, y1 = lonlat(x0, 3000, 3000)
    x_, y_ = lonlat(x0, -1000, -1000)
    ring = f"{x_} {y_}, {x1} {y_}, {x1} {y1}, {x_} {y1}, {x_} {y_}"
    with engine.begin() as conn:
        qid = conn.execute(
            text(
                "INSERT INTO quarter (slug, name, city, boundary) VALUES "
                "(:s, 'Wandelquartier', 'Teststadt', ST_GeomFromText(:b, 4326)) RETURNING id"
            ),
            {"s": slug, "b": f"MULTIPOLYGON((({ring})))"},
        ).scalar_one()
        tokens = {}
        for role in ("planner", "field", "admin"):
            create_account(conn, f"{role}-{suffix}", role)
            tokens[role] = create_token(conn, f"{role}-{suffix}")
    return Scene(engine, slug, int(qid), x0, **tokens)


SceneFactory = Callable[[], Scene]


@pytest.fixture(scope="package")
def browser():  # type: ignore[no-untyped-def]
    """One Debian Chromium for the change page tests (package scope: see tests/browser)."""
    from tests.chromium import launch_chromium

    with launch_chromium() as browser:
        yield browser


@pytest.fixture()
def make_page(browser, live_server):  # type: ignore[no-untyped-def]
    """``make_page(width)`` → a watched page (foreign hosts blocked and recorded)."""
    from urllib.parse import urlsplit

    from tests.browser.conftest import watch

    contexts = []

    def make(width: int = 1280):  # type: ignore[no-untyped-def]
        context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="de-DE", bypass_csp=True
        )
        contexts.append(context)
        return watch(context, {urlsplit(live_server.url).netloc})

    yield make
    for context in contexts:
        context.close()
