"""A quarter's boundary as a small static SVG outline, for the start page cards.

PostGIS does the geometry: the boundary is projected to EPSG:25832 (metres, so the shape is
not squashed as in plain longitude/latitude), simplified to what a 120-pixel thumbnail can
show, moved to the origin and written as SVG path data by ``ST_AsSVG`` (which already flips
the y axis). Python only wraps the path — no geometry travels to the web server, and all
outlines come from one query together with the card's name, city and area.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import Connection, text

#: Simplification tolerance as a share of the larger side: ~1/300 is below one pixel.
DETAIL = 300

CARDS_SQL = """
SELECT q.id, q.slug, q.name, q.city, q.description, q.synthetic,
       ST_Area(m.g) / 1e6 AS area_km2,
       ST_XMax(m.g) - ST_XMin(m.g) AS width_m, ST_YMax(m.g) - ST_YMin(m.g) AS height_m,
       ST_AsSVG(ST_Translate(
           ST_SimplifyPreserveTopology(m.g, greatest(ST_XMax(m.g) - ST_XMin(m.g),
                                                     ST_YMax(m.g) - ST_YMin(m.g)) / :detail),
           -ST_XMin(m.g), -ST_YMax(m.g)), 0, 0) AS path
  FROM quarter q CROSS JOIN LATERAL (SELECT ST_Transform(q.boundary, 25832) AS g) AS m
 ORDER BY q.city, q.name
"""


@dataclass(frozen=True)
class Outline:
    """SVG path data in metres from the top-left corner of the boundary's extent."""

    path: str
    width_m: float
    height_m: float

    def svg(self, label: str, size: int = 120) -> Markup:
        """The outline fitted into a ``size`` square; the stroke stays 1.5 px at any scale."""
        pad = max(self.width_m, self.height_m, 1) * 0.04
        box = f"{-pad:.0f} {-pad:.0f} {self.width_m + 2 * pad:.0f} {self.height_m + 2 * pad:.0f}"
        return Markup(
            f'<svg xmlns="http://www.w3.org/2000/svg" class="karte-outline" width="{size}" '
            f'height="{size}" viewBox="{box}" preserveAspectRatio="xMidYMid meet" role="img" '
            f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
            f'<path d="{escape(self.path)}" fill="#0072B2" fill-opacity="0.12" stroke="#0072B2" '
            'stroke-width="1.5" stroke-linejoin="round" fill-rule="evenodd" '
            'vector-effect="non-scaling-stroke"/></svg>'
        )


def fetch_cards(conn: Connection) -> list[dict[str, object]]:
    """Every quarter with its name, city, area (km²) and ``Outline``, ordered by city, name."""
    rows = conn.execute(text(CARDS_SQL), {"detail": DETAIL}).mappings()
    return [
        {
            **{k: r[k] for k in ("id", "slug", "name", "city", "description", "synthetic")},
            "area_km2": float(r["area_km2"]),
            "outline": Outline(r["path"], float(r["width_m"]), float(r["height_m"])),
        }
        for r in rows
    ]
