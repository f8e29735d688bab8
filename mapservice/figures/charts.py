"""The quarter figures as HTML: an SVG chart, a legend and a table with the same numbers.

Each figure is a ``<figure>`` with a caption; the chart and legend are hidden from screen
readers, which read the table instead (hidden visually by ``.karte-sr-only``). Pages that
embed figures — the start page, the map sidebar — include ``FIGURES_CSS`` (or equivalent rules)
once. Kind colours follow the layer catalogue, so figures and map legend always agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from mapservice.catalog import Catalog, Kind
from mapservice.figures import labels
from mapservice.figures.schema import QuarterSummary
from mapservice.figures.svg import Bar, BarRow, Series, StackRow, bar_rows, stacked_bars, swatch

#: Okabe–Ito kind colours (MAPS.md), used when the catalogue has no kind-coloured layer.
KIND_COLOURS = {"strength": "#009E73", "problem": "#D55E00", "potential": "#E69F00",
                "idea": "#0072B2"}  # fmt: skip
#: Never colour alone: each kind has a glyph too (check, exclamation mark, arrow up-right,
#: light bulb), drawn as SVG paths in a 14 x 14 box on legend and table swatches.
KIND_MARKS = {
    "strength": "M3.6 7.3 6 9.7 10.4 4.6",
    "problem": "M7 3.2V8.1M7 10.6V10.7",
    "potential": "M4.3 9.7 9.5 4.5M5.6 4.3H9.7V8.4",
    "idea": "M5.6 11.3H8.4M5.5 9.2H8.5V8.3A3.2 3.2 0 1 0 5.5 8.3Z",
}
WALK_COLOUR, INTERVIEW_COLOUR, SHARE_COLOUR = "#52606D", "#8A6B8F", "#2F5D8A"

FIGURES_CSS = """
.karte-figure { margin: 0 0 1.25rem; }
.karte-figure figcaption { font-weight: 600; margin-bottom: .4rem; }
.karte-chart { max-width: 100%; height: auto; display: block; }
.karte-legend { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem .9rem;
  margin: .4rem 0 0; padding: 0; font-size: .85rem; }
.karte-legend svg { vertical-align: -1px; margin-right: .25rem; }
.karte-note { font-size: .85rem; color: #4a4a48; margin: .3rem 0 0; }
.karte-sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
"""


def kind_colours(catalog: Catalog | None) -> dict[str, str]:
    """Kind → fill colour from the first kind-coloured layer of the catalogue."""
    for layer in catalog or ():
        if layer.kind_coloured and layer.style.colors:
            return {Kind(k).value: c for k, c in layer.style.colors.items()}
    return dict(KIND_COLOURS)


def _ink(colour: str) -> str:
    """Black or white text, whichever contrasts more with ``colour`` (WCAG luminance)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


def kind_series(lang: str, colours: Mapping[str, str] | None = None) -> list[Series]:
    """The four kinds in schema order, with fill, readable text colour and glyph."""
    fills = {**KIND_COLOURS, **(colours or {})}
    return [
        Series(labels.kind_label(k.value, lang), fills[k.value], _ink(fills[k.value]),
               KIND_MARKS[k.value], k.value)
        for k in Kind
    ]  # fmt: skip


def table(caption: str, head: Sequence[str], rows: Sequence[Sequence[str]]) -> Markup:
    """A data table; the first cell of each row is its header (``scope="row"``)."""
    cols = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join(
        f'<tr><th scope="row">{escape(r[0])}</th>'
        + "".join(f"<td>{escape(c)}</td>" for c in r[1:])
        + "</tr>"
        for r in rows
    )
    return Markup(
        f"<table><caption>{escape(caption)}</caption><thead><tr>{cols}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def legend(series: Sequence[Series]) -> Markup:
    items = "".join(f"<li>{swatch(s.colour, s.mark, s.ink)}{escape(s.label)}</li>" for s in series)
    return Markup(f'<ul class="karte-legend" aria-hidden="true">{items}</ul>')


def figure(caption: str, chart: Markup, data: Markup, extra: Markup | str = "") -> Markup:
    """Caption, chart (+ legend/note) for the eye, the table for screen readers."""
    return Markup(
        f'<figure class="karte-figure"><figcaption>{escape(caption)}</figcaption>{chart}'
        f'{extra}<div class="karte-sr-only">{data}</div></figure>'
    )


def _empty(caption: str, message: str) -> Markup:
    return Markup(
        f'<figure class="karte-figure"><figcaption>{escape(caption)}</figcaption>'
        f'<p class="karte-note">{escape(message)}</p></figure>'
    )


def dimension_figure(
    summary: QuarterSummary, lang: str, colours: Mapping[str, str] | None = None
) -> Markup:
    """Entries per dimension, each bar split by kind."""
    caption = labels.word("fig_dimensions", lang)
    if summary.totals.items == 0:
        return _empty(caption, labels.word("no_items", lang))
    series = kind_series(lang, colours)
    kinds = [k.value for k in Kind]
    rows = [StackRow(d.label, [d.by_kind[k] for k in kinds]) for d in summary.dimensions]
    chart = stacked_bars(rows, series, total_text=lambda n: labels.number(n, lang))
    data = table(
        caption,
        [labels.word("dimension", lang), *(s.label for s in series), labels.word("total", lang)],
        [
            [d.label, *(labels.number(d.by_kind[k], lang) for k in kinds),
             labels.number(d.total, lang)]
            for d in summary.dimensions
        ],
    )  # fmt: skip
    note = Markup('<p class="karte-note">{}</p>').format(labels.word("findings_note", lang))
    return figure(caption, chart, data, legend(series) + note)


def participation_figure(summary: QuarterSummary, lang: str) -> Markup:
    """Walkthrough participants and interviews per group, one scale, units on each bar."""
    caption = labels.word("fig_participation", lang)
    if not any(g.walkthrough_participants or g.interviews for g in summary.participation):
        return _empty(caption, labels.word("no_participation", lang))
    walk, talk = labels.word("participants_short", lang), labels.word("interviews_short", lang)
    rows = [
        BarRow(g.label, [
            Bar(g.walkthrough_participants,
                f"{labels.number(g.walkthrough_participants, lang)} {walk}", WALK_COLOUR),
            Bar(g.interviews, f"{labels.number(g.interviews, lang)} {talk}", INTERVIEW_COLOUR),
        ])
        for g in summary.participation
    ]  # fmt: skip
    series = [
        Series(labels.word("participants", lang), WALK_COLOUR),
        Series(labels.word("interviews", lang), INTERVIEW_COLOUR),
    ]
    data = table(
        caption,
        [labels.word("group", lang), *(s.label for s in series)],
        [[g.label, labels.number(g.walkthrough_participants, lang),
          labels.number(g.interviews, lang)] for g in summary.participation],
    )  # fmt: skip
    return figure(caption, bar_rows(rows), data, legend(series))


def placement_figure(summary: QuarterSummary, lang: str) -> Markup:
    """Share of findings placed precisely, at street level, at quarter level, not at all."""
    caption = labels.word("fig_placement", lang)
    placement = summary.placement
    if placement.findings == 0:
        return _empty(caption, labels.word("no_findings", lang))
    rows = [
        BarRow(level.label, [Bar(level.share or 0,
               f"{labels.percent(level.share, lang)} ({labels.number(level.findings, lang)})",
               SHARE_COLOUR)])
        for level in placement.levels
    ]  # fmt: skip
    data = table(
        caption,
        [labels.word("level", lang), labels.word("findings", lang), labels.word("share", lang)],
        [[level.label, labels.number(level.findings, lang), labels.percent(level.share, lang)]
         for level in placement.levels],
    )  # fmt: skip
    return figure(caption, bar_rows(rows, max_value=1), data)


def kinds_bar(
    summary: QuarterSummary, lang: str, colours: Mapping[str, str] | None = None
) -> Markup:
    """One bar of all entries split by kind, for a card; the card shows the numbers as text."""
    series = kind_series(lang, colours)
    row = StackRow(labels.word("items", lang), [k.total for k in summary.kinds])
    return stacked_bars([row], series, label_width=0, width=260, bar_height=14,
                        total_text=lambda n: "")  # fmt: skip


def all_figures(
    summary: QuarterSummary, lang: str, colours: Mapping[str, str] | None = None
) -> Markup:
    """The three figures of a quarter, as the map sidebar's "Zahlen" and the start page show."""
    return (
        dimension_figure(summary, lang, colours)
        + participation_figure(summary, lang)
        + placement_figure(summary, lang)
    )
