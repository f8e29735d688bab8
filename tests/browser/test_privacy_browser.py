"""The public map draws a home finding at its public point, with the redacted text."""

from __future__ import annotations

from typing import Any

from pyproj import Geod
from sqlalchemy import Engine, text

from tests.browser.helpers import settle

GEOD = Geod(ellps="WGS84")


def test_the_public_map_shows_a_home_finding_only_at_its_public_point(
    make_page: Any, live_server: Any, engine: Engine, demo_loaded: dict[str, int]
) -> None:
    with engine.connect() as conn:
        fid, statement, x, y, px, py = conn.execute(
            text(
                "SELECT f.id::text, f.statement, ST_X(f.geom), ST_Y(f.geom), "
                "ST_X(f.public_geom), ST_Y(f.public_geom) FROM finding f "
                "JOIN quarter q ON q.id = f.quarter_id WHERE q.slug = 'bochum-hamme' "
                "AND f.from_home_address AND f.status = 'published' "
                "AND f.statement ~ 'straße [0-9]+' ORDER BY f.id LIMIT 1"
            )
        ).one()
    watched = make_page()
    page = watched.page
    page.goto(f"{live_server.url}/embed/bochum-hamme?layers=aussagen")
    settle(page)
    page.evaluate(f"() => Karte.ctx.map.setView([{py}, {px}], 18)")
    settle(page)
    found = page.evaluate(
        "(id) => { const m = Karte.ctx.layers.aussagen.byId.get(id);"
        " if (!m) return null; const p = m.getLatLng ? m.getLatLng() : m.getBounds().getCenter();"
        " return [p.lng, p.lat, m.options.title || ''] }",
        fid,
    )
    assert found is not None, "the finding is drawn"
    lon, lat, title = found
    assert GEOD.inv(lon, lat, px, py)[2] < 1.0, "drawn at the public point"
    assert GEOD.inv(lon, lat, x, y)[2] >= 50.0, "never at the house"
    assert "[Hausnummer entfernt]" in title and title != statement
    html = page.content()
    assert statement not in html
    watched.shot("privacy-public-home-finding")
    assert watched.console_errors == []
