"""Small bar charts as inline SVG, drawn on the server.

Why not a chart library: a municipal page may load nothing from a CDN, the charts must
print and work without JavaScript, and three kinds of bar are all the figures need. The SVG
uses presentation attributes only (no ``style``), so it survives a strict Content-Security-
Policy. Every chart is ``aria-hidden``: the caller puts a table with the same numbers beside
it for screen readers (see ``charts.py``), and each bar still carries a ``<title>`` tooltip.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = 'font-family="system-ui, sans-serif" font-size="12"'
CHAR_PX = 6.6  # average glyph width of a 12 px sans-serif, for fitting labels
INK = "#1d1d1b"


@dataclass(frozen=True)
class Series:
    """One stacked segment type, e.g. a kind: its label, fill and the text colour on it."""

    label: str
    colour: str
    ink: str = "#ffffff"
    mark: str = ""  # SVG path of a glyph in a 14 x 14 box, drawn on legend swatches
    key: str = ""  # what the series stands for in data, e.g. "problem"


@dataclass(frozen=True)
class StackRow:
    label: str
    values: Sequence[int]


@dataclass(frozen=True)
class Bar:
    """One plain bar: its length, the text after it (with a unit, so colour is not needed)."""

    value: float
    text: str
    colour: str = "#52606D"


@dataclass(frozen=True)
class BarRow:
    label: str
    bars: Sequence[Bar]


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(width: float, height: float, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="karte-chart" width="{_fmt(width)}" '
        f'height="{_fmt(height)}" viewBox="0 0 {_fmt(width)} {_fmt(height)}" '
        f'aria-hidden="true" focusable="false" {FONT}>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _text(x: float, y: float, content: str, *, anchor: str = "start", fill: str = INK) -> str:
    return (
        f'<text x="{_fmt(x)}" y="{_fmt(y)}" text-anchor="{anchor}" fill="{fill}" '
        f'dominant-baseline="central">{escape(content)}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, tip: str) -> str:
    return (
        f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(w)}" height="{_fmt(h)}" '
        f'fill="{fill}"><title>{escape(tip)}</title></rect>'
    )


def _fits(text: str, px: float) -> bool:
    return len(text) * CHAR_PX + 6 <= px


def stacked_bars(
    rows: Sequence[StackRow],
    series: Sequence[Series],
    *,
    total_text: Callable[[int], str] = str,
    width: float = 320,
    label_width: float = 88,
    bar_height: float = 20,
    gap: float = 8,
) -> Markup:
    """One horizontal bar per row, split into the series; the total after each bar.

    Bars share one scale (the largest total), so rows compare by length; a segment wide
    enough shows its number inside, the rest show it in the tooltip and the table.
    """
    biggest = max((sum(row.values) for row in rows), default=0) or 1
    tail = max((len(total_text(sum(r.values))) for r in rows), default=1) * CHAR_PX + 8
    area = max(width - label_width - tail, 40)
    body: list[str] = []
    for i, row in enumerate(rows):
        y = i * (bar_height + gap)
        mid = y + bar_height / 2
        if label_width:
            body.append(_text(0, mid, row.label))
        x = label_width
        for value, s in zip(row.values, series, strict=True):
            if value <= 0:
                continue
            w = area * value / biggest
            body.append(_rect(x, y, w, bar_height, s.colour, f"{row.label} · {s.label}: {value}"))
            if _fits(str(value), w):
                body.append(_text(x + w / 2, mid, str(value), anchor="middle", fill=s.ink))
            x += w
        if total := total_text(sum(row.values)):
            body.append(_text(x + 4, mid, total))
    height = max(len(rows) * (bar_height + gap) - gap, 1)
    return _svg(width, height, body)


def bar_rows(
    rows: Sequence[BarRow],
    *,
    max_value: float | None = None,
    width: float = 320,
    label_width: float = 128,
    bar_height: float = 12,
    gap: float = 10,
) -> Markup:
    """Rows of one or more plain bars, each followed by its text (value and unit).

    Used for grouped figures (two bars per participant group) and shares (one bar per
    placement level, ``max_value=1``); the row label sits beside the row's first bar.
    """
    biggest = max_value or max((b.value for r in rows for b in r.bars), default=0) or 1
    tail = max((len(b.text) for r in rows for b in r.bars), default=1) * CHAR_PX + 8
    area = max(width - label_width - tail, 40)
    body: list[str] = []
    y = 0.0
    for row in rows:
        body.append(_text(0, y + bar_height / 2, row.label))
        for bar in row.bars:
            w = area * max(bar.value, 0) / biggest
            if w > 0:
                body.append(_rect(label_width, y, w, bar_height, bar.colour,
                                  f"{row.label}: {bar.text}"))  # fmt: skip
            body.append(_text(label_width + w + 4, y + bar_height / 2, bar.text))
            y += bar_height + 2
        y += gap - 2
    return _svg(width, max(y - gap, 1), body)


def swatch(colour: str, mark: str = "", ink: str = "#ffffff", size: int = 14) -> Markup:
    """A colour square for an HTML legend or table, with an optional glyph drawn on it.

    SVG rather than CSS so no inline ``style`` is needed, and a drawn glyph rather than a
    text symbol so it looks the same without an emoji font (and in grey-scale print).
    """
    glyph = (
        f'<path d="{escape(mark)}" fill="none" stroke="{escape(ink)}" stroke-width="1.7" '
        'stroke-linecap="round" stroke-linejoin="round"/>'
        if mark
        else ""
    )
    return Markup(
        f'<svg width="{size}" height="{size}" viewBox="0 0 14 14" aria-hidden="true" '
        f'focusable="false"><rect width="14" height="14" rx="3" fill="{escape(colour)}"/>'
        f"{glyph}</svg>"
    )
