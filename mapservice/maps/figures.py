"""The sidebar's "Zahlen": small inline SVG bar charts drawn on the server, each with a table.

No chart library (and so no CDN): a few rectangles are enough, they print, and they cost no
script. Every chart carries ``role="img"`` with a one-sentence summary and a table with the
same numbers beside it, so a screen reader gets the figures as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from mapservice.catalog import Dimension, Layer
from mapservice.db.models import GROUPS
from mapservice.maps.data import Facts
from mapservice.maps.i18n import Lang, format_int, texts
from mapservice.maps.style import DIMENSION_ACCENTS

WIDTH, BAR, GAP, LABEL = 290, 16, 10, 118


@dataclass(frozen=True)
class Chart:
    """An SVG and the rows of its text equivalent."""

    id: str  # "dimension" (follows the filters in the browser) or "participation"
    title: str
    svg: str
    head: list[str]
    rows: list[list[str]]


def _bar_svg(label: str, rows: list[tuple[str, list[tuple[int, str, str]]]], total_max: int) -> str:
    """Horizontal stacked bars: one row per (label, [(value, colour, name) …])."""
    height = len(rows) * (BAR + GAP)
    scale = (WIDTH - LABEL - 34) / max(total_max, 1)
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="{escape(label)}">'
    ]
    for i, (name, parts) in enumerate(rows):
        y = i * (BAR + GAP)
        out.append(f'<text x="0" y="{y + BAR - 4}" class="chart-label">{escape(name)}</text>')
        x = float(LABEL)
        for value, colour, part in parts:
            if value <= 0:
                continue
            w = value * scale
            out.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{colour}">'
                f"<title>{escape(part)}: {value}</title></rect>"
            )
            x += w
        total = sum(v for v, _, _ in parts)
        out.append(f'<text x="{x + 4:.1f}" y="{y + BAR - 4}" class="chart-value">{total}</text>')
    out.append("</svg>")
    return "".join(out)


def dimension_chart(
    layers: Iterable[Layer],
    counts: dict[str, dict[str, int]],
    kinds: list[dict[str, str]],
    lang: Lang,
) -> Chart:
    """Items per dimension, split by kind (kind-coloured layers only).

    The page passes the layers shown at first; ``static/karte-figures.js`` redraws the same
    chart in the browser whenever the layers or filters change, so the figures always
    describe what the map shows.
    """
    t = texts(lang)
    per_dim: dict[Dimension, dict[str, int]] = {d: {k["id"]: 0 for k in kinds} for d in Dimension}
    for layer in layers:
        if layer.kind_coloured and layer.id in counts:
            for kind, n in counts[layer.id].items():
                if kind in per_dim[layer.dimension]:
                    per_dim[layer.dimension][kind] += n
    rows = [
        (d.label(lang), [(per_dim[d][k["id"]], k["color"], k["label"]) for k in kinds])
        for d in Dimension
    ]
    biggest = max((sum(per_dim[d].values()) for d in Dimension), default=0)
    summary = "; ".join(f"{d.label(lang)}: {sum(per_dim[d].values())}" for d in Dimension)
    svg = _bar_svg(f"{t['by_dimension']}. {summary}", rows, biggest)
    # one row per kind, one column per dimension: three number columns fit the sidebar's
    # 19 rem without breaking a word (five kind columns needed 363 px in a 306 px box)
    head = [t["kind"], *(d.label(lang) for d in Dimension)]
    table = [
        [k["label"], *(format_int(per_dim[d][k["id"]], lang) for d in Dimension)] for k in kinds
    ]
    table.append([t["total"], *(format_int(sum(per_dim[d].values()), lang) for d in Dimension)])
    return Chart("dimension", t["by_dimension"], svg, head, table)


def participation_chart(facts: Facts, lang: Lang) -> Chart:
    """Participants of walkthroughs and interviews per group (Bewohner*innen …)."""
    t = texts(lang)
    walk, talk = facts.participants(), facts.interviews
    walk_colour, talk_colour = DIMENSION_ACCENTS[Dimension.SOCIAL], "#B9A3CF"
    rows = [
        (
            t[f"group_{g}"],
            [
                (walk[g], walk_colour, t["walk_participants"]),
                (talk.get(g, 0), talk_colour, t["interviews"]),
            ],
        )
        for g in GROUPS
    ]
    biggest = max((walk[g] + talk.get(g, 0) for g in GROUPS), default=0)
    summary = "; ".join(f"{t[f'group_{g}']}: {walk[g] + talk.get(g, 0)}" for g in GROUPS)
    svg = _bar_svg(f"{t['participation']}. {summary}", rows, biggest)
    head = [t["group"], t["walk_participants"], t["interviews"]]
    table = [
        [t[f"group_{g}"], format_int(walk[g], lang), format_int(talk.get(g, 0), lang)]
        for g in GROUPS
    ]
    return Chart("participation", t["participation"], svg, head, table)
