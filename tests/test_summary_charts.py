"""The server-made figures: well-formed SVG, a table with the same numbers, both languages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

from mapservice.access import PUBLIC
from mapservice.catalog import load_catalog
from mapservice.figures import all_figures, kind_colours, labels
from mapservice.figures.charts import _ink, dimension_figure, placement_figure
from mapservice.figures.schema import EXAMPLE, QuarterSummary
from mapservice.figures.summary import build_summary
from mapservice.figures.svg import Series, StackRow, stacked_bars

SVG = "{http://www.w3.org/2000/svg}"


def example(**changes: object) -> QuarterSummary:
    """The OpenAPI example made complete (all dimensions and levels) with ``changes``."""
    data = {**EXAMPLE, **changes}
    return QuarterSummary.model_validate(data)


def empty_summary(lang: str = "de") -> QuarterSummary:
    quarter = {"slug": "x-leer", "name": "Leer", "city": "Nirgends", "synthetic": False}
    return build_summary(quarter, [], load_catalog(), PUBLIC, lang)


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg .*?</svg>", html, re.S)]


def test_stacked_bars_are_valid_svg_with_tooltips() -> None:
    series = [Series("A & B", "#009E73", "#000000"), Series("C", "#0072B2")]
    svg = ET.fromstring(stacked_bars([StackRow("<eins>", [3, 1]), StackRow("zwei", [0, 2])],
                                     series))  # fmt: skip
    assert svg.get("aria-hidden") == "true"
    rects = svg.findall(f"{SVG}rect")
    assert len(rects) == 3  # a zero segment is not drawn
    assert rects[0].findtext(f"{SVG}title") == "<eins> · A & B: 3"  # escaped, then parsed back
    texts = [t.text for t in svg.findall(f"{SVG}text")]
    assert "<eins>" in texts and "4" in texts  # row label and total
    widths = [float(r.get("width", 0)) for r in rects]
    assert abs(widths[0] - 3 * widths[1]) < 0.5  # one scale for all rows
    assert abs(widths[2] - 2 * widths[1]) < 0.5


def test_dimension_figure_has_a_table_with_the_same_numbers() -> None:
    html = str(dimension_figure(example(), "de", kind_colours(load_catalog())))
    assert html.startswith('<figure class="karte-figure"><figcaption>Beobachtungen und Aussagen')
    table = html[html.index("<table") :]
    assert '<th scope="row">ökologisch</th><td>22</td><td>31</td><td>16</td><td>12</td>' in table
    assert '<div class="karte-sr-only">' in html
    assert all(s.get("aria-hidden") == "true" for s in svgs(html))


def test_placement_figure_in_english_uses_percent_and_labels() -> None:
    summary = example(lang="en")
    html = str(placement_figure(summary, "en"))
    assert "How precisely the interview findings are placed" in html
    assert "46%" in html and "(19)" in html


def test_empty_quarter_says_so_instead_of_drawing_nothing() -> None:
    html = str(all_figures(empty_summary(), "de"))
    assert "Noch keine Einträge." in html and "Noch keine Aussagen aus Interviews." in html
    assert "Noch keine Beteiligung erfasst." in html
    assert "<svg" not in html


def test_every_figure_parses_and_carries_a_caption() -> None:
    html = str(all_figures(example(), "de"))
    assert html.count("<figure") == 3 == html.count("<figcaption>") == html.count("<table>")
    assert len(svgs(html)) >= 3


def test_text_colour_keeps_contrast() -> None:
    assert _ink("#E69F00") == "#000000"  # orange: black text
    assert _ink("#0072B2") == "#ffffff"  # blue: white text
    assert _ink("#009E73") == "#000000"  # Okabe-Ito green: black reads better than white


def test_numbers_and_dates_per_language() -> None:
    assert labels.number(1234.5, "de", 1) == "1.234,5"
    assert labels.number(1234.5, "en", 1) == "1,234.5"
    assert labels.percent(0.463, "de") == "46\u202f%"
    assert labels.day(date(2026, 5, 4), "de") == "04.05.2026"
    assert labels.day(date(2026, 5, 4), "en-GB") == "4 May 2026"
    assert labels.level_of("manual") == "precise" and labels.level_of(None) == "unplaced"
